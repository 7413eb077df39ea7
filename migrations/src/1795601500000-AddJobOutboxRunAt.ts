import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A not-before time for outbox jobs (libs/platform/src/queue/outbox.ts): the relay hands such a row
 * to BullMQ as a delayed job (an envelope's expiry). IF NOT EXISTS, as ensureOutboxSchema does.
 */
export class AddJobOutboxRunAt1795601500000 implements MigrationInterface {
  name = 'AddJobOutboxRunAt1795601500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE job_outbox ADD COLUMN IF NOT EXISTS run_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE job_outbox DROP COLUMN run_at`);
  }
}
