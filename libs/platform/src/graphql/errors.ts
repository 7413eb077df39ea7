import { GraphQLError } from 'graphql';

/** The codes every GraphQL error carries in `extensions.code`. */
export type ErrorCode = 'BAD_USER_INPUT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'RATE_LIMITED' | 'UNAVAILABLE' | 'INTERNAL';

/** The one error type services throw for anything a client caused or should be told. */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** A business rule's reason (DOUBLE_PLEDGE, RATE_ABOVE_CAP, …) or a refusal code. */
    readonly reason?: string,
  ) {
    super(message);
  }
}

export const badInput = (message: string, reason?: string) => new AppError('BAD_USER_INPUT', message, reason);
export const notFound = (message: string) => new AppError('NOT_FOUND', message);
export const forbidden = (message = 'you may not do this') => new AppError('FORBIDDEN', message);
export const unauthenticated = (message = 'log in first') => new AppError('UNAUTHENTICATED', message);

export function toGraphQLError(e: AppError): GraphQLError {
  return new GraphQLError(e.message, { extensions: { code: e.code, ...(e.reason ? { reason: e.reason } : {}) } });
}
