import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.js';
import { sleep, waitFor } from '../embedded/local-process.js';
import type { JobContext, JobHandler } from './job-handler.js';
import { JobQueues } from './job-queues.js';
import { jobId } from './job-id.js';
import { OutboxRelay } from './outbox-relay.js';
import { enqueueInTransaction, ensureOutboxSchema } from './outbox.js';
import { QueueName, type CheckpointWebhookPayload, type QueueSettingsOverrides } from './queue.types.js';
import { deletePrefix, LocalRedis, testPrefix } from './testing/local-redis.js';
import { withIdleHandlers } from './testing/idle-handlers.js';
import { startJobRuntime } from './worker-process.js';

/** Records every run, by job id. */
class RecordingHandler implements JobHandler<QueueName.CHECKPOINT_WEBHOOK> {
  readonly queue = QueueName.CHECKPOINT_WEBHOOK;
  readonly runs = new Map<string, number>();
  async handle(_payload: CheckpointWebhookPayload, context: JobContext) {
    this.runs.set(context.jobId, (this.runs.get(context.jobId) ?? 0) + 1);
  }
}
const payload = (height: number): CheckpointWebhookPayload => ({ url: 'http://127.0.0.1:9/none', channel: 'notary', height, treeSize: height, checkpoint: `note ${height}` });
const FAST: QueueSettingsOverrides = { [QueueName.CHECKPOINT_WEBHOOK]: { backoffMs: 20 }, [QueueName.CLEANUP]: { schedule: undefined } };

