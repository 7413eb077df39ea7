import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The lending module: platforms, configuration and LPR, customers and custody accounts, custody
 * instructions and bank totals (now and per business day), collateral, loans, bids, claims, offers,
 * instalments and fund movements as the ledger holds them; regulator alerts, supervisory figures
 * and exposures, notifications; the banks' reported totals and reconciliations; terminal users.
 */
export class CreateLendingReadModels1795700000000 implements MigrationInterface {
  name = 'CreateLendingReadModels1795700000000';

  async up(q: QueryRunner): Promise<void> {
    const TS = 'TIMESTAMP WITH TIME ZONE';
    await q.query(
      `CREATE TABLE "lending_platforms" ("org" text NOT NULL, "custodian" text NOT NULL, "registration_no" text NOT NULL, "name" text NOT NULL, "filing_status" text NOT NULL, "custody_agreement_ref" text NOT NULL, "status" text NOT NULL, "registered_at" ${TS} NOT NULL, "approved_at" ${TS}, "suspended_at" ${TS}, "suspend_reason" text, "height" bigint NOT NULL, CONSTRAINT "lending_platforms_pkey" PRIMARY KEY ("org"))`,
    );
    await q.query(`CREATE TABLE "lending_config" ("id" text NOT NULL, "config" jsonb NOT NULL, "height" bigint NOT NULL, CONSTRAINT "lending_config_pkey" PRIMARY KEY ("id"))`);
    await q.query(`CREATE TABLE "lending_lprs" ("effective_from" ${TS} NOT NULL, "bps" integer NOT NULL, "published_at" ${TS} NOT NULL, "tx" text NOT NULL, CONSTRAINT "lending_lprs_pkey" PRIMARY KEY ("effective_from"))`);
    await q.query(
      `CREATE TABLE "lending_customers" ("id" text NOT NULL, "platform" text NOT NULL, "roles" text array NOT NULL, "person_kind" text NOT NULL, "borrower_ref" text NOT NULL, "sealed" jsonb NOT NULL, "registered_at" ${TS} NOT NULL, "updated_at" ${TS} NOT NULL, "tx" text NOT NULL, CONSTRAINT "lending_customers_pkey" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "lending_customers_platform_idx" ON "lending_customers" ("platform", "registered_at", "id")`);
    await q.query(`CREATE INDEX "lending_customers_ref_idx" ON "lending_customers" ("borrower_ref")`);
    await q.query(
      `CREATE TABLE "lending_accounts" ("id" text NOT NULL, "platform" text NOT NULL, "bank" text NOT NULL, "available" bigint NOT NULL, "frozen" bigint NOT NULL, CONSTRAINT "lending_accounts_pkey" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "lending_accounts_bank_idx" ON "lending_accounts" ("bank")`);
    await q.query(
      `CREATE TABLE "lending_terminal_users" ("user_id" uuid NOT NULL, "org" text NOT NULL, "customer_id" text NOT NULL, "linked_by" text NOT NULL, "linked_at" ${TS} NOT NULL, CONSTRAINT "lending_terminal_users_pkey" PRIMARY KEY ("user_id"))`,
    );
    await q.query(`CREATE INDEX "lending_terminal_users_customer_idx" ON "lending_terminal_users" ("customer_id")`);
    await q.query(
      `CREATE TABLE "lending_bank_totals" ("bank" text NOT NULL, "accounts" integer NOT NULL, "available" bigint NOT NULL, "frozen" bigint NOT NULL, "deposited" bigint NOT NULL, "withdrawn" bigint NOT NULL, "transferred_in" bigint NOT NULL, "transferred_out" bigint NOT NULL, "instructions" integer NOT NULL, "height" bigint NOT NULL, "updated_at" ${TS} NOT NULL, CONSTRAINT "lending_bank_totals_pkey" PRIMARY KEY ("bank"))`,
    );
    await q.query(
      `CREATE TABLE "lending_bank_totals_daily" ("bank" text NOT NULL, "business_date" date NOT NULL, "accounts" integer NOT NULL, "available" bigint NOT NULL, "frozen" bigint NOT NULL, "height" bigint NOT NULL, CONSTRAINT "lending_bank_totals_daily_pkey" PRIMARY KEY ("bank", "business_date"))`,
    );
    await q.query(
      `CREATE TABLE "lending_custody_instructions" ("bank" text NOT NULL, "ref" text NOT NULL, "kind" text NOT NULL, "customer_id" text NOT NULL, "amount" bigint NOT NULL, "at" ${TS} NOT NULL, "tx" text NOT NULL, CONSTRAINT "lending_custody_instructions_pkey" PRIMARY KEY ("bank", "ref"))`,
    );
    await q.query(`CREATE INDEX "lending_custody_instructions_customer_idx" ON "lending_custody_instructions" ("customer_id")`);
    await q.query(
      `CREATE TABLE "lending_bank_reports" ("bank" text NOT NULL, "business_date" date NOT NULL, "accounts" integer NOT NULL, "available" bigint NOT NULL, "frozen" bigint NOT NULL, "reported_by" text NOT NULL, "reported_at" ${TS} NOT NULL, CONSTRAINT "lending_bank_reports_pkey" PRIMARY KEY ("bank", "business_date"))`,
    );
    await q.query(
      `CREATE TABLE "lending_reconciliations" ("bank" text NOT NULL, "business_date" date NOT NULL, "status" text NOT NULL, "chain" jsonb NOT NULL, "reported" jsonb, "differences" jsonb NOT NULL, "checked_at" ${TS} NOT NULL, CONSTRAINT "lending_reconciliations_pkey" PRIMARY KEY ("bank", "business_date"))`,
    );
    await q.query(`CREATE INDEX "lending_reconciliations_date_idx" ON "lending_reconciliations" ("business_date")`);
    await q.query(
      `CREATE TABLE "lending_fund_movements" ("tx" text NOT NULL, "idx" integer NOT NULL, "height" bigint NOT NULL, "leaf_index" bigint NOT NULL, "at" ${TS} NOT NULL, "kind" text NOT NULL, "from_account" text, "to_account" text, "amount" bigint NOT NULL, "from_bank" text, "to_bank" text, "loan_id" text, "ref" text, CONSTRAINT "lending_fund_movements_pkey" PRIMARY KEY ("tx", "idx"))`,
    );
    await q.query(`CREATE INDEX "lending_fund_movements_loan_idx" ON "lending_fund_movements" ("loan_id", "leaf_index", "idx")`);
    await q.query(`CREATE INDEX "lending_fund_movements_from_idx" ON "lending_fund_movements" ("from_account")`);
    await q.query(`CREATE INDEX "lending_fund_movements_to_idx" ON "lending_fund_movements" ("to_account")`);
    await q.query(
      `CREATE TABLE "lending_collaterals" ("id" text NOT NULL, "type" text NOT NULL, "identifier" text NOT NULL, "appraised_value" bigint NOT NULL, "documents" jsonb NOT NULL, "sealed_owner" jsonb NOT NULL, "registered_by" text NOT NULL, "registered_at" ${TS} NOT NULL, "status" text NOT NULL, "lien_loan_id" text, "lien_platform" text, "lien_since" ${TS}, CONSTRAINT "lending_collaterals_pkey" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE TABLE "lending_loans" ("id" text NOT NULL, "platform" text NOT NULL, "bank" text NOT NULL, "borrower" text NOT NULL, "borrower_ref" text NOT NULL, "person_kind" text NOT NULL, "amount" bigint NOT NULL, "apr_bps" integer NOT NULL, "apr_cap_bps" integer NOT NULL, "term_months" integer NOT NULL, "method" text NOT NULL, "purpose" text NOT NULL, "funding_deadline" ${TS} NOT NULL, "collateral_id" text, "sealed" jsonb, "status" text NOT NULL, "funded" bigint NOT NULL, "bids" integer NOT NULL, "listed_at" ${TS} NOT NULL, "height" bigint NOT NULL, "tx" text NOT NULL, "activated_at" ${TS}, "matures_at" ${TS}, "outstanding" bigint NOT NULL, "next_instalment" integer NOT NULL, "overdue_instalments" integer NOT NULL, "closed_at" ${TS}, "defaulted_at" ${TS}, "default_reason" text, CONSTRAINT "lending_loans_pkey" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "lending_loans_listed_idx" ON "lending_loans" ("listed_at", "id")`);
    await q.query(`CREATE INDEX "lending_loans_platform_idx" ON "lending_loans" ("platform", "status")`);
    await q.query(`CREATE INDEX "lending_loans_borrower_idx" ON "lending_loans" ("borrower")`);
    await q.query(
      `CREATE TABLE "lending_bids" ("id" text NOT NULL, "loan_id" text NOT NULL, "lender" text NOT NULL, "amount" bigint NOT NULL, "sealed" jsonb NOT NULL, "at" ${TS} NOT NULL, CONSTRAINT "lending_bids_pkey" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "lending_bids_loan_idx" ON "lending_bids" ("loan_id", "at")`);
    await q.query(`CREATE INDEX "lending_bids_lender_idx" ON "lending_bids" ("lender")`);
    await q.query(
      `CREATE TABLE "lending_claims" ("id" text NOT NULL, "loan_id" text NOT NULL, "holder" text NOT NULL, "holder_platform" text NOT NULL, "face" bigint NOT NULL, "outstanding" bigint NOT NULL, "principal_received" bigint NOT NULL, "interest_received" bigint NOT NULL, "acquired_at" ${TS} NOT NULL, "transfers" integer NOT NULL, CONSTRAINT "lending_claims_pkey" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "lending_claims_loan_idx" ON "lending_claims" ("loan_id")`);
    await q.query(`CREATE INDEX "lending_claims_holder_idx" ON "lending_claims" ("holder")`);
    await q.query(
      `CREATE TABLE "lending_claim_offers" ("loan_id" text NOT NULL, "claim_id" text NOT NULL, "seller" text NOT NULL, "seller_platform" text NOT NULL, "buyer" text NOT NULL, "buyer_platform" text NOT NULL, "price" bigint NOT NULL, "sealed" jsonb NOT NULL, "offered_at" ${TS} NOT NULL, "tx" text NOT NULL, CONSTRAINT "lending_claim_offers_pkey" PRIMARY KEY ("loan_id", "claim_id"))`,
    );
    await q.query(`CREATE INDEX "lending_claim_offers_buyer_idx" ON "lending_claim_offers" ("buyer")`);
    await q.query(
      `CREATE TABLE "lending_instalments" ("loan_id" text NOT NULL, "k" integer NOT NULL, "due_at" ${TS} NOT NULL, "principal" bigint NOT NULL, "interest" bigint NOT NULL, "total" bigint NOT NULL, "status" text NOT NULL, "overdue_at" ${TS}, "paid_at" ${TS}, "paid_late" boolean NOT NULL, "shares" jsonb NOT NULL, CONSTRAINT "lending_instalments_pkey" PRIMARY KEY ("loan_id", "k"))`,
    );
    await q.query(`CREATE INDEX "lending_instalments_due_idx" ON "lending_instalments" ("status", "due_at")`);
    await q.query(
      `CREATE TABLE "lending_alerts" ("tx" text NOT NULL, "reason" text NOT NULL, "method" text NOT NULL, "platform" text, "borrower" text, "borrower_ref" text, "collateral_id" text, "amount" bigint, "apr_bps" integer, "message" text NOT NULL, "height" bigint NOT NULL, "at" ${TS} NOT NULL, CONSTRAINT "lending_alerts_pkey" PRIMARY KEY ("tx"))`,
    );
    await q.query(`CREATE INDEX "lending_alerts_at_idx" ON "lending_alerts" ("at", "tx")`);
    await q.query(`CREATE INDEX "lending_alerts_platform_idx" ON "lending_alerts" ("platform", "reason")`);
    await q.query(
      `CREATE TABLE "lending_stats" ("platform" text NOT NULL, "outstanding" bigint NOT NULL, "overdue_outstanding" bigint NOT NULL, "active_loans" integer NOT NULL, "overdue_loans" integer NOT NULL, "borrowers" integer NOT NULL, "lenders" integer NOT NULL, "cap_breaches" integer NOT NULL, "apr_breaches" integer NOT NULL, "double_pledges" integer NOT NULL, CONSTRAINT "lending_stats_pkey" PRIMARY KEY ("platform"))`,
    );
    await q.query(
      `CREATE TABLE "lending_exposures" ("role" text NOT NULL, "platform" text NOT NULL, "person_ref" text NOT NULL, "outstanding" bigint NOT NULL, CONSTRAINT "lending_exposures_pkey" PRIMARY KEY ("role", "platform", "person_ref"))`,
    );
    await q.query(`CREATE INDEX "lending_exposures_largest_idx" ON "lending_exposures" ("role", "platform", "outstanding")`);
    await q.query(
      `CREATE TABLE "lending_notifications" ("id" text NOT NULL, "org" text NOT NULL, "customer_id" text, "kind" text NOT NULL, "loan_id" text NOT NULL, "instalment" integer, "message" text NOT NULL, "at" ${TS} NOT NULL, "height" bigint NOT NULL, CONSTRAINT "lending_notifications_pkey" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "lending_notifications_org_idx" ON "lending_notifications" ("org", "at")`);
    await q.query(`CREATE INDEX "lending_notifications_customer_idx" ON "lending_notifications" ("customer_id", "at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'lending_notifications',
      'lending_exposures',
      'lending_stats',
      'lending_alerts',
      'lending_instalments',
      'lending_claim_offers',
      'lending_claims',
      'lending_bids',
      'lending_loans',
      'lending_collaterals',
      'lending_fund_movements',
      'lending_reconciliations',
      'lending_bank_reports',
      'lending_custody_instructions',
      'lending_bank_totals_daily',
      'lending_bank_totals',
      'lending_terminal_users',
      'lending_accounts',
      'lending_customers',
      'lending_lprs',
      'lending_config',
      'lending_platforms',
    ]) {
      await q.query(`DROP TABLE "${table}"`);
    }
  }
}
