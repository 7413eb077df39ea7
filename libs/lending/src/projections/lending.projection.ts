import type { CommittedBlock, JsonValue, Projection, SqlClient } from '@zizhu/chain';
import type {
  BankTotals,
  Bid,
  ClaimOffer,
  ClaimToken,
  Collateral,
  CustodyAccount,
  CustodyInstruction,
  Customer,
  Instalment,
  LendingPlatform,
  LprEntry,
  Loan,
} from '@zizhu/contract-lending';
import { projectSupervision, type ClaimChange, type LoanChange } from './lending-supervision.projection.js';

/** The business day (China Standard Time, UTC+8) of a block time: YYYY-MM-DD. */
export function businessDateOf(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** The block's final state writes on the lending channel, sorted by what they are. */
interface LendingWrites {
  config: JsonValue | null;
  lprs: LprEntry[];
  platforms: LendingPlatform[];
  customers: Customer[];
  accounts: CustodyAccount[];
  banks: BankTotals[];
  instructions: CustodyInstruction[];
  collaterals: Collateral[];
  loans: Loan[];
  bids: Bid[];
  claims: ClaimToken[];
  offers: ClaimOffer[];
  withdrawnOffers: { loanId: string; claimId: string }[];
  instalments: (Instalment & { loanId: string })[];
}

function sortWrites(block: CommittedBlock): LendingWrites {
  const w: LendingWrites = { config: null, lprs: [], platforms: [], customers: [], accounts: [], banks: [], instructions: [], collaterals: [], loans: [], bids: [], claims: [], offers: [], withdrawnOffers: [], instalments: [] };
  for (const [key, value] of block.writes) {
    const slash = key.indexOf('/');
    const prefix = slash < 0 ? key : key.slice(0, slash);
    if (value === null) {
      // Deleted keys that a read model follows: open offers (accepted or withdrawn). The others
      // (exposure counters, open purposes) are not projected.
      if (prefix === 'offer') {
        const [, loanId, claimId] = key.split('/');
        w.withdrawnOffers.push({ loanId, claimId });
      }
      continue;
    }
    const v = value as never;
    switch (prefix) {
      case 'cfg':
        w.config = value;
        break;
      case 'lpr':
        w.lprs.push(v);
        break;
      case 'plat':
        w.platforms.push(v);
        break;
      case 'cust':
        w.customers.push(v);
        break;
      case 'acct':
        w.accounts.push(v);
        break;
      case 'bank':
        w.banks.push(v);
        break;
      case 'ins':
        w.instructions.push(v);
        break;
      case 'col':
        w.collaterals.push(v);
        break;
      case 'loan':
        w.loans.push(v);
        break;
      case 'bid':
        w.bids.push(v);
        break;
      case 'claim':
        w.claims.push(v);
        break;
      case 'offer':
        w.offers.push(v);
        break;
      case 'inst':
        w.instalments.push({ ...(value as unknown as Instalment), loanId: key.split('/')[1] });
        break;
    }
  }
  return w;
}

const json = (rows: unknown[]) => JSON.stringify(rows);

/**
 * The lending read models from each block of the lending channels, inside the block's own commit
 * transaction, one statement per kind for the whole block: configuration and LPR table, platforms,
 * customers and custody accounts, bank totals (now and the business day's closing), custody
 * instructions, collateral, loans, bids, claims, open offers, instalments; then the supervisory
 * read models (lending-supervision.projection.ts): fund movements, alerts, figures, notifications.
 */
export function lendingProjection(channels: readonly string[]): Projection {
  return async (block, sql) => {
    if (!channels.includes(block.channel)) return;
    const w = sortWrites(block);
    const height = block.header.height;
    const time = block.header.time;
    if (w.config) {
      await sql.query(
        `INSERT INTO lending_config (id, config, height) VALUES ('cfg', $1::jsonb, $2) ON CONFLICT (id) DO UPDATE SET config = EXCLUDED.config, height = EXCLUDED.height`,
        [JSON.stringify(w.config), height],
      );
    }
    if (w.lprs.length > 0) {
      await sql.query(
        `INSERT INTO lending_lprs (effective_from, bps, published_at, tx)
         SELECT to_timestamp(l.effective_from / 1000.0), l.bps, to_timestamp(l.published_at / 1000.0), l.tx
         FROM jsonb_to_recordset($1::jsonb) AS l(effective_from bigint, bps int, published_at bigint, tx text)
         ON CONFLICT (effective_from) DO UPDATE SET bps = EXCLUDED.bps, published_at = EXCLUDED.published_at, tx = EXCLUDED.tx`,
        [json(w.lprs.map((l) => ({ effective_from: l.effectiveFrom, bps: l.bps, published_at: l.publishedAt, tx: l.tx })))],
      );
    }
    if (w.platforms.length > 0) await upsertPlatforms(sql, w.platforms, height);
    if (w.customers.length > 0) await upsertCustomers(sql, w.customers);
    if (w.accounts.length > 0) {
      await sql.query(
        `INSERT INTO lending_accounts (id, platform, bank, available, frozen)
         SELECT a.id, a.platform, a.bank, a.available, a.frozen FROM jsonb_to_recordset($1::jsonb) AS a(id text, platform text, bank text, available bigint, frozen bigint)
         ON CONFLICT (id) DO UPDATE SET available = EXCLUDED.available, frozen = EXCLUDED.frozen`,
        [json(w.accounts)],
      );
    }
    if (w.banks.length > 0) await upsertBankTotals(sql, w.banks, height, time);
    if (w.instructions.length > 0) {
      await sql.query(
        `INSERT INTO lending_custody_instructions (bank, ref, kind, customer_id, amount, at, tx)
         SELECT i.bank, i.ref, i.kind, i.customer_id, i.amount, to_timestamp(i.at / 1000.0), i.tx
         FROM jsonb_to_recordset($1::jsonb) AS i(bank text, ref text, kind text, customer_id text, amount bigint, at bigint, tx text)
         ON CONFLICT (bank, ref) DO NOTHING`,
        [json(w.instructions.map((i) => ({ bank: i.bank, ref: i.ref, kind: i.kind, customer_id: i.customerId, amount: i.amount, at: i.at, tx: i.tx })))],
      );
    }
    if (w.collaterals.length > 0) await upsertCollaterals(sql, w.collaterals);
    // Before the loans and claims change: what they were, for the supervisory figures' deltas.
    const loanChanges = await loansBefore(sql, w.loans);
    const claimChanges = await claimsBefore(sql, w.claims);
    if (w.loans.length > 0) await upsertLoans(sql, w.loans);
    if (w.bids.length > 0) {
      await sql.query(
        `INSERT INTO lending_bids (id, loan_id, lender, amount, sealed, at)
         SELECT b.id, b.loan_id, b.lender, b.amount, b.sealed, to_timestamp(b.at / 1000.0)
         FROM jsonb_to_recordset($1::jsonb) AS b(id text, loan_id text, lender text, amount bigint, sealed jsonb, at bigint)
         ON CONFLICT (id) DO NOTHING`,
        [json(w.bids.map((b) => ({ id: b.id, loan_id: b.loanId, lender: b.lender, amount: b.amount, sealed: b.sealed, at: b.at })))],
      );
    }
    if (w.claims.length > 0) await upsertClaims(sql, w.claims);
    if (w.withdrawnOffers.length > 0) {
      await sql.query(
        `DELETE FROM lending_claim_offers o USING jsonb_to_recordset($1::jsonb) AS d(loan_id text, claim_id text) WHERE o.loan_id = d.loan_id AND o.claim_id = d.claim_id`,
        [json(w.withdrawnOffers.map((o) => ({ loan_id: o.loanId, claim_id: o.claimId })))],
      );
    }
    if (w.offers.length > 0) {
      await sql.query(
        `INSERT INTO lending_claim_offers (loan_id, claim_id, seller, seller_platform, buyer, buyer_platform, price, sealed, offered_at, tx)
         SELECT o.loan_id, o.claim_id, o.seller, o.seller_platform, o.buyer, o.buyer_platform, o.price, o.sealed, to_timestamp(o.offered_at / 1000.0), o.tx
         FROM jsonb_to_recordset($1::jsonb) AS o(loan_id text, claim_id text, seller text, seller_platform text, buyer text, buyer_platform text, price bigint, sealed jsonb, offered_at bigint, tx text)
         ON CONFLICT (loan_id, claim_id) DO UPDATE SET buyer = EXCLUDED.buyer, buyer_platform = EXCLUDED.buyer_platform, price = EXCLUDED.price, sealed = EXCLUDED.sealed, offered_at = EXCLUDED.offered_at, tx = EXCLUDED.tx`,
        [
          json(
            w.offers.map((o) => ({
              loan_id: o.loanId,
              claim_id: o.claimId,
              seller: o.seller,
              seller_platform: o.sellerPlatform,
              buyer: o.buyer,
              buyer_platform: o.buyerPlatform,
              price: o.price,
              sealed: o.sealed,
              offered_at: o.offeredAt,
              tx: o.tx,
            })),
          ),
        ],
      );
    }
    if (w.instalments.length > 0) await upsertInstalments(sql, w.instalments);
    await projectSupervision(block, sql, { loans: loanChanges, claims: claimChanges });
  };
}

async function upsertPlatforms(sql: SqlClient, platforms: LendingPlatform[], height: number): Promise<void> {
  await sql.query(
    `INSERT INTO lending_platforms (org, custodian, registration_no, name, filing_status, custody_agreement_ref, status, registered_at, approved_at, suspended_at, suspend_reason, height)
     SELECT p.org, p.custodian, p.registration_no, p.name, p.filing_status, p.custody_agreement_ref, p.status, to_timestamp(p.registered_at / 1000.0),
            to_timestamp(p.approved_at / 1000.0), to_timestamp(p.suspended_at / 1000.0), p.suspend_reason, $2
     FROM jsonb_to_recordset($1::jsonb) AS p(org text, custodian text, registration_no text, name text, filing_status text, custody_agreement_ref text, status text,
                                            registered_at bigint, approved_at bigint, suspended_at bigint, suspend_reason text)
     ON CONFLICT (org) DO UPDATE SET name = EXCLUDED.name, filing_status = EXCLUDED.filing_status, custody_agreement_ref = EXCLUDED.custody_agreement_ref, status = EXCLUDED.status,
       approved_at = EXCLUDED.approved_at, suspended_at = EXCLUDED.suspended_at, suspend_reason = EXCLUDED.suspend_reason, height = EXCLUDED.height`,
    [
      json(
        platforms.map((p) => ({
          org: p.org,
          custodian: p.custodian,
          registration_no: p.registrationNo,
          name: p.name,
          filing_status: p.filingStatus,
          custody_agreement_ref: p.custodyAgreementRef,
          status: p.status,
          registered_at: p.registeredAt,
          approved_at: p.approvedAt,
          suspended_at: p.suspendedAt,
          suspend_reason: p.suspendReason,
        })),
      ),
      height,
    ],
  );
}

async function upsertCustomers(sql: SqlClient, customers: Customer[]): Promise<void> {
  await sql.query(
    `INSERT INTO lending_customers (id, platform, roles, person_kind, borrower_ref, sealed, registered_at, updated_at, tx)
     SELECT c.id, c.platform, ARRAY(SELECT jsonb_array_elements_text(c.roles)), c.person_kind, c.borrower_ref, c.sealed,
            to_timestamp(c.registered_at / 1000.0), to_timestamp(c.updated_at / 1000.0), c.tx
     FROM jsonb_to_recordset($1::jsonb) AS c(id text, platform text, roles jsonb, person_kind text, borrower_ref text, sealed jsonb, registered_at bigint, updated_at bigint, tx text)
     ON CONFLICT (id) DO UPDATE SET roles = EXCLUDED.roles, sealed = EXCLUDED.sealed, updated_at = EXCLUDED.updated_at`,
    [
      json(
        customers.map((c) => ({
          id: c.id,
          platform: c.platform,
          roles: c.roles,
          person_kind: c.personKind,
          borrower_ref: c.borrowerRef,
          sealed: c.sealed,
          registered_at: c.registeredAt,
          updated_at: c.updatedAt,
          tx: c.tx,
        })),
      ),
    ],
  );
}

async function upsertBankTotals(sql: SqlClient, banks: BankTotals[], height: number, time: number): Promise<void> {
  const rows = json(
    banks.map((b) => ({
      bank: b.bank,
      accounts: b.accounts,
      available: b.available,
      frozen: b.frozen,
      deposited: b.deposited,
      withdrawn: b.withdrawn,
      transferred_in: b.transferredIn,
      transferred_out: b.transferredOut,
      instructions: b.instructions,
    })),
  );
  const columns = `b(bank text, accounts int, available bigint, frozen bigint, deposited bigint, withdrawn bigint, transferred_in bigint, transferred_out bigint, instructions int)`;
  await sql.query(
    `INSERT INTO lending_bank_totals (bank, accounts, available, frozen, deposited, withdrawn, transferred_in, transferred_out, instructions, height, updated_at)
     SELECT b.bank, b.accounts, b.available, b.frozen, b.deposited, b.withdrawn, b.transferred_in, b.transferred_out, b.instructions, $2, to_timestamp($3 / 1000.0)
     FROM jsonb_to_recordset($1::jsonb) AS ${columns}
     ON CONFLICT (bank) DO UPDATE SET accounts = EXCLUDED.accounts, available = EXCLUDED.available, frozen = EXCLUDED.frozen, deposited = EXCLUDED.deposited,
       withdrawn = EXCLUDED.withdrawn, transferred_in = EXCLUDED.transferred_in, transferred_out = EXCLUDED.transferred_out, instructions = EXCLUDED.instructions,
       height = EXCLUDED.height, updated_at = EXCLUDED.updated_at`,
    [rows, height, time],
  );
  // The day's closing totals: the last block of the business day leaves its own.
  await sql.query(
    `INSERT INTO lending_bank_totals_daily (bank, business_date, accounts, available, frozen, height)
     SELECT b.bank, $3::date, b.accounts, b.available, b.frozen, $2 FROM jsonb_to_recordset($1::jsonb) AS ${columns}
     ON CONFLICT (bank, business_date) DO UPDATE SET accounts = EXCLUDED.accounts, available = EXCLUDED.available, frozen = EXCLUDED.frozen, height = EXCLUDED.height`,
    [rows, height, businessDateOf(time)],
  );
}

async function upsertCollaterals(sql: SqlClient, collaterals: Collateral[]): Promise<void> {
  await sql.query(
    `INSERT INTO lending_collaterals (id, type, identifier, appraised_value, documents, sealed_owner, registered_by, registered_at, status, lien_loan_id, lien_platform, lien_since)
     SELECT c.id, c.type, c.identifier, c.appraised_value, c.documents, c.sealed_owner, c.registered_by, to_timestamp(c.registered_at / 1000.0), c.status,
            c.lien->>'loanId', c.lien->>'platform', to_timestamp((c.lien->>'since')::bigint / 1000.0)
     FROM jsonb_to_recordset($1::jsonb) AS c(id text, type text, identifier text, appraised_value bigint, documents jsonb, sealed_owner jsonb, registered_by text, registered_at bigint, status text, lien jsonb)
     ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, lien_loan_id = EXCLUDED.lien_loan_id, lien_platform = EXCLUDED.lien_platform, lien_since = EXCLUDED.lien_since`,
    [
      json(
        collaterals.map((c) => ({
          id: c.id,
          type: c.type,
          identifier: c.identifier,
          appraised_value: c.appraisedValue,
          documents: c.documents,
          sealed_owner: c.sealedOwner,
          registered_by: c.registeredBy,
          registered_at: c.registeredAt,
          status: c.status,
          lien: c.lien,
        })),
      ),
    ],
  );
}

async function loansBefore(sql: SqlClient, loans: Loan[]): Promise<LoanChange[]> {
  if (loans.length === 0) return [];
  const { rows } = await sql.query<{ id: string; status: string; outstanding: string }>('SELECT id, status, outstanding::text AS outstanding FROM lending_loans WHERE id = ANY($1::text[])', [
    loans.map((l) => l.id),
  ]);
  const before = new Map(rows.map((r) => [r.id, r]));
  return loans.map((l) => ({ after: l, before: before.get(l.id) ?? null }));
}

async function claimsBefore(sql: SqlClient, claims: ClaimToken[]): Promise<ClaimChange[]> {
  if (claims.length === 0) return [];
  const { rows } = await sql.query<{ id: string; holder: string; holder_platform: string; outstanding: string }>(
    'SELECT id, holder, holder_platform, outstanding::text AS outstanding FROM lending_claims WHERE id = ANY($1::text[])',
    [claims.map((c) => c.id)],
  );
  const before = new Map(rows.map((r) => [r.id, { holder: r.holder, holderPlatform: r.holder_platform, outstanding: r.outstanding }]));
  return claims.map((c) => ({ after: c, before: before.get(c.id) ?? null }));
}

async function upsertLoans(sql: SqlClient, loans: Loan[]): Promise<void> {
  await sql.query(
    `INSERT INTO lending_loans (id, platform, bank, borrower, borrower_ref, person_kind, amount, apr_bps, apr_cap_bps, term_months, method, purpose, funding_deadline,
                                collateral_id, sealed, status, funded, bids, listed_at, height, tx, activated_at, matures_at, outstanding, next_instalment,
                                overdue_instalments, closed_at, defaulted_at, default_reason)
     SELECT l.id, l.platform, l.bank, l.borrower, l.borrower_ref, l.person_kind, l.amount, l.apr_bps, l.apr_cap_bps, l.term_months, l.method, l.purpose,
            to_timestamp(l.funding_deadline / 1000.0), l.collateral_id, l.sealed, l.status, l.funded, l.bids, to_timestamp(l.listed_at / 1000.0), l.height, l.tx,
            to_timestamp(l.activated_at / 1000.0), to_timestamp(l.matures_at / 1000.0), l.outstanding, l.next_instalment, l.overdue_instalments,
            to_timestamp(l.closed_at / 1000.0), to_timestamp(l.defaulted_at / 1000.0), l.default_reason
     FROM jsonb_to_recordset($1::jsonb) AS l(id text, platform text, bank text, borrower text, borrower_ref text, person_kind text, amount bigint, apr_bps int,
            apr_cap_bps int, term_months int, method text, purpose text, funding_deadline bigint, collateral_id text, sealed jsonb, status text, funded bigint, bids int,
            listed_at bigint, height bigint, tx text, activated_at bigint, matures_at bigint, outstanding bigint, next_instalment int, overdue_instalments int,
            closed_at bigint, defaulted_at bigint, default_reason text)
     ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, funded = EXCLUDED.funded, bids = EXCLUDED.bids, activated_at = EXCLUDED.activated_at,
       matures_at = EXCLUDED.matures_at, outstanding = EXCLUDED.outstanding, next_instalment = EXCLUDED.next_instalment,
       overdue_instalments = EXCLUDED.overdue_instalments, closed_at = EXCLUDED.closed_at, defaulted_at = EXCLUDED.defaulted_at, default_reason = EXCLUDED.default_reason`,
    [
      json(
        loans.map((l) => ({
          id: l.id,
          platform: l.platform,
          bank: l.bank,
          borrower: l.borrower,
          borrower_ref: l.borrowerRef,
          person_kind: l.personKind,
          amount: l.amount,
          apr_bps: l.aprBps,
          apr_cap_bps: l.aprCapBps,
          term_months: l.termMonths,
          method: l.method,
          purpose: l.purpose,
          funding_deadline: l.fundingDeadline,
          collateral_id: l.collateralId,
          sealed: l.sealed,
          status: l.status,
          funded: l.funded,
          bids: l.bids,
          listed_at: l.listedAt,
          height: l.height,
          tx: l.tx,
          activated_at: l.activatedAt,
          matures_at: l.maturesAt,
          outstanding: l.outstanding,
          next_instalment: l.nextInstalment,
          overdue_instalments: l.overdueInstalments,
          closed_at: l.closedAt,
          defaulted_at: l.defaultedAt,
          default_reason: l.defaultReason,
        })),
      ),
    ],
  );
}

async function upsertClaims(sql: SqlClient, claims: ClaimToken[]): Promise<void> {
  await sql.query(
    `INSERT INTO lending_claims (id, loan_id, holder, holder_platform, face, outstanding, principal_received, interest_received, acquired_at, transfers)
     SELECT c.id, c.loan_id, c.holder, c.holder_platform, c.face, c.outstanding, c.principal_received, c.interest_received, to_timestamp(c.acquired_at / 1000.0), c.transfers
     FROM jsonb_to_recordset($1::jsonb) AS c(id text, loan_id text, holder text, holder_platform text, face bigint, outstanding bigint, principal_received bigint,
                                            interest_received bigint, acquired_at bigint, transfers int)
     ON CONFLICT (id) DO UPDATE SET holder = EXCLUDED.holder, holder_platform = EXCLUDED.holder_platform, outstanding = EXCLUDED.outstanding,
       principal_received = EXCLUDED.principal_received, interest_received = EXCLUDED.interest_received, acquired_at = EXCLUDED.acquired_at, transfers = EXCLUDED.transfers`,
    [
      json(
        claims.map((c) => ({
          id: c.id,
          loan_id: c.loanId,
          holder: c.holder,
          holder_platform: c.holderPlatform,
          face: c.face,
          outstanding: c.outstanding,
          principal_received: c.principalReceived,
          interest_received: c.interestReceived,
          acquired_at: c.acquiredAt,
          transfers: c.transfers,
        })),
      ),
    ],
  );
}

async function upsertInstalments(sql: SqlClient, instalments: (Instalment & { loanId: string })[]): Promise<void> {
  await sql.query(
    `INSERT INTO lending_instalments (loan_id, k, due_at, principal, interest, total, status, overdue_at, paid_at, paid_late, shares)
     SELECT i.loan_id, i.k, to_timestamp(i.due_at / 1000.0), i.principal, i.interest, i.total, i.status, to_timestamp(i.overdue_at / 1000.0),
            to_timestamp(i.paid_at / 1000.0), i.paid_late, i.shares
     FROM jsonb_to_recordset($1::jsonb) AS i(loan_id text, k int, due_at bigint, principal bigint, interest bigint, total bigint, status text, overdue_at bigint,
                                            paid_at bigint, paid_late boolean, shares jsonb)
     ON CONFLICT (loan_id, k) DO UPDATE SET status = EXCLUDED.status, overdue_at = EXCLUDED.overdue_at, paid_at = EXCLUDED.paid_at, paid_late = EXCLUDED.paid_late, shares = EXCLUDED.shares`,
    [
      json(
        instalments.map((i) => ({
          loan_id: i.loanId,
          k: i.k,
          due_at: i.dueAt,
          principal: i.principal,
          interest: i.interest,
          total: i.total,
          status: i.status,
          overdue_at: i.overdueAt,
          paid_at: i.paidAt,
          paid_late: i.paidLate,
          shares: i.shares,
        })),
      ),
    ],
  );
}
