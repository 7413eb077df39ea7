import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { RequestContext } from '../context/principal.js';
import { AppError, unauthenticated, unavailable } from '../graphql/errors.js';
import { ApiKeysService } from '../identity/api-keys.service.js';
import { SessionsService } from '../identity/sessions.service.js';

export interface Credentials {
  /** `Authorization` header (or graphql-ws connectionParams.authorization): `Bearer <jwt>`. */
  authorization?: string;
  /** `x-api-key` header (or connectionParams.apiKey). */
  apiKey?: string;
  ip: string;
  requestId?: string;
}

/**
 * Turns presented credentials into the request's context, once per request. Refused credentials
 * do not fail here: the guard decides, so that public operations work whatever a client sends.
 */
@Injectable()
export class Authenticator {
  private readonly logger = new Logger('Authenticator');

  constructor(
    private readonly sessions: SessionsService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async contextFor(credentials: Credentials): Promise<RequestContext> {
    const ctx: RequestContext = { ip: credentials.ip, requestId: credentials.requestId ?? randomUUID() };
    try {
      if (credentials.authorization !== undefined && credentials.authorization !== '') {
        const m = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(credentials.authorization.trim());
        if (!m) throw unauthenticated('the Authorization header must be `Bearer <access token>`', 'INVALID_TOKEN');
        ctx.principal = await this.sessions.principalFromAccessToken(m[1]);
      } else if (credentials.apiKey !== undefined && credentials.apiKey !== '') {
        ctx.principal = await this.apiKeys.authenticate(credentials.apiKey.trim());
      }
    } catch (e) {
      if (e instanceof AppError) {
        ctx.authError = e;
      } else {
        // The database behind the credentials is down: the caller is neither in nor out.
        this.logger.error(`credentials could not be checked: ${(e as Error).stack ?? e}`);
        ctx.authError = unavailable('credentials cannot be checked right now; retry shortly', 'AUTH_UNAVAILABLE');
      }
    }
    return ctx;
  }
}
