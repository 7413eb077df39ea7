import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ZIZHU_CONFIG } from '../config/config.js';
import type { ZizhuConfig } from '../config/config.schema.js';
import type { RequestContext } from '../context/principal.js';
import { AppError } from './errors.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * Per-caller rate limits, shared by every API process through Redis: RATE_LIMIT_PER_MINUTE
 * operations (GraphQL operations, requests to `@RateLimited()` HTTP routes) per user or API key,
 * PUBLIC_RATE_LIMIT_PER_MINUTE per address for anonymous callers. When Redis does not answer, an
 * in-process limiter takes over, so limits keep working and requests never wait on Redis.
 */
@Injectable()
export class RateLimiterService implements OnModuleDestroy {
  private readonly logger = new Logger('RateLimiter');
  private readonly redis: Redis;
  private readonly limiter: RateLimiterRedis;
  private readonly anonymous: RateLimiterRedis;
  private readonly keyPrefix: string;
  private readonly named = new Map<string, RateLimiterRedis>();
  private redisDown = false;

  constructor(@Inject(ZIZHU_CONFIG) config: ZizhuConfig) {
    this.redis = new Redis(config.REDIS_URL ?? DEFAULT_REDIS_URL, {
      // Fail fast instead of queueing commands while Redis is away.
      enableOfflineQueue: false,
      // Commands issued in the same tick (one per request under load) share one write to the socket.
      enableAutoPipelining: true,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      retryStrategy: (times) => Math.min(times * 500, 5000),
    });
    this.redis.on('error', (e: Error) => {
      if (!this.redisDown) this.logger.warn(`Redis unavailable, rate limits fall back to this process: ${e.message}`);
      this.redisDown = true;
    });
    this.redis.on('ready', () => {
      if (this.redisDown) this.logger.log('Redis is back; rate limits are shared again');
      this.redisDown = false;
    });
    this.keyPrefix = `zizhu:rl:${config.CONSORTIUM_ID}`;
    this.limiter = this.perMinute(this.keyPrefix, config.RATE_LIMIT_PER_MINUTE);
    this.anonymous = this.perMinute(`${this.keyPrefix}:public`, config.PUBLIC_RATE_LIMIT_PER_MINUTE);
  }

  private perMinute(keyPrefix: string, points: number): RateLimiterRedis {
    return new RateLimiterRedis({ storeClient: this.redis, points, duration: 60, keyPrefix, insuranceLimiter: new RateLimiterMemory({ points, duration: 60, keyPrefix }) });
  }

  /** Counts one operation for the caller; RATE_LIMITED (with retryAfterOf) once the minute's budget is spent. */
  consume(ctx: RequestContext): Promise<void> {
    return this.consumeFrom(ctx.principal ? this.limiter : this.anonymous, ctx);
  }

  /**
   * Counts one operation for the caller in a budget of its own (a module's access layer, say
   * lending's terminal users), on top of the per-caller one: `points` per minute under `name`.
   */
  consumeNamed(name: string, points: number, ctx: RequestContext): Promise<void> {
    let limiter = this.named.get(name);
    if (!limiter) this.named.set(name, (limiter = this.perMinute(`${this.keyPrefix}:${name}`, points)));
    return this.consumeFrom(limiter, ctx);
  }

  private async consumeFrom(limiter: RateLimiterRedis, ctx: RequestContext): Promise<void> {
    const key = ctx.principal ? `${ctx.principal.kind}:${ctx.principal.id}` : `ip:${ctx.ip}`;
    try {
      await limiter.consume(key);
    } catch (e) {
      if (e instanceof RateLimiterRes) {
        const seconds = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
        throw Object.assign(new AppError('RATE_LIMITED', `too many requests; retry in ${seconds} s`, 'RATE_LIMITED'), { retryAfterSeconds: seconds });
      }
      // Neither Redis nor the insurance limiter answered: let the request through rather than fail it.
      this.logger.error(`rate limiter failed: ${(e as Error).message}`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.redis.disconnect();
  }
}

/** Seconds until a RATE_LIMITED error's caller may try again (its Retry-After header); undefined for other errors. */
export function retryAfterOf(e: unknown): number | undefined {
  const seconds = (e as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds;
  return e instanceof AppError && typeof seconds === 'number' ? seconds : undefined;
}
