import type { CommittedBlock, SqlClient } from '@zizhu/chain';
import type { ClaimToken, LendingReason, Loan } from '@zizhu/contract-lending';
import { enqueueEventWebhooks } from '@zizhu/platform';

/** A loan written by the block, and what the read model held before (null: new). */
export interface LoanChange {
  after: Loan;
  before: { status: string; outstanding: string } | null;
}

/** A claim written by the block, and its holder and outstanding principal before (null: new). */
export interface ClaimChange {
  after: ClaimToken;
  before: { holder: string; holderPlatform: string; outstanding: string } | null;
}

/** Reverted listings the regulator is alerted to, with the figure each one counts under. */
export const ALERT_REASONS: Partial<Record<LendingReason, 'cap_breaches' | 'apr_breaches' | 'double_pledges'>> = {
  CAP_EXCEEDED: 'cap_breaches',
  APR_CAP_EXCEEDED: 'apr_breaches',
  DOUBLE_PLEDGE: 'double_pledges',
};

/** Loan statuses that owe principal (counted as outstanding). */
const LIVE = new Set(['ACTIVE', 'OVERDUE', 'DEFAULTED']);
const LATE = new Set(['OVERDUE', 'DEFAULTED']);
/** The whole consortium's row in lending_stats and lending_exposures. */
export const ALL_PLATFORMS = '*';

type StatField = 'outstanding' | 'overdue_outstanding' | 'active_loans' | 'overdue_loans' | 'borrowers' | 'lenders' | 'cap_breaches' | 'apr_breaches' | 'double_pledges';
const STAT_FIELDS: StatField[] = ['outstanding', 'overdue_outstanding', 'active_loans', 'overdue_loans', 'borrowers', 'lenders', 'cap_breaches', 'apr_breaches', 'double_pledges'];

/** Deltas of the supervisory figures, per platform and for `*`. */
class StatDeltas {
  private readonly rows = new Map<string, Record<StatField, bigint>>();

  /** `alsoTotal`: add it to the `*` row too (not for counts of persons, which `*` counts across platforms itself). */
  add(platform: string, field: StatField, delta: bigint, alsoTotal = true): void {
    if (delta === 0n) return;
    for (const p of alsoTotal && platform !== ALL_PLATFORMS ? [platform, ALL_PLATFORMS] : [platform]) {
      let row = this.rows.get(p);
      if (!row) this.rows.set(p, (row = Object.fromEntries(STAT_FIELDS.map((f) => [f, 0n])) as Record<StatField, bigint>));
      row[field] += delta;
    }
  }

  async apply(sql: SqlClient): Promise<void> {
    if (this.rows.size === 0) return;
    const rows = [...this.rows].map(([platform, r]) => ({ platform, ...Object.fromEntries(STAT_FIELDS.map((f) => [f, String(r[f])])) }));
    await sql.query(
      `INSERT INTO lending_stats (platform, ${STAT_FIELDS.join(', ')})
       SELECT s.platform, ${STAT_FIELDS.map((f) => `s.${f}`).join(', ')}
       FROM jsonb_to_recordset($1::jsonb) AS s(platform text, ${STAT_FIELDS.map((f) => `${f} bigint`).join(', ')})
       ON CONFLICT (platform) DO UPDATE SET ${STAT_FIELDS.map((f) => `${f} = lending_stats.${f} + EXCLUDED.${f}`).join(', ')}`,
      [JSON.stringify(rows)],
    );
  }
}

/** Deltas of outstanding principal per (role, platform, person), `*` added for every platform's. */
class ExposureDeltas {
  private readonly deltas = new Map<string, bigint>();

  add(role: 'BORROWER' | 'LENDER', platform: string, personRef: string, delta: bigint): void {
    if (delta === 0n) return;
    for (const p of [platform, ALL_PLATFORMS]) {
      const key = `${role}|${p}|${personRef}`;
      this.deltas.set(key, (this.deltas.get(key) ?? 0n) + delta);
    }
  }

