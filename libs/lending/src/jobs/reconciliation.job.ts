import type { SqlClient } from '@zizhu/chain';
import { QueueName, type JobHandler } from '@zizhu/platform';
import { reconcileCustody, type ReconciliationOutcome } from '../custody-reconciliation.js';
import { businessDateOf } from '../projections/lending.projection.js';

/**
 * The daily custody reconciliation (the scheduled job `lending-reconciliation`, 00:30 China
 * Standard Time): reconciles the business day just closed for every bank, and again any day a bank
 * reported (or corrected) after it was last reconciled. A worker job: it reads and writes the read
 * models only (the chain's closing totals per day are projected in each block's commit).
 */
export class LendingReconciliationJob implements JobHandler<QueueName.LENDING_RECONCILIATION> {
  readonly queue = QueueName.LENDING_RECONCILIATION;

  constructor(
    private readonly sql: SqlClient,
    private readonly clock: () => number = Date.now,
  ) {}

  async handle(): Promise<ReconciliationOutcome[]> {
    const now = this.clock();
    const yesterday = businessDateOf(now - 86_400_000);
    const { rows } = await this.sql.query<{ day: string }>(
      `SELECT DISTINCT to_char(r.business_date, 'YYYY-MM-DD') AS day FROM lending_bank_reports r
       LEFT JOIN lending_reconciliations c ON c.bank = r.bank AND c.business_date = r.business_date
       WHERE c.bank IS NULL OR c.checked_at < r.reported_at`,
    );
    const days = [...new Set([yesterday, ...rows.map((r) => r.day)])].sort();
    const query = async <R>(text: string, values: unknown[]) => (await this.sql.query(text, values)).rows as R[];
    const outcomes: ReconciliationOutcome[] = [];
    for (const day of days) outcomes.push(...(await reconcileCustody(query, day, new Date(now))));
    return outcomes;
  }
}
