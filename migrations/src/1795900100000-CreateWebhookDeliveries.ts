import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * libs/platform: webhook endpoints disabled (by their admins, or after too many failed deliveries
 * in a row) and the delivery log, one row per attempt, paged newest first per endpoint and pruned
 * by age (deleted with its endpoint by the service: no foreign keys, as elsewhere in the node).
 */
export class CreateWebhookDeliveries1795900100000 implements MigrationInterface {
  name = 'CreateWebhookDeliveries1795900100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "webhook_endpoints" ADD "disabled_at" TIMESTAMP WITH TIME ZONE, ADD "disabled_reason" text, ADD "consecutive_failures" integer NOT NULL DEFAULT 0`,
    );
    await q.query(
      `CREATE TABLE "webhook_deliveries" ("id" BIGSERIAL NOT NULL, "endpoint_id" text NOT NULL, "event_id" text NOT NULL, "delivery_id" text NOT NULL, "attempt" integer NOT NULL, "status" integer, "error" text, "duration_ms" integer NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "webhook_deliveries_endpoint_id" ON "webhook_deliveries" ("endpoint_id", "id")`);
    await q.query(`CREATE INDEX "webhook_deliveries_at" ON "webhook_deliveries" ("at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "webhook_deliveries"`);
    await q.query(`ALTER TABLE "webhook_endpoints" DROP COLUMN "disabled_at", DROP COLUMN "disabled_reason", DROP COLUMN "consecutive_failures"`);
  }
}
