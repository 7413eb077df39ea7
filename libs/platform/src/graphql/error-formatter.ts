import { randomUUID } from 'node:crypto';
import { HttpException, type LoggerService } from '@nestjs/common';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ledgerErrorToAppError } from '../ledger/ledger-errors.js';
import { AppError, ERROR_CODES, type ErrorCode } from './errors.js';

/**
 * Apollo's own request-level codes. They become BAD_USER_INPUT with the Apollo code as `reason`,
 * so clients see one closed set of codes (ARCHITECTURE §4) and still learn what Apollo refused.
 */
const APOLLO_REQUEST_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

// PostgreSQL / network failures meaning "the database is not there right now".
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '53300']);
function isDatabaseUnavailable(e: unknown): boolean {
  const err = e as { code?: unknown; driverError?: { code?: unknown }; message?: unknown } | null;
  const code = err?.driverError?.code ?? err?.code;
  if (typeof code === 'string' && (UNAVAILABLE_ERRNO.has(code) || code.startsWith('08'))) return true;
  return typeof err?.message === 'string' && /Connection terminated|timeout exceeded when trying to connect/.test(err.message);
}

function httpExceptionCode(e: HttpException): ErrorCode {
  const status = e.getStatus();
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 503) return 'UNAVAILABLE';
  return status >= 400 && status < 500 ? 'BAD_USER_INPUT' : 'INTERNAL';
}

const shape = (f: GraphQLFormattedError, code: ErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLFormattedError => ({
  message,
  ...(f.locations ? { locations: f.locations } : {}),
  ...(f.path ? { path: f.path } : {}),
  extensions: { code, ...extra },
});

/**
 * The one GraphQL error mapping: AppError → its code (and reason); engine errors → their AppError;
 * validation → BAD_USER_INPUT; Apollo request errors → BAD_USER_INPUT with reason; a database that
 * does not answer → UNAVAILABLE; anything else → INTERNAL with a generic message and a reference,
 * its stack logged here and never sent.
 */
export function createErrorFormatter(logger: LoggerService) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const app = original instanceof AppError ? original : ledgerErrorToAppError(original);
    if (app) return shape(formatted, app.code, app.message, app.reason ? { reason: app.reason } : {});
    if (original instanceof HttpException && httpExceptionCode(original) !== 'INTERNAL') {
      return shape(formatted, httpExceptionCode(original), formatted.message, { reason: 'HTTP_EXCEPTION' });
    }
    if (isDatabaseUnavailable(original)) {
      logger.warn?.(`database unavailable: ${(original as Error).message}`, 'GraphQL');
      return shape(formatted, 'UNAVAILABLE', 'the database does not answer right now; retry shortly', { reason: 'DATABASE_UNAVAILABLE' });
    }
    const code = formatted.extensions?.code;
    // graphql-js's own request-phase refusals (variables that do not coerce, "Too many errors
    // processing variables", validation over graphql-ws) come uncoded or as INTERNAL_SERVER_ERROR:
    // no resolver path, and no underlying error other than graphql-js's own, so the request was at fault.
    if (
      (code === undefined || code === 'INTERNAL_SERVER_ERROR') &&
      !formatted.path &&
      original instanceof GraphQLError &&
      (!original.originalError || original.originalError instanceof GraphQLError)
    ) {
      return shape(formatted, 'BAD_USER_INPUT', formatted.message, { reason: /^Variable "\$/.test(formatted.message) ? 'INVALID_VARIABLES' : 'INVALID_REQUEST' });
    }
    if (typeof code === 'string') {
      if (APOLLO_REQUEST_CODES.has(code)) return shape(formatted, 'BAD_USER_INPUT', formatted.message, { reason: code });
      // Apollo's BAD_USER_INPUT: variables that do not coerce to their declared types (whatever the scalar threw).
      if (code === 'BAD_USER_INPUT') return shape(formatted, 'BAD_USER_INPUT', formatted.message, { reason: (formatted.extensions?.reason as string) ?? 'INVALID_VARIABLES' });
      // Our own request-level errors (limits, rate limits) are already in shape.
      const ours = original === error || original instanceof GraphQLError;
      if (ours && code !== 'INTERNAL' && (ERROR_CODES as readonly string[]).includes(code)) {
        return shape(formatted, code as ErrorCode, formatted.message, formatted.extensions?.reason ? { reason: formatted.extensions.reason } : {});
      }
    }
    const reference = randomUUID();
    const detail = original instanceof Error ? (original.stack ?? original.message) : String(original);
    logger.error(`internal error ${reference} at ${formatted.path?.join('.') ?? '(request)'}: ${detail}`, undefined, 'GraphQL');
    return shape(formatted, 'INTERNAL', `internal error (reference ${reference})`, { reference });
  };
}
