/** Runs one SQL statement and returns its rows (a pg pool in the job, TypeORM's DataSource in the API). */
export type QueryRows = <R>(text: string, values: unknown[]) => Promise<R[]>;

export interface ReconciliationOutcome {
  bank: string;
  businessDate: string;
  status: 'MATCHED' | 'MISMATCHED' | 'NOT_REPORTED';
  differences: { field: string; chain: string; reported: string; difference: string }[];
}

const FIELDS = ['accounts', 'available', 'frozen'] as const;

/**
 * Reconciles the custody of every bank for one business day (China Standard Time): the chain's
 * closing totals of the day (lending_bank_totals_daily: the last row at or before the day) against
 * what the bank reported from its core banking system for it (lending_bank_reports). Records one
 * row per bank in lending_reconciliations, replacing an earlier run for the same day (a report that
 * came late, a correction): MATCHED, MISMATCHED with each difference (reported − chain), or
 * NOT_REPORTED. Banks with neither custody on chain nor a report are left out. Idempotent.
 */
export async function reconcileCustody(query: QueryRows, businessDate: string, checkedAt: Date, bank?: string): Promise<ReconciliationOutcome[]> {
  const rows = await query<{
    bank: string;
    accounts: number | null;
    available: string | null;
    frozen: string | null;
    r_accounts: number | null;
    r_available: string | null;
    r_frozen: string | null;
  }>(
    `WITH chain AS (
       SELECT DISTINCT ON (d.bank) d.bank, d.accounts, d.available, d.frozen FROM lending_bank_totals_daily d
       WHERE d.business_date <= $1::date ORDER BY d.bank, d.business_date DESC),
     banks AS (SELECT bank FROM chain UNION SELECT bank FROM lending_bank_reports WHERE business_date = $1::date)
     SELECT b.bank, c.accounts, c.available::text AS available, c.frozen::text AS frozen,
            r.accounts AS r_accounts, r.available::text AS r_available, r.frozen::text AS r_frozen
     FROM banks b LEFT JOIN chain c ON c.bank = b.bank LEFT JOIN lending_bank_reports r ON r.bank = b.bank AND r.business_date = $1::date
     WHERE $2::text IS NULL OR b.bank = $2::text
     ORDER BY b.bank`,
    [businessDate, bank ?? null],
  );
  const outcomes = rows.map((r): ReconciliationOutcome & { chain: Record<string, string>; reported: Record<string, string> | null } => {
    const chain = { accounts: String(r.accounts ?? 0), available: r.available ?? '0', frozen: r.frozen ?? '0' };
    if (r.r_available === null) {
      return { bank: r.bank, businessDate, status: 'NOT_REPORTED', chain, reported: null, differences: [] };
    }
    const reported = { accounts: String(r.r_accounts), available: r.r_available, frozen: r.r_frozen! };
    const differences = FIELDS.filter((f) => chain[f] !== reported[f]).map((field) => ({
      field,
      chain: chain[field],
      reported: reported[field],
      difference: String(BigInt(reported[field]) - BigInt(chain[field])),
    }));
    return { bank: r.bank, businessDate, status: differences.length === 0 ? 'MATCHED' : 'MISMATCHED', chain, reported, differences };
  });
  if (outcomes.length > 0) {
    await query(
      `INSERT INTO lending_reconciliations (bank, business_date, status, chain, reported, differences, checked_at)
       SELECT o.bank, o.business_date::date, o.status, o.chain, o.reported, o.differences, $2
       FROM jsonb_to_recordset($1::jsonb) AS o(bank text, business_date text, status text, chain jsonb, reported jsonb, differences jsonb)
       ON CONFLICT (bank, business_date) DO UPDATE SET status = EXCLUDED.status, chain = EXCLUDED.chain, reported = EXCLUDED.reported,
         differences = EXCLUDED.differences, checked_at = EXCLUDED.checked_at`,
      [JSON.stringify(outcomes.map((o) => ({ bank: o.bank, business_date: o.businessDate, status: o.status, chain: o.chain, reported: o.reported, differences: o.differences }))), checkedAt],
    );
  }
  return outcomes.map(({ bank, businessDate: day, status, differences }) => ({ bank, businessDate: day, status, differences }));
}