  /**
   * Applies them; a person whose outstanding principal leaves or reaches zero changes the count of
   * borrowers or lenders of the platform (rows at zero are removed).
   */
  async apply(sql: SqlClient, stats: StatDeltas): Promise<void> {
    const rows = [...this.deltas].filter(([, d]) => d !== 0n).map(([key, d]) => {
      const [role, platform, person_ref] = key.split('|');
      return { role, platform, person_ref, delta: String(d) };
    });
    if (rows.length === 0) return;
    const { rows: after } = await sql.query<{ role: string; platform: string; person_ref: string; outstanding: string; delta: string }>(
      `WITH d AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS d(role text, platform text, person_ref text, delta bigint)),
            up AS (INSERT INTO lending_exposures (role, platform, person_ref, outstanding) SELECT role, platform, person_ref, delta FROM d
                   ON CONFLICT (role, platform, person_ref) DO UPDATE SET outstanding = lending_exposures.outstanding + EXCLUDED.outstanding
                   RETURNING role, platform, person_ref, outstanding)
       SELECT up.role, up.platform, up.person_ref, up.outstanding::text AS outstanding, d.delta::text AS delta FROM up JOIN d USING (role, platform, person_ref)`,
      [JSON.stringify(rows)],
    );
    const zero: { role: string; platform: string; person_ref: string }[] = [];
    for (const r of after) {
      const now = BigInt(r.outstanding);
      const before = now - BigInt(r.delta);
      const field: StatField = r.role === 'BORROWER' ? 'borrowers' : 'lenders';
      const count = before === 0n && now > 0n ? 1n : before > 0n && now === 0n ? -1n : 0n;
      // A person is counted once across platforms: the `*` exposure row counts for the `*` figures.
      stats.add(r.platform, field, count, false);
      if (now === 0n) zero.push({ role: r.role, platform: r.platform, person_ref: r.person_ref });
    }
    if (zero.length > 0) {
      await sql.query(
        `DELETE FROM lending_exposures e USING jsonb_to_recordset($1::jsonb) AS z(role text, platform text, person_ref text)
         WHERE e.role = z.role AND e.platform = z.platform AND e.person_ref = z.person_ref AND e.outstanding = 0`,
        [JSON.stringify(zero)],
      );
    }
  }
}

interface FundsMovedEvent {
  kind: string;
  from: string | null;
  to: string | null;
  amount: string;
  fromBank: string | null;
  toBank: string | null;
  loanId: string | null;
  ref: string | null;
}

/**
 * The supervisory read models of a block, after its state's read models: every custody movement
 * (FundsMoved events), notifications (instalments overdue, loans in default; recorded, and sent to
 * the platform's webhook endpoints), regulator alerts from
 * REVERTED listings (their ids read from the transactions' arguments, which the block's commit
 * has just stored), and the figures per platform and in total (deltas of loans and claims).
 */
