import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { ErrorCode } from './errors.js';

/** An error refusing a whole request before execution (limits), with the HTTP status to answer. */
export function requestError(code: ErrorCode, message: string, reason: string, status: number, headers: Record<string, string> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, reason, http: { status, headers: new HeaderMap(Object.entries(headers)) } } });
}
