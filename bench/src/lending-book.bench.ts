import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { repaymentSchedule, type RepaymentMethod } from '@zizhu/contract-lending';
import { endNodeRun, nodeEnv, NodeSpanMeter, scratchDir, startNode, type NodeProcess } from './node-fixture.js';
import {
  AdminSessions,
  BANK,
  BID,
  DASHBOARD,
  DAY_MS,
  DEPOSIT,
  LIST,
  PLATFORMS,
  REGISTER_CUSTOMER,
  REGULATOR,
  REPAY,
  YUAN,
  customerInput,
  inLanes,
  latency,
  onboardPlatforms,
  testClock,
  type DashboardStats,
} from './lending-fixture.js';
import { assertDurable, createDatabase, describeMachine, intOption, log, round1, waitForQuietMachine, writeResult, type BenchArgs } from './support.js';

export const description =
  'A simulated lending book through the node (`node apps/node/dist/main.js`, its own process, on a controlled clock) over GraphQL: platforms onboarded, customers, custody deposits, ' +
  'listings, each loan funded by N lenders, repaid monthly; total time, lending tx/s and per phase, the book checked to balance at the end; ' +
  'options --loans (1,000) --lenders (20 per loan) --months (12) --lender-pool (2,000) --concurrency (128 requests in flight) --profile <dir>';

const METHODS: RepaymentMethod[] = ['EQUAL_INSTALLMENT', 'EQUAL_PRINCIPAL', 'INTEREST_ONLY'];
/** A natural person's per-platform cap (¥200,000): no loan is larger. */
const CAP_FEN = 200_000n * YUAN;

interface Customer {
  n: number;
  platform: string;
  role: 'BORROWER' | 'LENDER';
  id?: string;
}

interface LoanPlan {
  i: number;
  platform: string;
  borrower: Customer;
  lenders: Customer[];
  share: bigint;
  amount: bigint;
  aprBps: number;
  method: RepaymentMethod;
  interest: bigint;
  id?: string;
}

interface Phase {
  name: string;
  transactions: number;
  elapsedS: number;
  txPerSec: number;
  requestMs: ReturnType<typeof latency>;
  nodeCpuPct: number;
  postgresCpuPct: number;
  benchCpuPct: number;
  othersCpuPct: number;
  contended: boolean;
}

