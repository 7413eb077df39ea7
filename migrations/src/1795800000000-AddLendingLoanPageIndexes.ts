import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pages of one platform's loans (`loans(platform, status)`, newest first by (listed_at, id)) read
 * from an index in that order: with (platform, status) alone, a status filter walked the whole
 * listing index backwards past every other loan until it had a page (bench lending-dashboard, 100,000
 * loans). The new (platform, status, listed_at, id) covers what (platform, status) did.
 */
export class AddLendingLoanPageIndexes1795800000000 implements MigrationInterface {
  name = 'AddLendingLoanPageIndexes1795800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "lending_loans_platform_page_idx" ON "lending_loans" ("platform", "listed_at", "id")`);
    await q.query(`CREATE INDEX "lending_loans_platform_status_page_idx" ON "lending_loans" ("platform", "status", "listed_at", "id")`);
    await q.query(`DROP INDEX "lending_loans_platform_idx"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "lending_loans_platform_idx" ON "lending_loans" ("platform", "status")`);
    await q.query(`DROP INDEX "lending_loans_platform_status_page_idx"`);
    await q.query(`DROP INDEX "lending_loans_platform_page_idx"`);
  }
}
