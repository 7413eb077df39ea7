import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The notary sample module: its records as the ledger holds them, and the originals deposited for them. */
export class CreateNotaryReadModels1795435200000 implements MigrationInterface {
  name = 'CreateNotaryReadModels1795435200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "notary_documents" ("channel" text NOT NULL, "id" text NOT NULL, "digest" text NOT NULL, "owner" text NOT NULL, "title" text NOT NULL, "version" integer NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL, "height" bigint NOT NULL, CONSTRAINT "notary_documents_pkey" PRIMARY KEY ("channel", "id"))`,
    );
    await q.query(
      `CREATE TABLE "notary_originals" ("channel" text NOT NULL, "id" text NOT NULL, "digest" text NOT NULL, "content" text NOT NULL, "size" bigint NOT NULL, "filename" text NOT NULL, "media_type" text NOT NULL, "recipients" text array NOT NULL, "uploaded_by" text NOT NULL, "uploaded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "notary_originals_pkey" PRIMARY KEY ("channel", "id", "digest"))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "notary_originals"`);
    await q.query(`DROP TABLE "notary_documents"`);
  }
}