describe('transactional outbox and relay', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let redis: LocalRedis;
  const prefix = testPrefix();

  const undispatched = async () => Number((await pool.query('SELECT count(*) AS n FROM job_outbox WHERE dispatched_at IS NULL')).rows[0].n);

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 8 });
    // DROP DATABASE … WITH (FORCE) may end a connection the pool is still closing.
    pool.on('error', () => {});
    // Idempotent, also when several processes boot at once.
    await Promise.all([ensureOutboxSchema(pool), ensureOutboxSchema(pool), ensureOutboxSchema(pool)]);
    redis = await LocalRedis.start();
  });
  afterAll(async () => {
    await redis?.kill();
    await pool?.end();
    await db?.drop();
  });

  it('enqueues only what commits, and each job id once', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      expect(await enqueueInTransaction(client, QueueName.CHECKPOINT_WEBHOOK, jobId('rolled-back', 1), payload(1))).toBe(true);
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      expect(await enqueueInTransaction(client, QueueName.CHECKPOINT_WEBHOOK, jobId('committed', 1), payload(1))).toBe(true);
      expect(await enqueueInTransaction(client, QueueName.CHECKPOINT_WEBHOOK, jobId('committed', 1), payload(1))).toBe(false);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const { rows } = await pool.query('SELECT queue, job_id, payload FROM job_outbox ORDER BY id');
    expect(rows).toEqual([{ queue: 'checkpoint-webhook', job_id: 'committed:1', payload: payload(1) }]);
    await pool.query('DELETE FROM job_outbox');
  });

  it('several relays dispatch each row exactly once (FOR UPDATE SKIP LOCKED)', async () => {
    const queues = new JobQueues({ url: redis.url, prefix: `${prefix}-relays` });
    try {
      await waitFor(() => (queues.ready ? true : undefined), 5_000);
      for (let i = 0; i < 120; i++) await enqueueInTransaction(pool, QueueName.CHECKPOINT_WEBHOOK, jobId('relays', i), payload(i));
      const relays = [1, 2, 3].map(() => new OutboxRelay({ pool, queues, batchSize: 7 }));
      let dispatched = 0;
      for (let round = 0; round < 40 && (await undispatched()) > 0; round++) {
        dispatched += (await Promise.all(relays.map((r) => r.dispatchOnce()))).reduce((a, b) => a + b, 0);
      }
      expect(dispatched).toBe(120);
      expect(await undispatched()).toBe(0);
      const counts = await queues.queue(QueueName.CHECKPOINT_WEBHOOK).getJobCounts('waiting');
      expect(counts.waiting).toBe(120);
      const depths = await queues.depths(pool);
      expect(depths.find((d) => d.queue === QueueName.CHECKPOINT_WEBHOOK)).toEqual({ queue: QueueName.CHECKPOINT_WEBHOOK, waiting: 120, active: 0, delayed: 0, failed: 0, outbox: 0 });
    } finally {
      await queues.close();
      await deletePrefix(redis.url, `${prefix}-relays`);
      await pool.query('DELETE FROM job_outbox');
    }
  });

  it('hands a job with a not-before time to BullMQ as a delayed job, which runs once that time has passed', async () => {
    const handler = new RecordingHandler();
    const runtime = startJobRuntime({ pool, connection: { url: redis.url, prefix: `${prefix}-delay` }, handlers: withIdleHandlers([handler]), settings: FAST, relayIntervalMs: 50, logger: quiet });
    try {
      const runAt = Date.now() + 1_500;
      expect(await enqueueInTransaction(pool, QueueName.CHECKPOINT_WEBHOOK, jobId('later', 1), payload(1), { runAt })).toBe(true);
      expect(await enqueueInTransaction(pool, QueueName.CHECKPOINT_WEBHOOK, jobId('now', 1), payload(2))).toBe(true);
      const { rows } = await pool.query<{ job_id: string; run_at: Date | null }>("SELECT job_id, run_at FROM job_outbox WHERE job_id IN ('later:1', 'now:1') ORDER BY job_id");
      expect(rows.map((r) => [r.job_id, r.run_at?.getTime() ?? null])).toEqual([['later:1', runAt], ['now:1', null]]);
      expect(await waitFor(() => (handler.runs.has('now:1') ? true : undefined), 5_000)).toBe(true);
      // Dispatched at once, delayed in Redis (not held back in PostgreSQL).
      expect(await waitFor(async () => ((await undispatched()) === 0 ? true : undefined), 5_000)).toBe(true);
      expect((await runtime.queues.depths(pool)).find((d) => d.queue === QueueName.CHECKPOINT_WEBHOOK)).toMatchObject({ delayed: 1, outbox: 0 });
      expect(handler.runs.has('later:1')).toBe(false);
      expect(await waitFor(() => (handler.runs.has('later:1') ? Date.now() : undefined), 5_000)).toBeGreaterThanOrEqual(runAt);
    } finally {
      await runtime.stop();
      await deletePrefix(redis.url, `${prefix}-delay`).catch(() => {});
      await pool.query('DELETE FROM job_outbox');
    }
  });

  it('keeps jobs in the outbox while Redis is down and runs every one when it returns, none twice', async () => {
    const handler = new RecordingHandler();
    const runtime = startJobRuntime({ pool, connection: { url: redis.url, prefix }, handlers: withIdleHandlers([handler]), settings: FAST, relayIntervalMs: 50, logger: quiet });
    try {
      const before = Array.from({ length: 10 }, (_, i) => jobId('before', i));
      for (const [i, id] of before.entries()) await enqueueInTransaction(pool, QueueName.CHECKPOINT_WEBHOOK, id, payload(i));
      expect(await waitFor(() => (before.every((id) => handler.runs.has(id)) ? true : undefined), 10_000)).toBe(true);

      await redis.kill();
      const during = Array.from({ length: 10 }, (_, i) => jobId('during', i));
      const started = Date.now();
      for (const [i, id] of during.entries()) await enqueueInTransaction(pool, QueueName.CHECKPOINT_WEBHOOK, id, payload(i));
      expect(Date.now() - started).toBeLessThan(2_000); // producers never wait for Redis
      await sleep(700);
      expect(await undispatched()).toBe(10);
      const down = await runtime.queues.depths(pool);
      expect(down.find((d) => d.queue === QueueName.CHECKPOINT_WEBHOOK)).toMatchObject({ waiting: null, outbox: 10 });
      expect(during.some((id) => handler.runs.has(id))).toBe(false);

      await redis.start(); // same port, empty
      expect(await waitFor(() => (during.every((id) => handler.runs.has(id)) ? true : undefined), 20_000)).toBe(true);
      // A fast worker may finish a job before the relay has committed the row it came from.
      expect(await waitFor(async () => ((await undispatched()) === 0 ? true : undefined), 5_000)).toBe(true);

      // Enqueueing the same work again is a no-op.
      for (const [i, id] of [...before, ...during].entries()) expect(await enqueueInTransaction(pool, QueueName.CHECKPOINT_WEBHOOK, id, payload(i))).toBe(false);
      await sleep(500);
      expect([...handler.runs.keys()].sort()).toEqual([...before, ...during].sort());
      expect([...handler.runs.values()].every((n) => n === 1)).toBe(true);
    } finally {
      await runtime.stop();
      await deletePrefix(redis.url, prefix).catch(() => {});
    }
  });
});

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
