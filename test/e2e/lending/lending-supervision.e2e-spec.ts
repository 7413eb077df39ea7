import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import pg from 'pg';
import { LendingOverdueJob, LendingReconciliationJob, businessDateOf } from '@zizhu/lending';
import { startTestNode, type TestNode } from '../../support/node.js';
import { LendingClient, YUAN, residentId, vin } from './lending-support.js';

const DAY = 86_400_000;

type Stats = {
  platform: string;
  outstandingPrincipal: string;
  overduePrincipal: string;
  overdueRate: number;
  activeLoans: number;
  overdueLoans: number;
  borrowers: number;
  lenders: number;
  largestBorrowerPrincipal: string;
  largestBorrowerShare: number;
};
const STATS = 'platform outstandingPrincipal overduePrincipal overdueRate activeLoans overdueLoans borrowers lenders largestBorrowerPrincipal largestBorrowerShare';

/**
 * Supervision on a controlled clock: the regulator's dashboard as loans start, fall overdue (the
 * scheduled overdue job, run here by hand) and default (collateral to ENFORCEMENT); notifications;
 * the daily custody reconciliation against the bank's reported totals.
 */
describe('lending supervision: dashboard, overdue job, default, notifications, reconciliation', () => {
  let t: TestNode;
  let c: LendingClient;
  let now = Date.now();
  let pool: pg.Pool;
  let loanId: string;
  let collateralId: string;

  const dashboard = async () =>
    (await c.ok<{ lendingDashboard: { total: Stats; platforms: Stats[] } }>('regulator', `{ lendingDashboard { total { ${STATS} } platforms { ${STATS} } } }`)).lendingDashboard;
  const relogin = () => c.loginAdmins(['bank-a', 'regulator', 'platform-a', 'platform-b']);

  beforeAll(async () => {
    t = await startTestNode({}, { clock: () => now });
    pool = new pg.Pool({ connectionString: t.db.url, max: 2 });
    c = new LendingClient(t);
    // The development LPR takes effect just after the first start's block.
    now += 1_000;
    await relogin();
    await c.onboard('bank-a', 'platform-a');
    await c.onboard('bank-a', 'platform-b');
  });
  afterAll(async () => {
    await pool?.end();
    await t?.close();
  });

  it('the dashboard per platform and in total: outstanding principal, borrowers and lenders counted as persons, largest-borrower concentration', async () => {
    const borrower = await c.customer('platform-a', ['BORROWER'], { name: 'Borrower P' });
    const l1 = await c.customer('platform-a', ['LENDER']);
    const l2 = await c.customer('platform-a', ['LENDER']);
    await c.deposit('bank-a', l1, 8_000n * YUAN);
    await c.deposit('bank-a', l2, 4_000n * YUAN);
    collateralId = (await c.ok<{ registerCollateral: { collateral: { id: string } } }>('platform-a', 'mutation($i: RegisterCollateralInput!) { registerCollateral(input: $i) { collateral { id } } }', {
      i: { type: 'VEHICLE', identifier: vin(), appraisedValue: String(30_000n * YUAN), ownerName: 'Borrower P', ownerNationalId: residentId() },
    })).registerCollateral.collateral.id;
    // ¥12,000 at 12 % over 12 months, equal principal (等额本金): ¥1,000 of principal a month.
    const listed = await c.list('platform-a', borrower, 12_000n * YUAN, { method: 'EQUAL_PRINCIPAL', collateralId, fundingDeadline: now + 7 * DAY });
    expect(listed.body.errors).toBeUndefined();
    loanId = listed.body.data!.createLoanListing.id;
    await c.bid('platform-a', loanId, l1, 8_000n * YUAN);
    expect((await c.bid('platform-a', loanId, l2, 4_000n * YUAN)).status).toBe('ACTIVE');

    // One person borrowing on both platforms is one borrower in total, one on each platform.
    const nationalId = residentId();
    const qA = await c.customer('platform-a', ['BORROWER'], { nationalId });
    const qB = await c.customer('platform-b', ['BORROWER'], { nationalId });
    const lA = await c.customer('platform-a', ['LENDER']);
    const lB = await c.customer('platform-b', ['LENDER']);
    await c.deposit('bank-a', lA, 3_000n * YUAN);
    await c.deposit('bank-a', lB, 2_000n * YUAN);
    const qLoanA = (await c.list('platform-a', qA, 3_000n * YUAN, { fundingDeadline: now + 7 * DAY })).body.data!.createLoanListing.id;
    const qLoanB = (await c.list('platform-b', qB, 2_000n * YUAN, { fundingDeadline: now + 7 * DAY })).body.data!.createLoanListing.id;
    await c.bid('platform-a', qLoanA, lA, 3_000n * YUAN);
    await c.bid('platform-b', qLoanB, lB, 2_000n * YUAN);

    const d = await dashboard();
    const a = d.platforms.find((p) => p.platform === 'platform-a')!;
    const b = d.platforms.find((p) => p.platform === 'platform-b')!;
    expect(a).toEqual({
      platform: 'platform-a',
      outstandingPrincipal: String(15_000n * YUAN),
      overduePrincipal: '0',
      overdueRate: 0,
      activeLoans: 2,
      overdueLoans: 0,
      borrowers: 2,
      lenders: 3,
      largestBorrowerPrincipal: String(12_000n * YUAN),
      largestBorrowerShare: 0.8,
    });
    expect(b).toMatchObject({ outstandingPrincipal: String(2_000n * YUAN), activeLoans: 1, borrowers: 1, lenders: 1, largestBorrowerShare: 1 });
    expect(d.total).toEqual({
      platform: '*',
      outstandingPrincipal: String(17_000n * YUAN),
      overduePrincipal: '0',
      overdueRate: 0,
      activeLoans: 3,
      overdueLoans: 0,
      borrowers: 2,
      lenders: 4,
      largestBorrowerPrincipal: String(12_000n * YUAN),
      largestBorrowerShare: 0.705882,
    });
    // The regulator's only; as CSV too.
    expect(await c.refused('bank-a', '{ lendingDashboard { total { platform } } }')).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_A_REGULATOR' });
    const csv = await fetch(`${t.url}/lending/dashboard.csv`, { headers: { authorization: `Bearer ${c.tokens.regulator}` } });
    expect(csv.status).toBe(200);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toMatch(/^platform,outstanding_principal_fen,/);
    expect(lines).toContain(`*,${17_000n * YUAN},0,0,3,0,2,4,${12_000n * YUAN},0.705882,0,0,0`);
    expect((await fetch(`${t.url}/lending/dashboard.csv`, { headers: { authorization: `Bearer ${c.tokens['platform-a']}` } })).status).toBe(403);
  });

  it('the overdue job marks an instalment past due + grace days OVERDUE and notifies the platform; a default sends the collateral to ENFORCEMENT', async () => {
    const job = t.node.app.get(LendingOverdueJob, { strict: false });
    expect(await job.handle()).toEqual({ marked: 0, early: 0 });
    // A month and the 3 grace days later (and a little): the first instalments of the three loans.
    now += 40 * DAY;
    await relogin();
    expect(await job.handle()).toEqual({ marked: 3, early: 0 });
    expect(await job.handle()).toEqual({ marked: 0, early: 0 });
    const loan = (await c.ok<{ loan: { status: string; overdueInstalments: number; schedule: { status: string }[] } }>('platform-a', 'query($id: String!) { loan(loanId: $id) { status overdueInstalments schedule { status } } }', { id: loanId })).loan;
    expect(loan).toMatchObject({ status: 'OVERDUE', overdueInstalments: 1 });
    expect(loan.schedule.slice(0, 2).map((i) => i.status)).toEqual(['OVERDUE', 'DUE']);

    const notes = (await c.ok<{ lendingNotifications: { edges: { node: { kind: string; loanId: string; instalment: number } }[] } }>('platform-a', '{ lendingNotifications(first: 10) { edges { node { kind loanId instalment } } } }')).lendingNotifications.edges.map((e) => e.node);
    expect(notes).toContainEqual({ kind: 'INSTALMENT_OVERDUE', loanId, instalment: 1 });
    expect(notes).toHaveLength(2);
    expect((await c.ok<{ lendingNotifications: { edges: unknown[] } }>('platform-b', '{ lendingNotifications(first: 10) { edges { node { kind } } } }')).lendingNotifications.edges).toHaveLength(1);

    const overdue = await dashboard();
    expect(overdue.platforms.find((p) => p.platform === 'platform-a')).toMatchObject({ overdueLoans: 2, overduePrincipal: String(15_000n * YUAN), overdueRate: 1 });

    // The custodian bank declares the loan in default: its collateral goes to enforcement.
    const defaulted = await c.ok<{ declareLoanDefault: { status: string; defaultReason: string } }>('bank-a', 'mutation($l: String!) { declareLoanDefault(loanId: $l, reason: "no payment after two reminders") { status defaultReason } }', { l: loanId });
    expect(defaulted.declareLoanDefault).toEqual({ status: 'DEFAULTED', defaultReason: 'no payment after two reminders' });
    expect((await c.ok<{ collateral: { status: string; lienLoanId: string } }>('regulator', 'query($id: String!) { collateral(id: $id) { status lienLoanId } }', { id: collateralId })).collateral).toEqual({ status: 'ENFORCEMENT', lienLoanId: loanId });
    const all = (await c.ok<{ lendingNotifications: { edges: { node: { kind: string; org: string } }[] } }>('regulator', '{ lendingNotifications(first: 10) { edges { node { kind org } } } }')).lendingNotifications.edges.map((e) => e.node);
    expect(all).toContainEqual({ kind: 'LOAN_DEFAULTED', org: 'platform-a' });
    expect(all).toHaveLength(4);
    // A platform that is not a party may not declare it.
    expect(await c.refused('platform-b', 'mutation($l: String!) { declareLoanDefault(loanId: $l, reason: "x") { status } }', { l: loanId })).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_A_PARTY' });
  });

  it("reconciles the bank's reported totals with the chain's closing custody totals of the day: MATCHED, a difference, NOT_REPORTED; the daily job does the previous day", async () => {
    const day = businessDateOf(now);
    const totals = (await c.ok<{ custodyTotals: { bank: string; accounts: number; available: string; frozen: string }[] }>('bank-a', '{ custodyTotals { bank accounts available frozen } }')).custodyTotals;
    expect(totals).toHaveLength(1);
    const chain = totals[0];
    expect(chain.bank).toBe('bank-a');
    const REPORT = 'mutation($i: ReportCustodyTotalsInput!) { reportCustodyTotals(input: $i) { bank businessDate available } }';
    const RECONCILE = 'mutation($d: String!) { reconcileCustody(businessDate: $d) { bank businessDate status differences { field chain reported difference } } }';

    expect((await c.ok<{ reconcileCustody: unknown[] }>('bank-a', RECONCILE, { d: day })).reconcileCustody).toEqual([{ bank: 'bank-a', businessDate: day, status: 'NOT_REPORTED', differences: [] }]);
    await c.ok('bank-a', REPORT, { i: { businessDate: day, accounts: chain.accounts, available: chain.available, frozen: chain.frozen } });
    expect((await c.ok<{ reconcileCustody: unknown[] }>('bank-a', RECONCILE, { d: day })).reconcileCustody).toEqual([{ bank: 'bank-a', businessDate: day, status: 'MATCHED', differences: [] }]);
    // The core banking system says ¥1 more is available: a difference, reported − chain.
    await c.ok('bank-a', REPORT, { i: { businessDate: day, accounts: chain.accounts, available: String(BigInt(chain.available) + YUAN), frozen: chain.frozen } });
    expect((await c.ok<{ reconcileCustody: unknown[] }>('regulator', RECONCILE, { d: day })).reconcileCustody).toEqual([
      { bank: 'bank-a', businessDate: day, status: 'MISMATCHED', differences: [{ field: 'available', chain: chain.available, reported: String(BigInt(chain.available) + YUAN), difference: '100' }] },
    ]);
    const listed = (await c.ok<{ custodyReconciliations: { edges: { node: { bank: string; status: string } }[] } }>('regulator', '{ custodyReconciliations(first: 5) { edges { node { bank status } } } }')).custodyReconciliations.edges.map((e) => e.node);
    expect(listed[0]).toEqual({ bank: 'bank-a', status: 'MISMATCHED' });
    expect(await c.refused('platform-a', '{ custodyReconciliations(first: 5) { edges { node { bank } } } }')).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_A_BANK_OR_REGULATOR' });
    expect(await c.refused('platform-a', REPORT, { i: { businessDate: day, accounts: 0, available: '0', frozen: '0' } })).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_A_BANK' });

    // The scheduled job, the next day: the day just closed, and any day reported since its last run.
    await c.ok('bank-a', REPORT, { i: { businessDate: day, accounts: chain.accounts, available: chain.available, frozen: chain.frozen } });
    const job = new LendingReconciliationJob(pool, () => now + DAY);
    expect(await job.handle()).toEqual([{ bank: 'bank-a', businessDate: day, status: 'MATCHED', differences: [] }]);
    expect(await job.handle()).toEqual([{ bank: 'bank-a', businessDate: day, status: 'MATCHED', differences: [] }]);
  });
});
