import { Injectable, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { requestContextOf } from '../auth/ctx.decorator.js';
import { RateLimiterService } from '../graphql/rate-limiter.service.js';

/**
 * Counts each request to an HTTP route against its caller's budget, the one GraphQL operations
 * count against (RateLimiterService, shared through Redis): a caller presenting credentials is
 * counted as itself (the global AuthGuard authenticated it, on public routes too), an anonymous one
 * by address (PUBLIC_RATE_LIMIT_PER_MINUTE). Over it: 429, code RATE_LIMITED and a Retry-After
 * header (HttpErrorFilter), before the handler reads the body.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(private readonly limiter: RateLimiterService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // GraphQL operations are counted once each, by the rate-limit plugin.
    if (context.getType<string>() !== 'http') return true;
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    await this.limiter.consume(requestContextOf(context) ?? { ip: req.ip, requestId: String(req.id) });
    return true;
  }
}

/** Rate-limits a controller's routes, or one route (`@RateLimited()`): see RateLimitGuard. */
export const RateLimited = () => UseGuards(RateLimitGuard);
