import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional job outbox (libs/platform/src/queue/outbox.ts): producers insert jobs in their
 * own transaction (a block's commit, a use case), the relay moves them into BullMQ. No TypeORM
 * entity maps it (only the queue code reads it, in plain SQL), so the schema diff leaves it alone.
 * IF NOT EXISTS: databases where ensureOutboxSchema created it before this migration keep it.
 */
export class CreateJobOutbox1795348800000 implements MigrationInterface {
  name = 'CreateJobOutbox1795348800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE IF NOT EXISTS job_outbox (id bigserial PRIMARY KEY, queue text NOT NULL, job_id text NOT NULL UNIQUE, payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), dispatched_at timestamptz)`,
    );
    // The relay's scan of what is still to dispatch, and the clean-up's of what was dispatched long ago.
    await q.query(`CREATE INDEX IF NOT EXISTS job_outbox_pending_idx ON job_outbox (id) WHERE dispatched_at IS NULL`);
    await q.query(`CREATE INDEX IF NOT EXISTS job_outbox_dispatched_idx ON job_outbox (dispatched_at) WHERE dispatched_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE job_outbox`);
  }
}
