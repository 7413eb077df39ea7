import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import pg from 'pg';
import { Queue } from 'bullmq';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.js';
import { waitFor } from '../embedded/local-process.js';
import type { JobHandler } from '../queue/job-handler.js';
import { startWorkers } from '../queue/job-workers.js';
import { ensureOutboxSchema } from '../queue/outbox.js';
import { QUEUE_SETTINGS, QueueName } from '../queue/queue.types.js';
import { deletePrefix, testPrefix } from '../queue/testing/local-redis.js';
import { withIdleHandlers } from '../queue/testing/idle-handlers.js';
import { CleanupJob } from './cleanup.job.js';

const REDIS = 'redis://127.0.0.1:6379';
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

describe('CLEANUP job', () => {
  let db: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    // DROP DATABASE … WITH (FORCE) may end a connection the pool is still closing.
    pool.on('error', () => {});
    await ensureOutboxSchema(pool);
    await pool.query(`INSERT INTO job_outbox (queue, job_id, payload, created_at, dispatched_at) VALUES
      ('cleanup', 'old-dispatched', '{}', now() - interval '9 days', now() - interval '8 days'),
      ('cleanup', 'recent-dispatched', '{}', now() - interval '7 days', now() - interval '6 days'),
      ('cleanup', 'old-undispatched', '{}', now() - interval '30 days', NULL)`);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const jobIds = async () => (await pool.query<{ job_id: string }>('SELECT job_id FROM job_outbox ORDER BY job_id')).rows.map((r) => r.job_id);

  it('deletes dispatched outbox rows older than 7 days, and works before refresh_tokens exists', async () => {
    expect(await new CleanupJob(pool).handle()).toEqual({ refreshTokens: null, outboxRows: 1, webhookDeliveries: null, webhookSecrets: null });
    expect(await jobIds()).toEqual(['old-undispatched', 'recent-dispatched']);
  });

  it('deletes refresh tokens expired more than a day ago', async () => {
    await pool.query('CREATE TABLE refresh_tokens (id text PRIMARY KEY, expires_at timestamptz NOT NULL)');
    await pool.query(`INSERT INTO refresh_tokens VALUES
      ('expired-2-days-ago', now() - interval '2 days'),
      ('expired-an-hour-ago', now() - interval '1 hour'),
      ('valid', now() + interval '30 days')`);
    expect(await new CleanupJob(pool).handle()).toEqual({ refreshTokens: 1, outboxRows: 0, webhookDeliveries: null, webhookSecrets: null });
    expect((await pool.query('SELECT id FROM refresh_tokens ORDER BY id')).rows.map((r) => r.id)).toEqual(['expired-an-hour-ago', 'valid']);
  });

  it('runs on an hourly BullMQ job scheduler that restarting workers neither duplicates nor postpones', async () => {
    expect(QUEUE_SETTINGS[QueueName.CLEANUP].schedule).toEqual({ every: 3_600_000 });
    const prefix = testPrefix();
    const runs: number[] = [];
    const cleanup: JobHandler<QueueName.CLEANUP> = { queue: QueueName.CLEANUP, handle: async () => runs.push(Date.now()) };
    const queue = new Queue(QueueName.CLEANUP, { connection: { url: REDIS }, prefix });
    try {
      const first = startWorkers(withIdleHandlers([cleanup]), { url: REDIS, prefix }, { logger: quiet });
      await first.scheduled;
      // A new scheduler runs its first slot at once.
      expect(await waitFor(() => (runs.length === 1 ? true : undefined), 5_000)).toBe(true);
      const [scheduler] = await queue.getJobSchedulers();
      expect(scheduler).toMatchObject({ key: 'cleanup-schedule', every: 3_600_000 });
      await first.close();

      const second = startWorkers(withIdleHandlers([cleanup]), { url: REDIS, prefix }, { logger: quiet, scheduleCheckMs: 100 });
      await second.scheduled;
      const after = await queue.getJobSchedulers();
      expect(after).toHaveLength(1);
      expect(after[0].next).toBe(scheduler.next);
      expect(runs).toHaveLength(1);

      // A Redis that restarted empty forgot it: the workers put it back.
      await queue.removeJobScheduler('cleanup-schedule');
      expect(await waitFor(async () => ((await queue.getJobSchedulers()).length === 1 ? true : undefined), 3_000)).toBe(true);
      await second.close();
    } finally {
      await queue.close();
      await deletePrefix(REDIS, prefix);
    }
  });
});
