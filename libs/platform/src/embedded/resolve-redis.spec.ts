import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ConfigError } from '../config/config.js';
import { freePort } from './local-process.js';
import { resolveRedis, type ResolvedRedis } from './resolve-redis.js';

const LOCAL = 'redis://127.0.0.1:6379';

async function withClient<T>(url: string, body: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => {});
  try {
    return await body(r);
  } finally {
    if (r.status === 'ready') await r.quit();
    else if (r.status !== 'end') r.disconnect();
  }
}

describe('resolveRedis', () => {
  let home: string;
  /** An address where nothing answers: stands for "no Redis on 6379". */
  let absent: { host: string; port: number };
  const handles: ResolvedRedis[] = [];

  beforeAll(async () => {
    home = join(mkdtempSync(join(tmpdir(), 'zizhu-redis-')), 'home');
    absent = { host: '127.0.0.1', port: await freePort() };
  });
  afterAll(async () => {
    for (const h of handles) await h.stop().catch(() => {});
    rmSync(join(home, '..'), { recursive: true, force: true });
  });

  it('uses REDIS_URL when it answers PING', async () => {
    const redis = await resolveRedis({ REDIS_URL: LOCAL, ZIZHU_HOME: home }, { probe: absent });
    expect(redis).toMatchObject({ url: LOCAL, source: 'REDIS_URL' });
  });

  it.each([
    ['malformed', 'not a url', /REDIS_URL is not a URL/],
    ['of another scheme', 'http://127.0.0.1:6379', /REDIS_URL must be a redis/],
    ['unreachable', 'redis://:secret-password@127.0.0.1:1', /REDIS_URL does not answer PING \(127\.0\.0\.1:1\)/],
  ])('refuses a REDIS_URL %s with a ConfigError naming it, even with Redis on 6379', async (_what, url, message) => {
    const error = await resolveRedis({ REDIS_URL: url, ZIZHU_HOME: home }, { timeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ variable: 'REDIS_URL' });
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('secret-password');
  });

  it('without REDIS_URL, uses the Redis answering on 127.0.0.1:6379', async () => {
    const redis = await resolveRedis({ ZIZHU_HOME: home });
    expect(redis).toMatchObject({ url: LOCAL, source: 'local' });
  });

  it('else starts redis-server from PATH, with an append-only file that keeps queued jobs across its restart', async () => {
    const first = await resolveRedis({ ZIZHU_HOME: home }, { probe: absent });
    handles.push(first);
    expect(first.source).toBe('embedded');
    expect(first.url).toMatch(/^redis:\/\/:[^@]+@127\.0\.0\.1:\d+$/);
    await withClient(first.url, async (r) => {
      expect(await r.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await r.config('GET', 'save')).toEqual(['save', '']);
      expect(await r.config('GET', 'dir')).toEqual(['dir', join(home, 'redis')]);
      await r.lpush('zizhu:test:wait', 'job-1');
    });
    // Without the password it refuses: other local users cannot read or inject jobs.
    const anonymous = first.url.replace(/\/\/:[^@]+@/, '//');
    await expect(withClient(anonymous, (r) => r.get('x'))).rejects.toThrow(/NOAUTH/);

    // A second resolve while it runs shares it (two servers must never share one append-only file).
    const shared = await resolveRedis({ ZIZHU_HOME: home }, { probe: absent });
    expect(shared.url).toBe(first.url);
    await shared.stop();
    await withClient(first.url, async (r) => expect(await r.ping()).toBe('PONG'));

    await first.stop();
    await expect(withClient(first.url, (r) => r.ping())).rejects.toThrow();

    const restarted = await resolveRedis({ ZIZHU_HOME: home }, { probe: absent });
    handles.push(restarted);
    expect(restarted.url).toBe(first.url);
    await withClient(restarted.url, async (r) => expect(await r.lrange('zizhu:test:wait', 0, -1)).toEqual(['job-1']));
    await restarted.stop();
  });

  it('else stops with a message that says how to install Redis or set REDIS_URL', async () => {
    const error = await resolveRedis({ ZIZHU_HOME: home }, { probe: absent, redisServer: 'zizhu-no-such-redis-server' }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/nothing answers on 127\.0\.0\.1:\d+/);
    expect((error as Error).message).toMatch(/apt-get install redis-server/);
    expect((error as Error).message).toMatch(/brew install redis/);
    expect((error as Error).message).toMatch(/REDIS_URL/);
  });
});
