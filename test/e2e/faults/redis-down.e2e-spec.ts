import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { Redis } from 'ioredis';
import {
  digest,
  graphqlClient,
  login,
  nodeHomeDir,
  spawnNode,
  spawnRedis,
  transactionsInLog,
  waitFor,
  webhookReceiver,
  withOutput,
  type Gql,
  type NodeHomeDir,
  type NodeProcess,
  type RedisProcess,
} from './support.js';

/**
 * Redis goes away under a running node (its own redis-server, without persistence, killed with
 * SIGKILL): GraphQL queries and submits keep working, rate limits fall back to the process, and
 * the checkpoint webhooks of blocks committed meanwhile wait in the PostgreSQL outbox. When Redis
 * returns (empty), the node uses it again without a restart, and every one of those webhooks is
 * delivered.
 */
const RECORD = 'mutation($i: RecordDocumentInput!) { recordDocument(input: $i) { hash status channel height } }';

describe('Redis down', () => {
  let dir: NodeHomeDir;
  let redis: RedisProcess | undefined;
  let node: NodeProcess | undefined;
  let hooks: Awaited<ReturnType<typeof webhookReceiver>>;

  beforeAll(async () => {
    dir = await nodeHomeDir('zizhu_faults_redis');
    hooks = await webhookReceiver();
  });
  afterAll(async () => {
    await node?.kill9();
    await redis?.kill9();
    await hooks?.close();
    await dir?.cleanup();
  });

  /** Rate-limit keys of this node's consortium in its Redis. */
  async function rateLimitKeys(port: number): Promise<string[]> {
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    try {
      await client.connect();
      return await client.keys(`zizhu:rl:${dir.env.CONSORTIUM_ID}*`);
    } finally {
      client.disconnect();
    }
  }

  interface Receipt {
    hash: string;
    status: string;
    channel: string;
    height: number;
  }

  /** A round of concurrent reads and writes: every one answered without an error. */
  async function round(gql: Gql, token: string, label: string, n = 10): Promise<Receipt[]> {
    const results = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const w = await gql<{ recordDocument: Receipt }>(RECORD, { i: { id: `${label}-${i}`, digest: digest() } }, token);
        const r = await gql<{ me: { organization: string }; channels: { name: string; height: number }[]; checkpoint: string }>(
          '{ me { organization } channels { name height } checkpoint(channel: "notary") }',
          {},
          token,
        );
        return { w, r };
      }),
    );
    for (const { w, r } of results) {
      expect(w.body.errors).toBeUndefined();
      expect(w.body.data!.recordDocument.status).toBe('COMMITTED');
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data!.me.organization).toBe('bank-a');
    }
    return results.map(({ w }) => w.body.data!.recordDocument);
  }

  const delivered = (channel: string, height: number) => hooks.deliveries.some((d) => d.channel === channel && d.height === height);
  const undelivered = (receipts: Receipt[]) => [...new Set(receipts.map((r) => `${r.channel}/${r.height}`))].filter((k) => !delivered(k.split('/')[0], Number(k.split('/')[1])));

  it('queries and submits keep working while Redis is down; the node uses Redis again when it returns, and delivers the webhooks queued meanwhile', async () => {
    redis = await spawnRedis();
    const port = redis.port;
    node = await spawnNode({ ...dir.env, REDIS_URL: redis.url, CHECKPOINT_WEBHOOK_URLS: hooks.url });
    const n = node;
    await withOutput(n, async () => {
      const gql = graphqlClient(n.url);
      const token = await login(gql, 'bank-a', 'admin', await dir.adminPassword('bank-a'));

      const before = await round(gql, token, 'before');
      // Rate limits are counted in this Redis, and each block's checkpoint reaches the webhook.
      expect((await rateLimitKeys(port)).length).toBeGreaterThan(0);
      await waitFor('the webhooks of the blocks before the outage', async () => (undelivered(before).length === 0 ? true : undefined), 60_000, 200);

      await redis!.kill9();
      redis = undefined;
      // Several rounds while Redis is gone, the first at once (before the node may have noticed).
      const during: Receipt[] = [];
      for (let i = 0; i < 3; i++) during.push(...(await round(gql, token, `down-${i}`)));
      // An anonymous operation (rate-limited per address) works too.
      await login(gql, 'regulator', 'admin', await dir.adminPassword('regulator'));
      expect(n.alive()).toBe(true);
      expect((await fetch(`${n.url}/ready`)).status).toBe(200);
      // Blocks committed while Redis was away: their webhooks wait in the outbox.
      expect(undelivered(during).length).toBeGreaterThan(0);

      // Redis comes back on the same port, empty: the limiter counts there again, and the outbox
      // relay hands over what waited.
      redis = await spawnRedis(port);
      await waitFor(
        'rate-limit keys in the restarted Redis',
        async () => {
          await round(gql, token, `wait-${Date.now()}`, 1);
          return (await rateLimitKeys(port)).length > 0 ? true : undefined;
        },
        60_000,
        500,
      );
      const after = await round(gql, token, 'after');
      await waitFor(
        'every webhook of the blocks committed while Redis was down, and after',
        async () => (undelivered([...during, ...after]).length === 0 ? true : undefined),
        60_000,
        250,
      ).catch((e: Error) => {
        throw new Error(`${e.message}; still undelivered: ${undelivered([...during, ...after]).join(', ')}`);
      });
      // Each delivery names its block; a repeat carries the same delivery id.
      for (const d of hooks.deliveries) expect(d.checkpoint).toContain(`zizhu/${dir.env.CONSORTIUM_ID}/${d.channel}`);

      const all = [...before, ...during, ...after].map((r) => r.hash);
      expect((await transactionsInLog(gql, token, all)).size).toBe(all.length);
      expect(n.alive()).toBe(true);
      expect(n.output()).not.toMatch(/"level":"fatal"|Unhandled 'error' event/);
    });
  });
});