export async function projectSupervision(block: CommittedBlock, sql: SqlClient, changes: { loans: LoanChange[]; claims: ClaimChange[] }): Promise<void> {
  const height = block.header.height;
  const time = block.header.time;
  const movements: Record<string, unknown>[] = [];
  const notifications: Record<string, unknown>[] = [];
  const borrowerOf = new Map(changes.loans.map((c) => [c.after.id, c.after.borrower]));
  const alerted: string[] = [];
  for (const receipt of block.receipts) {
    if (receipt.status === 'REVERTED') {
      if (receipt.error && ALERT_REASONS[receipt.error.code as LendingReason]) alerted.push(receipt.hash);
      continue;
    }
    receipt.events.forEach((event, idx) => {
      const data = event.data as Record<string, unknown>;
      if (event.type === 'FundsMoved') {
        const m = data as unknown as FundsMovedEvent;
        movements.push({ tx: receipt.hash, idx, leaf_index: receipt.leafIndex, kind: m.kind, from_account: m.from, to_account: m.to, amount: m.amount, from_bank: m.fromBank, to_bank: m.toBank, loan_id: m.loanId, ref: m.ref });
      } else if (event.type === 'InstalmentOverdue') {
        const loanId = String(data.loanId);
        notifications.push({
          id: `${receipt.hash}:${idx}`,
          org: data.platform,
          customer_id: borrowerOf.get(loanId) ?? null,
          kind: 'INSTALMENT_OVERDUE',
          loan_id: loanId,
          instalment: data.instalment,
          message: `instalment ${String(data.instalment)} of loan ${loanId.slice(0, 12)}… (${String(data.total)} fen, due ${new Date(Number(data.dueAt)).toISOString()}) is overdue`,
        });
      } else if (event.type === 'LoanDefaulted') {
        const loanId = String(data.loanId);
        notifications.push({
          id: `${receipt.hash}:${idx}`,
          org: data.platform,
          customer_id: borrowerOf.get(loanId) ?? null,
          kind: 'LOAN_DEFAULTED',
          loan_id: loanId,
          instalment: null,
          message: `loan ${loanId.slice(0, 12)}… is in default (${String(data.outstanding)} fen outstanding): ${String(data.reason)}${data.collateralId ? '; its collateral goes to enforcement' : ''}`,
        });
      }
    });
  }
  if (movements.length > 0) {
    await sql.query(
      `INSERT INTO lending_fund_movements (tx, idx, height, leaf_index, at, kind, from_account, to_account, amount, from_bank, to_bank, loan_id, ref)
       SELECT m.tx, m.idx, $2, m.leaf_index, to_timestamp($3 / 1000.0), m.kind, m.from_account, m.to_account, m.amount, m.from_bank, m.to_bank, m.loan_id, m.ref
       FROM jsonb_to_recordset($1::jsonb) AS m(tx text, idx int, leaf_index bigint, kind text, from_account text, to_account text, amount bigint, from_bank text, to_bank text, loan_id text, ref text)
       ON CONFLICT (tx, idx) DO NOTHING`,
      [JSON.stringify(movements), height, time],
    );
  }
  if (notifications.length > 0) {
    await sql.query(
      `INSERT INTO lending_notifications (id, org, customer_id, kind, loan_id, instalment, message, at, height)
       SELECT n.id, n.org, n.customer_id, n.kind, n.loan_id, n.instalment, n.message, to_timestamp($2 / 1000.0), $3
       FROM jsonb_to_recordset($1::jsonb) AS n(id text, org text, customer_id text, kind text, loan_id text, instalment int, message text)
       ON CONFLICT (id) DO NOTHING`,
      [JSON.stringify(notifications), time, height],
    );
    // The same to the platform's webhook endpoints: ids and on-chain facts only.
    await enqueueEventWebhooks(sql, () =>
      notifications.map((n) => ({
        id: `evt_lending_${String(n.id).replace(':', '_')}`,
        type: n.kind === 'INSTALMENT_OVERDUE' ? 'lending.instalment.overdue' : 'lending.loan.defaulted',
        orgs: [String(n.org)],
        createdAt: time,
        data: { loanId: n.loan_id as string, instalment: n.instalment as number | null, customerId: n.customer_id as string | null, channel: block.channel, height, tx: String(n.id).split(':')[0] },
      })),
    );
  }
  const stats = new StatDeltas();
  if (alerted.length > 0) await projectAlerts(block, sql, alerted, stats);
  const exposures = new ExposureDeltas();
  for (const { before, after } of changes.loans) {
    const was = before ?? { status: 'OPEN', outstanding: '0' };
    const owed = (status: string, outstanding: string) => (LIVE.has(status) ? BigInt(outstanding) : 0n);
    const late = (status: string, outstanding: string) => (LATE.has(status) ? BigInt(outstanding) : 0n);
    const flag = (set: Set<string>, status: string) => (set.has(status) ? 1n : 0n);
    const owedDelta = owed(after.status, after.outstanding) - owed(was.status, was.outstanding);
    stats.add(after.platform, 'outstanding', owedDelta);
    stats.add(after.platform, 'overdue_outstanding', late(after.status, after.outstanding) - late(was.status, was.outstanding));
    stats.add(after.platform, 'active_loans', flag(LIVE, after.status) - flag(LIVE, was.status));
    stats.add(after.platform, 'overdue_loans', flag(LATE, after.status) - flag(LATE, was.status));
    exposures.add('BORROWER', after.platform, after.borrowerRef, owedDelta);
  }
  if (changes.claims.length > 0) {
    // Lenders are counted as persons too: the holders' pseudonyms.
    const holders = [...new Set(changes.claims.flatMap((c) => [c.after.holder, ...(c.before ? [c.before.holder] : [])]))];
    const { rows } = await sql.query<{ id: string; borrower_ref: string }>('SELECT id, borrower_ref FROM lending_customers WHERE id = ANY($1::text[])', [holders]);
    const refOf = new Map(rows.map((r) => [r.id, r.borrower_ref]));
    for (const { before, after } of changes.claims) {
      if (before) exposures.add('LENDER', before.holderPlatform, refOf.get(before.holder) ?? before.holder, -BigInt(before.outstanding));
      exposures.add('LENDER', after.holderPlatform, refOf.get(after.holder) ?? after.holder, BigInt(after.outstanding));
    }
  }
  await exposures.apply(sql, stats);
  await stats.apply(sql);
}

