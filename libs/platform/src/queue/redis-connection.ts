import type { Redis, RedisOptions } from 'ioredis';

/** Reconnect quickly after Redis returns (BullMQ's own default climbs to 20 s between tries). */
export const reconnectQuickly = (times: number) => Math.min(times * 200, 2_000);

/** ioredis options for BullMQ connections (workers need maxRetriesPerRequest: null). */
export function redisOptions(extra: RedisOptions = {}): RedisOptions {
  return { maxRetriesPerRequest: null, retryStrategy: reconnectQuickly, ...extra };
}

/**
 * QUIT when connected; ioredis's disconnect() on a stream that already closed arms a 2 s "destroy
 * it" timer that nothing clears, which holds the process open after everything else stopped.
 */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
  else client.disconnect();
}
