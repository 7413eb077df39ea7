import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.js';
import { waitFor } from '../embedded/local-process.js';
import type { JobContext, JobHandler } from './job-handler.js';
import { jobId } from './job-id.js';
import { enqueueInTransaction, ensureOutboxSchema } from './outbox.js';
import { QueueModule, QueueService, type QueueModuleOptions } from './queue.module.js';
import { QUEUE_NAMES, QueueName, type CheckpointWebhookPayload } from './queue.types.js';
import { deletePrefix, testPrefix } from './testing/local-redis.js';
import { withIdleHandlers } from './testing/idle-handlers.js';

const REDIS = 'redis://127.0.0.1:6379';
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

class Recorder implements JobHandler<QueueName.CHECKPOINT_WEBHOOK> {
  readonly queue = QueueName.CHECKPOINT_WEBHOOK;
  readonly ran: string[] = [];
  async handle(_p: CheckpointWebhookPayload, context: JobContext) {
    this.ran.push(context.jobId);
  }
}
describe('QueueModule (NestJS)', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  const prefix = testPrefix();
  const options = (o: Partial<QueueModuleOptions>): QueueModuleOptions => ({
    connection: { url: REDIS, prefix },
    pool,
    handlers: [],
    runWorkers: true,
    settings: { [QueueName.CLEANUP]: { schedule: undefined } },
    logger: quiet,
    ...o,
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    // DROP DATABASE … WITH (FORCE) may end a connection the pool is still closing.
    pool.on('error', () => {});
    await ensureOutboxSchema(pool);
  });
  afterAll(async () => {
    await deletePrefix(REDIS, prefix);
    await pool?.end();
    await db?.drop();
  });

  it('refuses to boot when a queue has no handler, naming it', async () => {
    const boot = NestFactory.createApplicationContext(QueueModule.forRootAsync({ useFactory: () => options({ handlers: [new Recorder()] }) }), { logger: false, abortOnError: false });
    await expect(boot).rejects.toThrow('no handler for queue cleanup (QueueName.CLEANUP)');
  });

  it('runs the relay and the workers in the application, reports depths, and stops with it', async () => {
    const recorder = new Recorder();
    const app = await NestFactory.createApplicationContext(QueueModule.forRootAsync({ useFactory: () => options({ handlers: withIdleHandlers([recorder]) }) }), { logger: false });
    try {
      await enqueueInTransaction(pool, QueueName.CHECKPOINT_WEBHOOK, jobId('nest', 1), { url: 'http://127.0.0.1:9/', channel: 'notary', height: 1, treeSize: 1, checkpoint: 'note' });
      expect(await waitFor(() => (recorder.ran.length === 1 ? true : undefined), 10_000)).toBe(true);
      expect(recorder.ran).toEqual(['nest:1']);
      const depths = await app.get(QueueService).depths();
      expect(depths.map((d) => d.queue).sort()).toEqual([...QUEUE_NAMES].sort());
      // The relay marks the outbox row dispatched after BullMQ has the job, so the worker may run
      // it first: under load the row is still counted for a moment.
      const drained = async () => ((await app.get(QueueService).depths()).every((d) => d.outbox === 0 && d.waiting === 0) ? true : undefined);
      expect(await waitFor(drained, 10_000)).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('an API-only process (runWorkers: false) runs no workers: jobs wait in the outbox', async () => {
    const recorder = new Recorder();
    const app = await NestFactory.createApplicationContext(QueueModule.forRootAsync({ useFactory: () => options({ handlers: withIdleHandlers([recorder]), runWorkers: false }) }), { logger: false });
    try {
      await enqueueInTransaction(pool, QueueName.CHECKPOINT_WEBHOOK, jobId('api-only', 1), { url: 'http://127.0.0.1:9/', channel: 'notary', height: 1, treeSize: 1, checkpoint: 'note' });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(recorder.ran).toEqual([]);
      const depth = (await app.get(QueueService).depths()).find((d) => d.queue === QueueName.CHECKPOINT_WEBHOOK);
      expect(depth?.outbox).toBe(1);
    } finally {
      await app.close();
    }
  });
});