export async function run(args: BenchArgs): Promise<void> {
  await assertDurable();
  const machine = await describeMachine();
  const loans = intOption(args, 'loans', 1_000);
  const perLoan = intOption(args, 'lenders', 20);
  const months = intOption(args, 'months', 12);
  const pool = intOption(args, 'lender-pool', 2_000);
  const lanes = intOption(args, 'concurrency', 128);
  const perPlatformPool = Math.floor(pool / PLATFORMS.length);
  if (loans < 1 || perLoan < 1 || months < 1) throw new Error('--loans, --lenders and --months must be at least 1');
  if (perPlatformPool < perLoan) throw new Error(`--lender-pool ${pool} gives ${perPlatformPool} lenders a platform, fewer than --lenders ${perLoan}`);

  // ---- the book: who borrows what, who lends to whom (lenders are customers of the listing's platform)
  let serial = 0;
  const lenders = PLATFORMS.map((platform) => Array.from({ length: perPlatformPool }, (): Customer => ({ n: serial++, platform, role: 'LENDER' })));
  const plan: LoanPlan[] = [];
  const onPlatform = PLATFORMS.map(() => 0);
  for (let i = 0; i < loans; i++) {
    const p = i % PLATFORMS.length;
    const platform = PLATFORMS[p];
    const start = (onPlatform[p]++ * perLoan) % perPlatformPool;
    const chosen = Array.from({ length: perLoan }, (_, j) => lenders[p][(start + j) % perPlatformPool]);
    // ¥2,000 to ¥10,000 a lender, within the cap.
    let share = (2_000n + BigInt((i * 37) % 9) * 1_000n) * YUAN;
    if (share * BigInt(perLoan) > CAP_FEN) share = CAP_FEN / BigInt(perLoan);
    const amount = share * BigInt(perLoan);
    const aprBps = 800 + (i % 6) * 100;
    const method = METHODS[i % METHODS.length];
    const interest = repaymentSchedule(amount, aprBps, months, method).reduce((s, x) => s + x.interest, 0n);
    plan.push({ i, platform, borrower: { n: serial++, platform, role: 'BORROWER' }, lenders: chosen, share, amount, aprBps, method, interest });
  }
  const allLenders = lenders.flat();
  const lent = new Map<Customer, bigint>();
  for (const l of plan) for (const c of l.lenders) lent.set(c, (lent.get(c) ?? 0n) + l.share);
  const usedLenders = allLenders.filter((c) => lent.has(c));
  const expected = {
    principal: plan.reduce((s, l) => s + l.amount, 0n),
    interest: plan.reduce((s, l) => s + l.interest, 0n),
  };

  const db = await createDatabase('zizhu_bench_lending_book', args.keep);
  const scratch = scratchDir('zizhu-bench-lending-book-');
  const home = join(scratch.path, 'home');
  const clockToken = randomBytes(32).toString('hex');
  const sql = new pg.Client({ connectionString: db.url });
  let node: NodeProcess | undefined;
  const phases: Phase[] = [];
  let figures: Record<string, unknown> | undefined;
  try {
    log('starting the node on a fresh database with a controlled clock (ZIZHU_TEST_CLOCK_TOKEN)');
    const profileDir = args.options.get('profile');
    node = await startNode(nodeEnv(db.url, home, { ZIZHU_TEST_CLOCK_TOKEN: clockToken }), { nodeArgs: profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [] });
    const url = node.url;
    await sql.connect();
    const lendingTxs = async () => Number((await sql.query<{ n: string }>("SELECT count(*) AS n FROM ledger_txs WHERE channel = 'lending'")).rows[0].n);
    const lendingBlocks = async () => Number((await sql.query<{ n: string }>("SELECT count(*) AS n FROM ledger_blocks WHERE channel = 'lending'")).rows[0].n);
    const s = new AdminSessions(url, home);
    await s.refresh();
    const txsBefore = await lendingTxs();
    const blocksBefore = await lendingBlocks();
    const machineBusyBeforePct = await waitForQuietMachine();
    log(
      `the book: ${loans.toLocaleString('en')} loans × ${perLoan} lenders (pool of ${pool.toLocaleString('en')}, ${usedLenders.length.toLocaleString('en')} used), ` +
        `${months} monthly instalments; ${lanes} requests in flight`,
    );

    const overall = new NodeSpanMeter(node.pid);
    const benchCpu0 = process.cpuUsage();
    const t0 = performance.now();
    const phase = async (name: string, work: () => Promise<number[]>): Promise<void> => {
      await s.fresh();
      const before = await lendingTxs();
      const meter = new NodeSpanMeter(node!.pid);
      const cpu0 = process.cpuUsage();
      const p0 = performance.now();
      const ms = await work();
      const elapsed = performance.now() - p0;
      const cpu = process.cpuUsage(cpu0);
      const benchCpuPct = Math.round(((cpu.user + cpu.system) / 1000 / elapsed) * 100);
      const span = meter.finish(benchCpuPct);
      const transactions = (await lendingTxs()) - before;
      const p: Phase = {
        name,
        transactions,
        elapsedS: round1(elapsed / 1000),
        txPerSec: Math.round(transactions / (elapsed / 1000)),
        requestMs: latency(ms),
        nodeCpuPct: span.nodeCpuPct,
        postgresCpuPct: span.postgresCpuPct,
        benchCpuPct,
        othersCpuPct: span.othersCpuPct,
        contended: span.contended,
      };
      phases.push(p);
      log(
        `  ${name}: ${transactions.toLocaleString('en')} tx in ${p.elapsedS} s (${p.txPerSec} tx/s); request p50 ${p.requestMs.p50} ms, p99 ${p.requestMs.p99} ms; ` +
          `CPU node ${span.nodeCpuPct}%, PostgreSQL ${span.postgresCpuPct}%, bench ${benchCpuPct}%, others ${span.othersCpuPct}%${span.contended ? ' (contended)' : ''}`,
      );
    };

    // 1. onboarding: the bank registers and approves both platforms.
    await phase('onboarding', async () => {
      const a = performance.now();
      await onboardPlatforms(s);
      return [performance.now() - a];
    });

    // 2. customers: every lender of the pool that lends, and one borrower a loan (KYC sealed by the node).
    const customers: Customer[] = [...usedLenders, ...plan.map((l) => l.borrower)];
    await phase('customers', () =>
      inLanes(customers, lanes, async (c) => {
        c.id = (await s.gql(c.platform)<{ registerLendingCustomer: { id: string } }>(REGISTER_CUSTOMER, { i: customerInput(c.n, [c.role]) })).registerLendingCustomer.id;
      }),
    );

    // 3. deposits: each lender what it will lend, each borrower the interest it will owe (so that both end at exactly what the book says).
    const deposits: { customer: Customer; amount: bigint }[] = [...usedLenders.map((c) => ({ customer: c, amount: lent.get(c)! })), ...plan.map((l) => ({ customer: l.borrower, amount: l.interest }))].filter(
      (d) => d.amount > 0n,
    );
    await phase('deposits', () =>
      inLanes(deposits, lanes, async (d, i) => {
        await s.gql(BANK)(DEPOSIT, { i: { ref: `CBS-${i}-${d.customer.n}`, customerId: d.customer.id, amount: String(d.amount) } });
      }),
    );

    // 4. listings, a week to fund each.
    const listedAt = (await testClock(url, clockToken)).now;
    await phase('listings', () =>
      inLanes(plan, lanes, async (l) => {
        const r = await s.gql(l.platform)<{ createLoanListing: { id: string; status: string } }>(LIST, {
          i: { borrowerId: l.borrower.id, amount: String(l.amount), aprBps: l.aprBps, termMonths: months, method: l.method, purpose: 'WORKING_CAPITAL', fundingDeadline: listedAt + 7 * DAY_MS },
        });
        l.id = r.createLoanListing.id;
      }),
    );

    // 5. bids: every lender's share of every loan; the last one starts the loan.
    const bids = plan.flatMap((l) => l.lenders.map((c) => ({ loan: l, lender: c })));
    await phase('bids', () =>
      inLanes(bids, lanes, async (b) => {
        await s.gql(b.loan.platform)(BID, { i: { loanId: b.loan.id, lenderId: b.lender.id, amount: String(b.loan.share) } });
      }),
    );
    const active = Number((await sql.query<{ n: string }>("SELECT count(*) AS n FROM lending_loans WHERE status = 'ACTIVE'")).rows[0].n);
    if (active !== loans) throw new Error(`${active} of ${loans} loans are ACTIVE after funding`);

    // 6. repayments: the clock moves to each instalment's due date (the latest loan's), then every loan repays it.
    const repayMs: number[] = [];
    const clockMoves: { instalment: number; advancedDays: number }[] = [];
    for (let k = 1; k <= months; k++) {
      const due = Number((await sql.query<{ due: string }>('SELECT (extract(epoch FROM max(due_at)) * 1000)::bigint AS due FROM lending_instalments WHERE k = $1', [k])).rows[0].due);
      const now = (await testClock(url, clockToken)).now;
      const moved = await testClock(url, clockToken, Math.max(0, due - now + 1_000));
      clockMoves.push({ instalment: k, advancedDays: round1((moved.now - now) / DAY_MS) });
      // A month later on the node's clock: the admins' access tokens have expired.
      await s.refresh();
      await phase(`repayments ${k}`, async () => {
        const ms = await inLanes(plan, lanes, async (l) => {
          await s.gql(l.platform)(REPAY, { l: l.id, k });
        });
        repayMs.push(...ms);
        return ms;
      });
    }
    const totalMs = performance.now() - t0;
    const benchCpu = process.cpuUsage(benchCpu0);
    const benchCpuPct = Math.round(((benchCpu.user + benchCpu.system) / 1000 / totalMs) * 100);
    const span = overall.finish(benchCpuPct);
    const transactions = (await lendingTxs()) - txsBefore;
    const blocks = (await lendingBlocks()) - blocksBefore;
    log(`the book ran in ${round1(totalMs / 1000)} s: ${transactions.toLocaleString('en')} lending transactions in ${blocks.toLocaleString('en')} blocks, ${Math.round(transactions / (totalMs / 1000))} tx/s`);

    // ---- the book balances
    const q = async <T extends Record<string, unknown>>(text: string, values: unknown[] = []) => (await sql.query<T>(text, values)).rows;
    const byMethod = await q<{ method: string; status: string; n: string }>(
      `SELECT (signed::jsonb -> 'envelope' ->> 'method') AS method, status, count(*) AS n FROM ledger_txs WHERE channel = 'lending' AND seq >= $1 GROUP BY 1, 2 ORDER BY 1, 2`,
      [txsBefore],
    );
    const expectedTxs = 4 + customers.length + deposits.length + loans + bids.length + loans * months;
    const notCommitted = byMethod.filter((r) => r.status !== 'COMMITTED').reduce((a, r) => a + Number(r.n), 0);
    const statuses = Object.fromEntries((await q<{ status: string; n: string }>('SELECT status, count(*) AS n FROM lending_loans GROUP BY status')).map((r) => [r.status, Number(r.n)]));
    const [inst] = await q<{ unpaid: string; late: string; principal: string; interest: string }>(
      `SELECT count(*) FILTER (WHERE status <> 'PAID') AS unpaid, count(*) FILTER (WHERE paid_late) AS late, sum(principal)::text AS principal, sum(interest)::text AS interest FROM lending_instalments`,
    );
    const [claims] = await q<{ principal: string; interest: string; outstanding: string }>(
      'SELECT sum(principal_received)::text AS principal, sum(interest_received)::text AS interest, sum(outstanding)::text AS outstanding FROM lending_claims',
    );
    const [moved] = await q<{ repaid: string; disbursed: string }>(
      `SELECT (sum(amount) FILTER (WHERE kind = 'REPAYMENT'))::text AS repaid, (sum(amount) FILTER (WHERE kind = 'DISBURSEMENT'))::text AS disbursed FROM lending_fund_movements`,
    );
    const lenderIds = usedLenders.map((c) => c.id!);
    const borrowerIds = plan.map((l) => l.borrower.id!);
    const [accounts] = await q<{ lenders: string; borrowers: string; frozen: string; available: string; n: string }>(
      `SELECT (sum(available) FILTER (WHERE id = ANY($1::text[])))::text AS lenders, (sum(available) FILTER (WHERE id = ANY($2::text[])))::text AS borrowers,
              sum(frozen)::text AS frozen, sum(available)::text AS available, count(*) AS n FROM lending_accounts WHERE bank = $3`,
      [lenderIds, borrowerIds, BANK],
    );
    const [totals] = await q<{ available: string; frozen: string; deposited: string; withdrawn: string; transferred_in: string; transferred_out: string; accounts: number }>(
      'SELECT available::text, frozen::text, deposited::text, withdrawn::text, transferred_in::text, transferred_out::text, accounts FROM lending_bank_totals WHERE bank = $1',
      [BANK],
    );
    const chainTotals = (await s.gql(BANK)<{ custodyTotals: { bank: string; available: string; frozen: string; deposited: string; accounts: number }[] }>('{ custodyTotals { bank available frozen deposited accounts } }')).custodyTotals[0];
    const dashboard = (await s.gql(REGULATOR)<{ lendingDashboard: { total: DashboardStats } }>(DASHBOARD)).lendingDashboard.total;
    const deposited = deposits.reduce((a, d) => a + d.amount, 0n);
    const borrowerPayments = BigInt(inst.principal) + BigInt(inst.interest);
    const lenderReceipts = BigInt(claims.principal) + BigInt(claims.interest);
    const checks: Record<string, boolean> = {
      everyTransactionCounted: transactions === expectedTxs,
      allCommitted: notCommitted === 0,
      everyLoanRepaid: statuses.REPAID === loans && Object.keys(statuses).length === 1,
      everyInstalmentPaidOnTime: Number(inst.unpaid) === 0 && Number(inst.late) === 0,
      lenderReceiptsEqualBorrowerPayments: lenderReceipts === borrowerPayments && BigInt(moved.repaid) === borrowerPayments,
      principalBackInFull: BigInt(claims.principal) === expected.principal && BigInt(inst.principal) === expected.principal && BigInt(moved.disbursed) === expected.principal && BigInt(claims.outstanding) === 0n,
      interestAsScheduled: BigInt(claims.interest) === expected.interest,
      borrowersEndAtZero: BigInt(accounts.borrowers) === 0n,
      lendersHoldTheirReceipts: BigInt(accounts.lenders) === lenderReceipts,
      custodyTotalsReconcile:
        BigInt(totals.available) === BigInt(accounts.available) &&
        BigInt(totals.frozen) === BigInt(accounts.frozen) &&
        BigInt(accounts.frozen) === 0n &&
        BigInt(totals.deposited) === deposited &&
        BigInt(totals.available) + BigInt(totals.frozen) === BigInt(totals.deposited) - BigInt(totals.withdrawn) + BigInt(totals.transferred_in) - BigInt(totals.transferred_out) &&
        BigInt(totals.available) === deposited &&
        totals.accounts === customers.length &&
        chainTotals.available === totals.available &&
        chainTotals.deposited === totals.deposited,
      dashboardAtZero: dashboard.outstandingPrincipal === '0' && dashboard.activeLoans === 0 && dashboard.borrowers === 0 && dashboard.lenders === 0,
    };
    const failed = Object.entries(checks).filter(([, ok]) => !ok).map(([k]) => k);
    log(`  checks: ${failed.length === 0 ? 'all passed' : `FAILED ${failed.join(', ')}`} (${Object.keys(checks).length})`);
    figures = {
      headline: { totalS: round1(totalMs / 1000), txPerSec: Math.round(transactions / (totalMs / 1000)), transactions, loans, lendersPerLoan: perLoan, months },
      transactions: { total: transactions, expected: expectedTxs, byMethod: Object.fromEntries(byMethod.map((r) => [`${r.method}${r.status === 'COMMITTED' ? '' : ` ${r.status}`}`, Number(r.n)])), blocks, txPerBlock: round1(transactions / blocks) },
      phases: summarisePhases(phases),
      phaseDetail: phases,
      repaymentRequestMs: latency(repayMs),
      clockMoves,
      book: {
        principal: String(expected.principal),
        interest: String(expected.interest),
        borrowerPayments: String(borrowerPayments),
        lenderReceipts: String(lenderReceipts),
        deposited: String(deposited),
        custodyAvailableAtEnd: totals.available,
        loanStatuses: statuses,
      },
      checks,
      machineBusyBeforePct,
      ...span,
    };
    if (failed.length > 0) throw new Error(`the book does not balance: ${failed.join(', ')}\n${JSON.stringify(figures, null, 2)}`);
  } finally {
    await endNodeRun({ sql, node, db, scratch });
  }
  const suffix = loans === 1_000 && perLoan === 20 && months === 12 ? '' : `.loans-${loans}-lenders-${perLoan}-months-${months}`;
  await writeResult(
    `lending-book${suffix}`,
    {
      node: '`node apps/node/dist/main.js` (what `npm start` runs) as its own process on a fresh database (development consortium: bank-a custodian of platform-a and platform-b, regulator); defaults (BLOCK_MAX_TXS 2000, BLOCK_MAX_WAIT_MS 10, VERIFY_WORKERS 2) except RATE_LIMIT_PER_MINUTE 1e9 and LOG_LEVEL warn',
      clock:
        "the node's own clock, controlled: ZIZHU_TEST_CLOCK_TOKEN (tests and benchmarks only, refused in production) makes it wall-clock time plus an offset; before each month's repayments the benchmark moves it (POST /_internal/v1/test-clock) to the latest loan's due date of that instalment, so every instalment is paid on its due date by the node's clock (checked: none paid late). Block times, transaction timestamps and sessions follow it; the admins log in again after each move",
      book: `${loans.toLocaleString('en')} loans alternating between platform-a and platform-b, each of ${perLoan} equal shares of ¥2,000–¥10,000 (loans of ¥${(40_000).toLocaleString('en')}–¥${(200_000).toLocaleString('en')} at 20 shares), APR 8–13 %, ${months} months, the three repayment methods in turn; one borrower per loan; lenders from a pool of ${pool.toLocaleString('en')} (half per platform, each lending to ~${Math.round((loans * perLoan) / Math.max(1, usedLenders.length))} loans)`,
      operations:
        'all through GraphQL as the organisations\' admins would run them (one request per operation, the node seals KYC and bids and signs with the admin\'s key): the bank registers and approves the platforms; the platforms register customers; the bank deposits into custody each lender\'s total lending and each borrower\'s total interest (so that borrowers end at 0 and lenders at what they received); the platforms list, bid for their lenders (the last bid starts the loan) and repay',
      concurrency: `${lanes} requests in flight from this process (HTTP keep-alive, each request answered after its block commits); phases in order (customers, deposits, listings, bids, then each month's repayments), everything within a phase concurrent; the 20 bids of a loan may share a block`,
      counted: "every transaction of the lending channel (ledger_txs) from the first onboarding call to the last repayment; tx/s = those over the total time (including the clock moves and the admins' logins between months)",
      checks:
        'at the end: transactions = the operations made, all COMMITTED; every loan REPAID, every instalment PAID on time; sum of lender receipts (claims) = sum of borrower payments (instalments) = REPAYMENT movements; principal back in full and interest as scheduled (computed here with repaymentSchedule); borrowers\' accounts at 0, lenders\' at their receipts; custody totals = sum of accounts = deposits, frozen 0, the invariant available + frozen = deposited − withdrawn + transferred in − out, and custodyTotals over GraphQL the same; the dashboard at 0 outstanding',
      durability: 'fsync=on, synchronous_commit=on (checked)',
      loans,
      lendersPerLoan: perLoan,
      months,
      lenderPool: pool,
      concurrentRequests: lanes,
    },
    figures!,
    machine,
  );
}

/** Phases merged: the months' repayments as one line (their requests' latency is `repaymentRequestMs`), beside the per-month detail. */
function summarisePhases(phases: Phase[]): Record<string, { transactions: number; elapsedS: number; txPerSec: number; contended: boolean }> {
  const out: Record<string, { transactions: number; elapsedS: number; txPerSec: number; contended: boolean }> = {};
  for (const p of phases) {
    const key = p.name.startsWith('repayments') ? 'repayments' : p.name;
    const o = (out[key] ??= { transactions: 0, elapsedS: 0, txPerSec: 0, contended: false });
    o.transactions += p.transactions;
    o.elapsedS = round1(o.elapsedS + p.elapsedS);
    o.txPerSec = Math.round(o.transactions / o.elapsedS);
    o.contended ||= p.contended;
  }
  return out;
}
