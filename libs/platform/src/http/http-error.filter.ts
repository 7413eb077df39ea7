import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AppError, type ErrorCode } from '../graphql/errors.js';
import { retryAfterOf } from '../graphql/rate-limiter.service.js';

const STATUS: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** Fastify's own refusals (before any handler runs), by its error codes. */
const FASTIFY_ERRORS: Record<string, { status: number; reason: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, reason: 'BODY_TOO_LARGE', message: 'the request body is larger than the node accepts (BODY_LIMIT_BYTES)' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, reason: 'UNSUPPORTED_MEDIA_TYPE', message: 'send GraphQL requests as application/json (files to upload as multipart/form-data)' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, reason: 'BAD_CONTENT_LENGTH', message: 'the Content-Length does not match the body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, reason: 'MALFORMED_JSON', message: 'the JSON body is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, reason: 'MALFORMED_JSON', message: 'the body is not valid JSON' },
};

const BODY_TOO_LARGE_STATUS = 413;

/** Reasons whose HTTP status is more precise than their code's (uploads). */
const REASON_STATUS: Record<string, number> = { UPLOAD_TOO_LARGE: 413, NOT_MULTIPART: 415 };

/**
 * Errors outside GraphQL execution (body parsing, unknown routes, controllers) as GraphQL-style
 * JSON bodies with the same codes: `{ errors: [{ message, extensions: { code, reason } }] }`.
 * GraphQL resolver errors pass through to Apollo's formatter.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType<string>() === 'graphql') return exception;
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, code, reason, message } = this.describe(exception);
    if (status >= 500 && code === 'INTERNAL') this.logger.error(`unhandled HTTP error: ${(exception as Error)?.stack ?? exception}`);
    const retryAfter = retryAfterOf(exception);
    if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
    void reply
      .status(status)
      .header('content-type', 'application/json; charset=utf-8')
      .send({ errors: [{ message, extensions: { code, ...(reason ? { reason } : {}) } }] });
    return undefined;
  }

  private describe(e: unknown): { status: number; code: ErrorCode; reason?: string; message: string } {
    if (e instanceof AppError) return { status: (e.reason && REASON_STATUS[e.reason]) || STATUS[e.code], code: e.code, reason: e.reason, message: e.message };
    // Nest wraps Fastify's refusals in an HttpException whose cause is the Fastify error.
    const fastifyCode = (e as { code?: unknown })?.code ?? ((e as { cause?: { code?: unknown } })?.cause?.code);
    if (typeof fastifyCode === 'string' && FASTIFY_ERRORS[fastifyCode]) {
      const f = FASTIFY_ERRORS[fastifyCode];
      return { status: f.status, code: 'BAD_USER_INPUT', reason: f.reason, message: f.message };
    }
    if (e instanceof HttpException) {
      const status = e.getStatus();
      if (status === BODY_TOO_LARGE_STATUS) return { status, code: 'BAD_USER_INPUT', reason: 'BODY_TOO_LARGE', message: FASTIFY_ERRORS.FST_ERR_CTP_BODY_TOO_LARGE.message };
      const code = (Object.entries(STATUS).find(([, s]) => s === status)?.[0] as ErrorCode | undefined) ?? (status < 500 ? 'BAD_USER_INPUT' : 'INTERNAL');
      return { status, code, reason: `HTTP_${status}`, message: status < 500 ? e.message : 'internal error' };
    }
    const status = (e as { statusCode?: unknown })?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return { status, code: 'BAD_USER_INPUT', reason: `HTTP_${status}`, message: 'the request was refused' };
    }
    return { status: 500, code: 'INTERNAL', message: 'internal error' };
  }
}
