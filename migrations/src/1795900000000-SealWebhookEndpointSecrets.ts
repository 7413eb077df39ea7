import type { MigrationInterface, QueryRunner } from 'typeorm';
import { webhookSecretSealer } from './webhook-secret-sealer.js';

/**
 * libs/platform: webhook endpoints' signing secrets sealed at rest (AES-256-GCM under the node's
 * webhook secret key, the endpoint id as associated data), with room for the secret a rotation
 * replaced while its grace period lasts. Existing rows are converted here.
 */
export class SealWebhookEndpointSecrets1795900000000 implements MigrationInterface {
  name = 'SealWebhookEndpointSecrets1795900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "webhook_endpoints" ADD "secret_sealed" text, ADD "previous_secret_sealed" text, ADD "previous_secret_expires_at" TIMESTAMP WITH TIME ZONE`);
    const rows = (await q.query(`SELECT "id", "secret" FROM "webhook_endpoints" ORDER BY "id"`)) as { id: string; secret: string }[];
    for (const { id, secret } of rows) {
      await q.query(`UPDATE "webhook_endpoints" SET "secret_sealed" = $2 WHERE "id" = $1`, [id, webhookSecretSealer().seal(id, secret)]);
    }
    await q.query(`ALTER TABLE "webhook_endpoints" ALTER COLUMN "secret_sealed" SET NOT NULL, DROP COLUMN "secret"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "webhook_endpoints" ADD "secret" text`);
    const rows = (await q.query(`SELECT "id", "secret_sealed" FROM "webhook_endpoints" ORDER BY "id"`)) as { id: string; secret_sealed: string }[];
    for (const { id, secret_sealed } of rows) {
      await q.query(`UPDATE "webhook_endpoints" SET "secret" = $2 WHERE "id" = $1`, [id, webhookSecretSealer().open(id, secret_sealed)]);
    }
    await q.query(`ALTER TABLE "webhook_endpoints" ALTER COLUMN "secret" SET NOT NULL, DROP COLUMN "secret_sealed", DROP COLUMN "previous_secret_sealed", DROP COLUMN "previous_secret_expires_at"`);
  }
}