/** Regulator alerts for the block's REVERTED listings with a supervised reason. */
async function projectAlerts(block: CommittedBlock, sql: SqlClient, hashes: string[], stats: StatDeltas): Promise<void> {
  const { rows } = await sql.query<{ hash: string; signed: string }>(
    // A lookup per hash whatever the statistics say (as the engine's state read): as a semi-join the
    // planner may hash or scan a ledger_txs it has not analysed since it grew.
    `SELECT encode(t.hash, 'hex') AS hash, t.signed FROM unnest($1::text[]) AS q(h)
       CROSS JOIN LATERAL (SELECT hash, signed FROM ledger_txs WHERE hash = decode(q.h, 'hex') LIMIT 1) t`,
    [hashes],
  );
  const argsOf = new Map(rows.map((r) => [r.hash, JSON.parse(r.signed) as { envelope: { method: string; args: Record<string, unknown> } }]));
  const borrowers = [...argsOf.values()].map((t) => t.envelope.args.borrower).filter((b): b is string => typeof b === 'string');
  const { rows: customers } = await sql.query<{ id: string; platform: string; borrower_ref: string }>('SELECT id, platform, borrower_ref FROM lending_customers WHERE id = ANY($1::text[])', [borrowers]);
  const customerOf = new Map(customers.map((c) => [c.id, c]));
  const alerts = block.receipts
    .filter((r) => hashes.includes(r.hash))
    .map((r) => {
      const envelope = argsOf.get(r.hash)?.envelope;
      const args = envelope?.args ?? {};
      const customer = typeof args.borrower === 'string' ? customerOf.get(args.borrower) : undefined;
      const str = (v: unknown) => (typeof v === 'string' ? v : null);
      return {
        tx: r.hash,
        reason: r.error!.code,
        method: envelope?.method ?? 'unknown',
        platform: customer?.platform ?? null,
        borrower: str(args.borrower),
        borrower_ref: customer?.borrower_ref ?? null,
        collateral_id: str(args.collateralId),
        amount: str(args.amount),
        apr_bps: typeof args.aprBps === 'number' ? args.aprBps : null,
        message: r.error!.message,
      };
    });
  await sql.query(
    `INSERT INTO lending_alerts (tx, reason, method, platform, borrower, borrower_ref, collateral_id, amount, apr_bps, message, height, at)
     SELECT a.tx, a.reason, a.method, a.platform, a.borrower, a.borrower_ref, a.collateral_id, a.amount, a.apr_bps, a.message, $2, to_timestamp($3 / 1000.0)
     FROM jsonb_to_recordset($1::jsonb) AS a(tx text, reason text, method text, platform text, borrower text, borrower_ref text, collateral_id text, amount bigint, apr_bps int, message text)
     ON CONFLICT (tx) DO NOTHING`,
    [JSON.stringify(alerts), block.header.height, block.header.time],
  );
  for (const a of alerts) stats.add(a.platform ?? 'unknown', ALERT_REASONS[a.reason as LendingReason]!, 1n);
}
