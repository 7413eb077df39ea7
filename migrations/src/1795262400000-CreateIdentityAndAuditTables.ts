import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users, refresh tokens and API keys (libs/platform identity), and the audit trail. */
export class CreateIdentityAndAuditTables1795262400000 implements MigrationInterface {
  name = 'CreateIdentityAndAuditTables1795262400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "users" ("id" uuid NOT NULL, "org" text NOT NULL, "username" text NOT NULL, "password_hash" text NOT NULL, "roles" text array NOT NULL, "status" text NOT NULL, "key_id" text, "certificate" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "users_pkey" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "users_org_username" ON "users" ("org", "username")`);
    await q.query(
      `CREATE TABLE "refresh_tokens" ("id" uuid NOT NULL, "user_id" uuid NOT NULL, "family_id" uuid NOT NULL, "token_hash" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "refresh_tokens_pkey" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "refresh_tokens_token_hash" ON "refresh_tokens" ("token_hash")`);
    await q.query(`CREATE INDEX "refresh_tokens_user" ON "refresh_tokens" ("user_id")`);
    // The clean-up job deletes expired tokens by this column.
    await q.query(`CREATE INDEX "refresh_tokens_expires_at" ON "refresh_tokens" ("expires_at")`);
    await q.query(
      `CREATE TABLE "api_keys" ("id" text NOT NULL, "org" text NOT NULL, "name" text NOT NULL, "roles" text array NOT NULL, "secret_hash" text NOT NULL, "status" text NOT NULL, "key_id" text, "certificate" text, "created_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "api_keys_org" ON "api_keys" ("org")`);
    await q.query(
      `CREATE TABLE "audit_records" ("id" BIGSERIAL NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "org" text NOT NULL, "action" text NOT NULL, "actor_kind" text, "actor_id" text, "actor_name" text, "target" text, "detail" jsonb NOT NULL, "request_id" text, CONSTRAINT "audit_records_pkey" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "audit_records_org_id" ON "audit_records" ("org", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "audit_records"`);
    await q.query(`DROP TABLE "api_keys"`);
    await q.query(`DROP TABLE "refresh_tokens"`);
    await q.query(`DROP TABLE "users"`);
  }
}
