import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The evidence module: records, their timelines and signing envelopes as the ledger holds them; originals in custody. */
export class CreateEvidenceReadModels1795525200000 implements MigrationInterface {
  name = 'CreateEvidenceReadModels1795525200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "evidence_records" ("id" text NOT NULL, "channel" text NOT NULL, "digest_alg" text NOT NULL, "digest" text NOT NULL, "type" text NOT NULL, "issuer" text NOT NULL, "holder" text NOT NULL, "parties" text array NOT NULL, "status" text NOT NULL, "sealed" jsonb NOT NULL, "version" integer NOT NULL, "replaces" text, "replaced_by" text, "revoke_reason" text, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL, "height" bigint NOT NULL, "tx" text NOT NULL, "leaf_index" bigint NOT NULL, CONSTRAINT "evidence_records_pkey" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "evidence_records_recorded_idx" ON "evidence_records" ("recorded_at", "id")`);
    await q.query(`CREATE INDEX "evidence_records_digest_idx" ON "evidence_records" ("digest")`);
    await q.query(
      `CREATE TABLE "evidence_flows" ("evidence_id" text NOT NULL, "seq" integer NOT NULL, "action" text NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "height" bigint NOT NULL, "tx" text NOT NULL, "org" text NOT NULL, "key_id" text NOT NULL, "detail" jsonb NOT NULL, CONSTRAINT "evidence_flows_pkey" PRIMARY KEY ("evidence_id", "seq"))`,
    );
    await q.query(
      `CREATE TABLE "evidence_envelopes" ("id" text NOT NULL, "evidence_id" text NOT NULL, "sender_org" text NOT NULL, "status" text NOT NULL, "recipients" jsonb NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "completed_at" TIMESTAMP WITH TIME ZONE, "void_reason" text, "height" bigint NOT NULL, CONSTRAINT "evidence_envelopes_pkey" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "evidence_envelopes_expiry_idx" ON "evidence_envelopes" ("status", "expires_at")`);
    await q.query(`CREATE INDEX "evidence_envelopes_evidence_idx" ON "evidence_envelopes" ("evidence_id")`);
    await q.query(
      `CREATE TABLE "evidence_originals" ("evidence_id" text NOT NULL, "content" text NOT NULL, "size" bigint NOT NULL, "filename" text NOT NULL, "media_type" text NOT NULL, "recipients" text array NOT NULL, "uploaded_by" text NOT NULL, "uploaded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "evidence_originals_pkey" PRIMARY KEY ("evidence_id"))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "evidence_originals"`);
    await q.query(`DROP TABLE "evidence_envelopes"`);
    await q.query(`DROP TABLE "evidence_flows"`);
    await q.query(`DROP TABLE "evidence_records"`);
  }
}
