import { GraphQLError } from 'graphql';

/** The codes every GraphQL error carries in `extensions.code`. */
export const ERROR_CODES = ['BAD_USER_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'RATE_LIMITED', 'UNAVAILABLE', 'INTERNAL'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

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

  /** graphql-js copies an original error's `extensions`, so the code survives every transport (graphql-ws too). */
  get extensions(): { code: ErrorCode; reason?: string } {
    return { code: this.code, ...(this.reason ? { reason: this.reason } : {}) };
  }
}

export const badInput = (message: string, reason?: string) => new AppError('BAD_USER_INPUT', message, reason);
export const notFound = (message: string) => new AppError('NOT_FOUND', message);
export const forbidden = (message = 'you may not do this', reason?: string) => new AppError('FORBIDDEN', message, reason);
export const unauthenticated = (message = 'log in first', reason?: string) => new AppError('UNAUTHENTICATED', message, reason);
export const conflict = (message: string, reason?: string) => new AppError('CONFLICT', message, reason);
export const unavailable = (message: string, reason?: string) => new AppError('UNAVAILABLE', message, reason);

export function toGraphQLError(e: AppError): GraphQLError {
  return new GraphQLError(e.message, { extensions: { code: e.code, ...(e.reason ? { reason: e.reason } : {}) } });
}
