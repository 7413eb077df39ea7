import type { MigrationInterface, QueryRunner } from 'typeorm';

/** libs/platform: organisations' webhook endpoints (event deliveries are signed with each one's secret). */
export class CreateWebhookEndpoints1795601400000 implements MigrationInterface {
  name = 'CreateWebhookEndpoints1795601400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "webhook_endpoints" ("id" text NOT NULL, "org" text NOT NULL, "url" text NOT NULL, "events" text array NOT NULL, "description" text, "secret" text NOT NULL, "created_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "webhook_endpoints_pkey" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "webhook_endpoints_org_idx" ON "webhook_endpoints" ("org")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "webhook_endpoints"`);
  }
}
