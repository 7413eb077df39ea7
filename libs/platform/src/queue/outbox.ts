import type pg from 'pg';
import type { SqlClient } from '@zizhu/chain';
import { jobId as checkedJobId } from './job-id.js';
import type { JobPayloads, QueueName } from './queue.types.js';

/**
 * The transactional outbox: producers insert jobs in their own PostgreSQL transaction (a block's
 * commit, a use case), so a job exists exactly when the work that caused it committed, whether
 * Redis is up or not. The relay (outbox-relay.ts) moves rows into BullMQ under the same job id.
 * Idempotent DDL: the TypeORM migration runs the same statements.
 */
export const OUTBOX_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS job_outbox (
  id bigserial PRIMARY KEY,
  queue text NOT NULL,
  job_id text NOT NULL UNIQUE,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  dispatched_at timestamptz
);
ALTER TABLE job_outbox ADD COLUMN IF NOT EXISTS run_at timestamptz;
CREATE INDEX IF NOT EXISTS job_outbox_pending_idx ON job_outbox (id) WHERE dispatched_at IS NULL;
CREATE INDEX IF NOT EXISTS job_outbox_dispatched_idx ON job_outbox (dispatched_at) WHERE dispatched_at IS NOT NULL;
`;

/** Creates the outbox if missing. Not inside a caller's transaction (it runs its own, serialised by an advisory lock). */
export async function ensureOutboxSchema(db: pg.Pool | pg.ClientBase): Promise<void> {
  const client = 'totalCount' in db ? await db.connect() : db;
  // A checked-out client's connection dying emits 'error' on it, which pg-pool only handles while it is idle.
  const swallow = () => undefined;
  if (client !== db) client.on('error', swallow);
  try {
    await client.query('BEGIN');
    try {
      // Concurrent CREATE ... IF NOT EXISTS can still collide in the catalogue: one at a time.
      await client.query("SELECT pg_advisory_xact_lock(hashtext('zizhu.job_outbox'))");
      await client.query(OUTBOX_SCHEMA_SQL);
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw e;
    }
  } finally {
    if (client !== db) {
      client.removeListener('error', swallow);
      (client as pg.PoolClient).release();
    }
  }
}

/**
 * Enqueues a job inside the caller's transaction (`sql` is the block's commit transaction in a
 * projection, or a use case's). Idempotent: a job id already in the outbox is left alone.
 * Resolves true when this call added the job.
 */
export async function enqueueInTransaction<Q extends QueueName>(sql: SqlClient, queue: Q, jobId: string, payload: JobPayloads[Q], options: { runAt?: number } = {}): Promise<boolean> {
  return (await enqueueManyInTransaction(sql, queue, [{ jobId, payload, runAt: options.runAt }])) === 1;
}

export interface OutboxEntry<Q extends QueueName> {
  jobId: string;
  payload: JobPayloads[Q];
  /** Not before this time (ms since the epoch): the relay hands it to BullMQ as a delayed job. */
  runAt?: number;
}

/** Several jobs of one queue in one statement; resolves with how many were new. */
export async function enqueueManyInTransaction<Q extends QueueName>(sql: SqlClient, queue: Q, jobs: readonly OutboxEntry<Q>[]): Promise<number> {
  if (jobs.length === 0) return 0;
  for (const job of jobs) checkedJobId(...job.jobId.split(':'));
  const { rowCount } = await sql.query(
    `INSERT INTO job_outbox (queue, job_id, payload, run_at)
     SELECT $1, j, p, to_timestamp(r / 1000.0) FROM unnest($2::text[], $3::jsonb[], $4::bigint[]) AS t(j, p, r)
     ON CONFLICT (job_id) DO NOTHING`,
    [queue, jobs.map((j) => j.jobId), jobs.map((j) => JSON.stringify(j.payload)), jobs.map((j) => (j.runAt === undefined ? null : Math.trunc(j.runAt)))],
  );
  return rowCount ?? 0;
}
