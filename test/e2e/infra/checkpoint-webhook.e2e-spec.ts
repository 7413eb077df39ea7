import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { signTransaction, verifyCheckpoint, type Chain } from '@zizhu/chain';
import { CheckpointWebhookJob, checkpointWebhookProjection } from '../../../libs/platform/src/jobs/index.js';
import { QueueName, ensureOutboxSchema, startJobRuntime, type JobRuntime } from '../../../libs/platform/src/queue/index.js';
import { deletePrefix, testPrefix } from '../../../libs/platform/src/queue/testing/local-redis.js';
import { withIdleHandlers } from '../../../libs/platform/src/queue/testing/idle-handlers.js';
import { openChain, testConsortium } from '../../support/chain-fixture.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

const REDIS = 'redis://127.0.0.1:6379';

interface Delivery {
  id: string;
  body: { channel: string; height: number; treeSize: number; checkpoint: string };
}

describe('checkpoint webhooks from the real chain engine', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let chain: Chain;
  let runtime: JobRuntime;
  let server: Server;
  let url: string;
  const deliveries: Delivery[] = [];
  const prefix = testPrefix();

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    // DROP DATABASE … WITH (FORCE) may end a connection the pool is still closing.
    pool.on('error', () => {});
    await ensureOutboxSchema(pool);
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        deliveries.push({ id: String(req.headers['x-zizhu-delivery']), body: JSON.parse(body) });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/checkpoints`;

    const { genesis, keystore } = await testConsortium();
    chain = await openChain(db.url, genesis, keystore, { config: { blockMaxTxs: 5, blockMaxWaitMs: 5 } });
    chain.addProjection(checkpointWebhookProjection([url]));
    runtime = startJobRuntime({
      pool,
      connection: { url: REDIS, prefix },
      handlers: withIdleHandlers([new CheckpointWebhookJob()]),
      settings: { [QueueName.CLEANUP]: { schedule: undefined } },
      relayIntervalMs: 50,
      logger: { info: () => {}, warn: () => {}, error: () => {} },
    });
    const bank = keystore.signer('bank-a/admin');
    const record = (id: string) => signTransaction({ channel: 'notary', contract: 'notary', method: 'record', args: { id, digest: randomBytes(32).toString('hex') }, ts: Date.now() }, bank);
    // Two blocks one transaction each, then a burst the committer cuts into blocks of at most 5.
    await chain.submit(record('first'));
    await chain.submit(record('second'));
    await Promise.all(Array.from({ length: 12 }, (_, i) => chain.submit(record(`burst-${i}`))));
  });
  afterAll(async () => {
    await runtime?.stop();
    await chain?.close();
    await new Promise((resolve) => server?.close(resolve));
    await deletePrefix(REDIS, prefix);
    await pool?.end();
    await db?.drop();
  });

  it('delivers one verifiable checkpoint per committed block, enqueued in the block commit', async () => {
    const head = chain.head('notary').header.height;
    expect(head).toBeGreaterThanOrEqual(5); // genesis + 2 + at least 3 for the burst of 12
    const deadline = Date.now() + 15_000;
    while (deliveries.length < head && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300)); // and nothing more arrives

    // Blocks 1..head (genesis has no projection), each once.
    expect(deliveries.map((d) => d.body.height).sort((a, b) => a - b)).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    expect(new Set(deliveries.map((d) => d.id)).size).toBe(head);
    for (const d of deliveries) {
      const { checkpoint } = verifyCheckpoint(d.body.checkpoint, [chain.verifierKey]);
      expect(d.body.channel).toBe('notary');
      expect(checkpoint.treeSize).toBe(d.body.treeSize);
      expect(checkpoint.height).toBe(d.body.height);
      const stored = await chain.block('notary', d.body.height);
      expect(stored?.checkpoint).toBe(d.body.checkpoint);
      expect(stored?.header.treeSize).toBe(d.body.treeSize);
      expect(d.id).toMatch(new RegExp(`^checkpoint:notary:${d.body.height}:[0-9a-f]{16}$`));
    }
    expect(deliveries.find((d) => d.body.height === head)?.body.treeSize).toBe(14);

    // The outbox rows were written by the blocks' own transactions: one per block, all dispatched.
    const { rows } = await pool.query<{ n: string; pending: string }>('SELECT count(*) AS n, count(*) FILTER (WHERE dispatched_at IS NULL) AS pending FROM job_outbox');
    expect(rows[0]).toEqual({ n: String(head), pending: '0' });
  });
});
