import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import type { CommittedBlock } from '@zizhu/chain';
import { sha256Hex } from '@zizhu/crypto';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.js';
import { sleep, waitFor } from '../embedded/local-process.js';
import { ensureOutboxSchema } from '../queue/outbox.js';
import { QueueName, type QueueSettingsOverrides } from '../queue/queue.types.js';
import { deletePrefix, testPrefix } from '../queue/testing/local-redis.js';
import { withIdleHandlers } from '../queue/testing/idle-handlers.js';
import { startJobRuntime, type JobRuntime } from '../queue/worker-process.js';
import { CheckpointWebhookJob, checkpointDeliveryId, checkpointWebhookProjection } from './checkpoint-webhook.job.js';

const REDIS = 'redis://127.0.0.1:6379';

interface Delivery {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

/** A webhook receiver that answers `failFirst` 503s per delivery id, then 204 (or always `alwaysStatus`). */
async function receiver(options: { failFirst?: number; alwaysStatus?: number } = {}) {
  const deliveries: Delivery[] = [];
  const attempts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const id = String(req.headers['x-zizhu-delivery']);
      const n = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, n);
      const status = options.alwaysStatus ?? (n <= (options.failFirst ?? 0) ? 503 : 204);
      deliveries.push({ path: req.url ?? '', headers: req.headers, body, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, deliveries, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const block = (channel: string, height: number): CommittedBlock =>
  ({ channel, header: { channel, height, treeSize: height * 3 }, hash: 'ab'.repeat(32), checkpoint: `zizhu/test/${channel}\n${height * 3}\nroot\n\n— node sig\n`, receipts: [], transactions: [], writes: [] }) as unknown as CommittedBlock;

const quiet = { info: () => {}, warn: () => {}, error: () => {} };

describe('CHECKPOINT_WEBHOOK job', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let runtime: JobRuntime;
  const prefix = testPrefix();
  const settings: QueueSettingsOverrides = { [QueueName.CHECKPOINT_WEBHOOK]: { backoffMs: 30, attempts: 4 }, [QueueName.CLEANUP]: { schedule: undefined } };

  /** Runs a projection in its own transaction, as the chain runs it in a block's commit. */
  async function commit(project: ReturnType<typeof checkpointWebhookProjection>, b: CommittedBlock) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await project(b, client);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 6 });
    // DROP DATABASE … WITH (FORCE) may end a connection the pool is still closing.
    pool.on('error', () => {});
    await ensureOutboxSchema(pool);
    runtime = startJobRuntime({ pool, connection: { url: REDIS, prefix }, handlers: withIdleHandlers([new CheckpointWebhookJob({ timeoutMs: 2_000 })]), settings, relayIntervalMs: 50, logger: quiet });
  });
  afterAll(async () => {
    await runtime?.stop();
    await deletePrefix(REDIS, prefix);
    await pool?.end();
    await db?.drop();
  });

  it('retries a failing receiver with backoff and delivers exactly once, with the right body and headers', async () => {
    const hook = await receiver({ failFirst: 2 });
    try {
      const url = `${hook.base}/hooks/checkpoints?token=s3cret`;
      const project = checkpointWebhookProjection([url]);
      await commit(project, block('notary', 7));
      await commit(project, block('notary', 7)); // the same block again: no second delivery

      expect(await waitFor(() => (hook.deliveries.some((d) => d.status === 204) ? true : undefined), 10_000)).toBe(true);
      await sleep(400);
      const id = `checkpoint:notary:7:${sha256Hex(url).slice(0, 16)}`;
      expect(checkpointDeliveryId('notary', 7, url)).toBe(id);
      expect(hook.deliveries.map((d) => d.status)).toEqual([503, 503, 204]);
      for (const d of hook.deliveries) {
        expect(d.path).toBe('/hooks/checkpoints?token=s3cret');
        expect(d.headers['content-type']).toBe('application/json');
        expect(d.headers['x-zizhu-delivery']).toBe(id);
        expect(JSON.parse(d.body)).toEqual({ channel: 'notary', height: 7, treeSize: 21, checkpoint: block('notary', 7).checkpoint });
      }
    } finally {
      await hook.close();
    }
  });

  it('delivers each block to each URL once, under its own delivery id', async () => {
    const a = await receiver();
    const b = await receiver();
    try {
      const project = checkpointWebhookProjection([`${a.base}/a`, `${b.base}/b`]);
      for (const height of [1, 2, 3]) await commit(project, block('notary-b', height));
      await commit(project, block('notary-b', 2));
      expect(await waitFor(() => (a.deliveries.length === 3 && b.deliveries.length === 3 ? true : undefined), 10_000)).toBe(true);
      await sleep(300);
      for (const hook of [a, b]) {
        expect(hook.deliveries.map((d) => JSON.parse(d.body).height).sort()).toEqual([1, 2, 3]);
        expect(new Set(hook.deliveries.map((d) => d.headers['x-zizhu-delivery'])).size).toBe(3);
      }
      expect(a.deliveries[0].headers['x-zizhu-delivery']).not.toBe(b.deliveries[0].headers['x-zizhu-delivery']);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('gives up after the last attempt and keeps the job as failed', async () => {
    const hook = await receiver({ alwaysStatus: 500 });
    try {
      await commit(checkpointWebhookProjection([`${hook.base}/down`]), block('notary', 99));
      const failed = await waitFor(async () => {
        const depth = (await runtime.queues.depths(pool)).find((d) => d.queue === QueueName.CHECKPOINT_WEBHOOK);
        return depth?.failed === 1 ? depth : undefined;
      }, 10_000);
      expect(failed).toMatchObject({ failed: 1, waiting: 0, delayed: 0, outbox: 0 });
      expect(hook.deliveries).toHaveLength(4);
    } finally {
      await hook.close();
    }
  });

  it('enqueues nothing without URLs or for channels it was not asked about', async () => {
    const before = Number((await pool.query('SELECT count(*) AS n FROM job_outbox')).rows[0].n);
    await commit(checkpointWebhookProjection([]), block('notary', 50));
    await commit(checkpointWebhookProjection(['http://127.0.0.1:9/x'], { channels: ['system'] }), block('notary', 51));
    expect(Number((await pool.query('SELECT count(*) AS n FROM job_outbox')).rows[0].n)).toBe(before);
  });
});
