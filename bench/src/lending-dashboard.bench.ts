import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import type { JsonValue, TxReceipt } from '@zizhu/chain';
import { LendingContract, repaymentSchedule, type RepaymentMethod } from '@zizhu/contract-lending';
import { bidAad, borrowerRefOf, custodyEnvelopeAad, kycAad, lendingIdentityKey, normaliseNationalId } from '@zizhu/lending';
import { NODE, NODE_LEDGER } from '@zizhu/node';
import { FieldEncryptionService, LedgerService, MetricsService, ledgerEncryptionKeys, loadConfig, openNodeHome, type AuditService, type ZizhuConfig } from '@zizhu/platform';
import { endNodeRun, nodeEnv, NodeSpanMeter, runLoad, scratchDir, startNode, writeLines, type NodeProcess } from './node-fixture.js';
import {
  AdminSessions,
  BANK,
  DASHBOARD,
  DAY_MS,
  PLATFORMS,
  REGULATOR,
  YUAN,
  bankCardFor,
  inLanes,
  onboardPlatforms,
  residentIdFor,
  testClock,
  type DashboardStats,
} from './lending-fixture.js';
import { assertDurable, createDatabase, describeMachine, intListOption, intOption, log, percentile, round1, round2, summarize, waitForQuietMachine, writeResult, type BenchArgs } from './support.js';

export const description =
  "The regulator's supervisory dashboard (lendingDashboard) and the per-platform drill-down list (loans(platform, status)) through GraphQL on the node (its own process) over a book of N loans " +
  "filled through the node's own ledger (its keystore, genesis, contracts and projections) while it was stopped: p50/p95/p99 and req/s one at a time, and under concurrent load from a second process; " +
  'the figures checked against PostgreSQL and the fill; options --loans (100,000) --bids (2 lenders a loan) --lender-pool (10,000) --requests (1,000 sequential) --seconds (15) --connections (8,32) --window (4,000 submits in flight while filling)';

const CAP_FEN = 200_000n * YUAN;
const METHODS: RepaymentMethod[] = ['EQUAL_INSTALLMENT', 'EQUAL_PRINCIPAL', 'INTEREST_ONLY'];
const STATUSES = [null, 'ACTIVE', 'OVERDUE', 'DEFAULTED', 'OPEN', 'REPAID'] as const;
const LOANS_QUERY =
  'query($p: String!, $s: LoanStatus) { loans(platform: $p, status: $s, first: 20) { edges { node { id platform status amount outstanding borrower listedAt nextInstalment } } pageInfo { hasNextPage endCursor } } }';

type Fate = 'REPAID' | 'OVERDUE' | 'DEFAULTED' | 'OPEN' | 'ACTIVE';

interface Person {
  n: number;
  platform: string;
  role: 'BORROWER' | 'LENDER';
  /** Another platform's customer who is the same person (same national ID). */
  samePersonAs?: Person;
  id?: string;
  ref?: string;
}

interface PlannedLoan {
  i: number;
  platform: string;
  fate: Fate;
  borrower: Person;
  lenders: Person[];
  share: bigint;
  amount: bigint;
  aprBps: number;
  termMonths: number;
  method: RepaymentMethod;
  /** Instalments repaid by the end of the fill. */
  repaid: number;
  id?: string;
}

/** The fate of loan i: 9 % repaid (3-month terms), 5 % overdue, 1 % defaulted, 10 % open listings (half with one bid), 75 % active with the first instalment repaid. */
function fateOf(i: number): Fate {
  const r = i % 100;
  if (r < 9) return 'REPAID';
  if (r < 14) return 'OVERDUE';
  if (r < 15) return 'DEFAULTED';
  if (r < 25) return 'OPEN';
  return 'ACTIVE';
}

export async function run(args: BenchArgs): Promise<void> {
  await assertDurable();
  const machine = await describeMachine();
  const loans = intOption(args, 'loans', 100_000);
  const bidsPerLoan = intOption(args, 'bids', 2);
  const pool = intOption(args, 'lender-pool', 10_000);
  const requests = intOption(args, 'requests', 1_000);
  const seconds = intOption(args, 'seconds', 15);
  const connectionList = intListOption(args, 'connections') ?? [8, 32];
  const window = intOption(args, 'window', 4_000);
  const perPlatformPool = Math.floor(pool / PLATFORMS.length);
  if (bidsPerLoan < 1 || perPlatformPool < bidsPerLoan) throw new Error('--bids must be 1 or more, and at most half of --lender-pool');

  // ---- the book
  let serial = 0;
  const lenders = PLATFORMS.map((platform) => Array.from({ length: perPlatformPool }, (): Person => ({ n: serial++, platform, role: 'LENDER' })));
  const onPlatform = PLATFORMS.map(() => 0);
  const plan: PlannedLoan[] = [];
  for (let i = 0; i < loans; i++) {
    const p = i % PLATFORMS.length;
    const platform = PLATFORMS[p];
    const fate = fateOf(i);
    const start = (onPlatform[p]++ * bidsPerLoan) % perPlatformPool;
    // One borrower in twenty on platform-b is the previous loan's borrower on platform-a: one person, two platforms.
    const borrower: Person = { n: serial++, platform, role: 'BORROWER' };
    if (p === 1 && i % 20 === 1) borrower.samePersonAs = plan[i - 1].borrower;
    let share = (1_000n + BigInt((i * 7919) % 50) * 1_000n) * YUAN;
    if (i % 997 === 0 || share * BigInt(bidsPerLoan) > CAP_FEN) share = CAP_FEN / BigInt(bidsPerLoan);
    const termMonths = fate === 'REPAID' ? 3 : fate === 'ACTIVE' ? [6, 12, 24][i % 3] : 12;
    plan.push({
      i,
      platform,
      fate,
      borrower,
      lenders: Array.from({ length: fate === 'OPEN' ? (i % 2 === 0 ? 1 : 0) : bidsPerLoan }, (_, j) => lenders[p][(start + j) % perPlatformPool]),
      share,
      amount: share * BigInt(bidsPerLoan),
      aprBps: 600 + (i % 8) * 100,
      termMonths,
      method: METHODS[i % METHODS.length],
      repaid: fate === 'REPAID' ? termMonths : fate === 'ACTIVE' ? 1 : 0,
    });
  }
  const schedule = (l: PlannedLoan) => repaymentSchedule(l.amount, l.aprBps, l.termMonths, l.method);
  const lent = new Map<Person, bigint>();
  for (const l of plan) for (const c of l.lenders) lent.set(c, (lent.get(c) ?? 0n) + l.share);
  const usedLenders = lenders.flat().filter((c) => lent.has(c));

  const db = await createDatabase('zizhu_bench_lending_dashboard', args.keep);
  const scratch = scratchDir('zizhu-bench-lending-dashboard-');
  const home = join(scratch.path, 'home');
  const clockToken = randomBytes(32).toString('hex');
  const env = nodeEnv(db.url, home, { ZIZHU_TEST_CLOCK_TOKEN: clockToken });
  const sql = new pg.Client({ connectionString: db.url });
  let node: NodeProcess | undefined;
  let fill: Record<string, unknown> | undefined;
  let figures: Record<string, unknown> | undefined;
  try {
    // 1. The node's first start (consortium, admin users, the development LPR); the bank onboards the platforms.
    log('first start of the node on a fresh database (development consortium); the bank onboards platform-a and platform-b over GraphQL');
    node = await startNode(env);
    const s0 = new AdminSessions(node.url, home);
    await s0.refresh();
    await onboardPlatforms(s0);
    await node.stop();
    node = undefined;

    // 2. The book, through the node's own ledger while the node is stopped.
    await sql.connect();
    const config = loadConfig({ ...env, HOST: '127.0.0.1', PORT: '0' });
    await waitForQuietMachine();
    fill = await fillBook(config, sql, plan, usedLenders, lent, schedule, window);

    // 3. The node again, its clock where the fill left off.
    log('starting the node on the filled ledger, its clock moved to where the fill ended');
    node = await startNode(env);
    const ahead = (fill.endedAt as number) - (await testClock(node.url, clockToken)).now;
    if (ahead > 0) await testClock(node.url, clockToken, ahead + 1_000);
    const s = new AdminSessions(node.url, home, [REGULATOR]);
    await s.refresh();
    const gql = s.gql(REGULATOR);

    // ---- the figures are right: against PostgreSQL's loans, claims and customers, and against the fill's own book
    const dashboard = (await gql<{ lendingDashboard: { total: DashboardStats; platforms: DashboardStats[] } }>(DASHBOARD)).lendingDashboard;
    const checks = await checkDashboard(sql, dashboard, plan, schedule);
    const failed = Object.entries(checks).filter(([, ok]) => !ok).map(([k]) => k);
    log(`  dashboard: ${dashboard.total.activeLoans.toLocaleString('en')} live loans, ¥${(BigInt(dashboard.total.outstandingPrincipal) / YUAN).toLocaleString('en')} outstanding; checks ${failed.length === 0 ? 'all passed' : `FAILED ${failed.join(', ')}`}`);
    if (failed.length > 0) throw new Error(`the dashboard is wrong: ${failed.join(', ')}\n${JSON.stringify(dashboard, null, 2)}`);
    const drill = await checkDrillDown(sql, gql);

    // ---- one at a time, from this process
    const loanBodies = PLATFORMS.flatMap((p) => STATUSES.map((st) => ({ p, s: st })));
    const sequential = async (name: string, n: number, call: (i: number) => Promise<unknown>) => {
      for (let i = 0; i < Math.min(50, n); i++) await call(i);
      const machineBusyBeforePct = await waitForQuietMachine();
      const meter = new NodeSpanMeter(node!.pid);
      const ms: number[] = [];
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        const a = performance.now();
        await call(i);
        ms.push(performance.now() - a);
      }
      const elapsed = performance.now() - t0;
      const span = meter.finish(0);
      const r = { ...summarize(ms), p95: round2(percentile(ms, 95)), requestsPerSec: Math.round(n / (elapsed / 1000)), machineBusyBeforePct, ...span };
      log(`  ${name}, one at a time: p50 ${r.p50} ms, p95 ${r.p95} ms, p99 ${r.p99} ms, max ${r.max} ms; ${r.requestsPerSec} req/s${span.contended ? ' (contended)' : ''}`);
      return r;
    };
    const dashboardSequential = await sequential('lendingDashboard', requests, () => gql(DASHBOARD));
    const drillSequential = await sequential('loans(platform, status)', requests, (i) => gql(LOANS_QUERY, loanBodies[i % loanBodies.length]));

    // ---- under concurrent load from a second process
    const dashFile = join(scratch.path, 'dashboard.jsonl');
    writeLines(dashFile, [JSON.stringify({ query: DASHBOARD })]);
    const loansFile = join(scratch.path, 'loans.jsonl');
    writeLines(loansFile, loanBodies.map((v) => JSON.stringify({ query: LOANS_QUERY, variables: v })));
    const concurrent: Record<string, unknown>[] = [];
    for (const [name, bodiesFile] of [['lendingDashboard', dashFile], ['loans(platform, status)', loansFile]] as const) {
      for (const connections of connectionList) {
        await s.fresh(5 * 60_000);
        const machineBusyBeforePct = await waitForQuietMachine();
        const meter = new NodeSpanMeter(node.pid);
        const r = await runLoad({ url: node.url, bodiesFile, outFile: join(scratch.path, `load-${connections}.json`), token: s.token(REGULATOR), connections, seconds, warmup: 200, cycle: true });
        const span = meter.finish(r.loadCpuPct);
        const errors = Object.values(r.classified.errors).reduce((a, b) => a + b, 0) + r.autocannon.errors + r.autocannon.timeouts + r.autocannon.non2xx;
        concurrent.push({ query: name, connections, requests: r.requests, requestsPerSec: r.requestsPerSec, latencyMs: r.latencyMs, errors, errorSamples: r.classified.samples, machineBusyBeforePct, ...span });
        log(`  ${name}, ${connections} connections: ${r.requestsPerSec} req/s; p50 ${r.latencyMs.p50} ms, p97.5 ${r.latencyMs.p97_5} ms, p99 ${r.latencyMs.p99} ms; ${errors} errors${span.contended ? ' (contended)' : ''}`);
      }
    }
    const [{ size }] = (await sql.query<{ size: string }>("SELECT pg_size_pretty(pg_database_size(current_database())) AS size")).rows;
    figures = {
      headline: {
        loans,
        dashboardP95Ms: dashboardSequential.p95,
        dashboardP99Ms: dashboardSequential.p99,
        drillDownP95Ms: drillSequential.p95,
        met: { dashboardP95: dashboardSequential.p95 <= 200, drillDownP95: drillSequential.p95 <= 200 },
      },
      dashboard: { total: dashboard.total, platforms: dashboard.platforms },
      checks,
      drillDown: drill,
      sequential: { lendingDashboard: dashboardSequential, loansByPlatform: drillSequential },
      concurrent,
      fill,
      databaseSize: size,
    };
  } finally {
    await endNodeRun({ sql, node, db, scratch });
  }
  await writeResult(
    loans === 100_000 ? 'lending-dashboard' : `lending-dashboard.loans-${loans}`,
    {
      node: '`node apps/node/dist/main.js` (what `npm start` runs) as its own process; development consortium (bank-a custodian of platform-a and platform-b); defaults except RATE_LIMIT_PER_MINUTE 1e9 and LOG_LEVEL warn; ZIZHU_TEST_CLOCK_TOKEN so that its clock continues from where the fill ended',
      book: `${loans.toLocaleString('en')} loans alternating between the two platforms: 75 % ACTIVE (terms 6/12/24 months, first instalment repaid), 9 % REPAID (3 months), 5 % OVERDUE and 1 % DEFAULTED (first instalment marked overdue), 10 % OPEN listings (half with one bid); ¥2,000–¥100,000 a loan (every 997th ¥200,000), ${bidsPerLoan} lenders a funded loan from a pool of ${pool.toLocaleString('en')}; one borrower a loan, one in twenty on platform-b the same person as on platform-a`,
      fill:
        "through the node's own ledger (LedgerService.open with its ZIZHU_HOME keystore and genesis, the node's contracts and projections, so the read models and supervisory figures are built as in production) while the node was stopped: each customer's KYC and custody envelope and each bid sealed as the node seals them, signed with the platform's or bank's admin key; on a clock moved a month (repayments) and four more days (overdue marks, defaults); " +
        `${window.toLocaleString('en')} submits in flight, phases in order`,
      requests: {
        lendingDashboard: DASHBOARD,
        drillDown: `${LOANS_QUERY} cycling over both platforms × status (none, ACTIVE, OVERDUE, DEFAULTED, OPEN, REPAID)`,
        as: "the regulator's admin (JWT)",
      },
      sequential: `${requests.toLocaleString('en')} requests one at a time from this process after 50 warm-up (fetch, keep-alive), each timed with performance.now(): exact p95`,
      concurrent: `bench/dist/tools/http-load.js (autocannon 9) in a second process: closed loop, ${connectionList.join('/')} connections, ${seconds} s each after 200 warm-up requests; autocannon reports p90 and p97.5, not p95`,
      checks:
        'the dashboard against PostgreSQL (outstanding and overdue principal, live and overdue loans as sums and counts over lending_loans; borrowers and lenders as distinct persons over loans and claims; the largest borrower) per platform and in total, and against the book the fill made (principal lent minus principal repaid, from repaymentSchedule); the first drill-down pages against lending_loans',
      durability: 'fsync=on, synchronous_commit=on (checked)',
      targets: { dashboardP95Ms: 200 },
      loans,
      bidsPerLoan,
      lenderPool: pool,
    },
    figures!,
    machine,
  );
}

/**
 * Fills the book through the node's ledger, phase by phase (each phase's transactions `window` in
 * flight), on a clock of its own: customers, deposits, listings and bids now; a month later the
 * repayments; four days later the overdue marks and defaults, then the open listings.
 */
async function fillBook(
  config: ZizhuConfig,
  sql: pg.Client,
  plan: PlannedLoan[],
  lenders: Person[],
  lent: Map<Person, bigint>,
  schedule: (l: PlannedLoan) => ReturnType<typeof repaymentSchedule>,
  window: number,
): Promise<Record<string, unknown> & { endedAt: number }> {
  let offset = 0;
  const clock = () => Date.now() + offset;
  const home = await openNodeHome(config, NODE_LEDGER);
  const ledger = await LedgerService.open({ config, databaseUrl: config.DATABASE_URL!, home, contracts: NODE.contracts, projections: NODE.projections(config), clock, metrics: new MetricsService() });
  const noAudit = {} as AuditService;
  const encryption = new FieldEncryptionService(ledgerEncryptionKeys(ledger), home.keystore, noAudit);
  const identityKey = lendingIdentityKey(config)!;
  const regulators = (await ledger.organizations()).filter((o) => o.kind === 'REGULATOR' && o.status === 'ACTIVE').map((o) => o.id);
  const keyOf = new Map((await sql.query<{ org: string; id: string }>("SELECT org, id FROM users WHERE username = 'admin'")).rows.map((r) => [r.org, `user/${r.id}`]));
  const phases: Record<string, { transactions: number; elapsedS: number; txPerSec: number }> = {};
  const t0 = performance.now();
  let transactions = 0;
  const submit = async (org: string, method: string, args: JsonValue): Promise<TxReceipt> => {
    const receipt = await ledger.submitWithKey(keyOf.get(org)!, { channel: 'lending', contract: 'lending', method, args: args as never });
    if (receipt.status !== 'COMMITTED') throw new Error(`${method} by ${org}: ${receipt.status} ${JSON.stringify(receipt.error)}`);
    return receipt;
  };
  const phase = async <T>(name: string, items: readonly T[], fn: (item: T) => Promise<unknown>) => {
    const p0 = performance.now();
    await inLanes(items, window, async (item) => {
      await fn(item);
    });
    const elapsed = (performance.now() - p0) / 1000;
    transactions += items.length;
    phases[name] = { transactions: items.length, elapsedS: round1(elapsed), txPerSec: Math.round(items.length / elapsed) };
    log(`  ${name}: ${items.length.toLocaleString('en')} in ${round1(elapsed)} s (${phases[name].txPerSec} tx/s; ${transactions.toLocaleString('en')} so far, ${Math.round((performance.now() - t0) / 1000)} s)`);
  };
  try {
    log(`filling ${plan.length.toLocaleString('en')} loans through the node's ledger (${window.toLocaleString('en')} submits in flight)`);
    const customers: Person[] = [...lenders, ...plan.map((l) => l.borrower)];
    await phase('customers', customers, async (c) => {
      const nationalId = normaliseNationalId('NATURAL', residentIdFor((c.samePersonAs ?? c).n));
      const ref = borrowerRefOf(identityKey, nationalId);
      const id = LendingContract.customerId(c.platform, ref);
      const kyc = { name: `Customer ${c.n}`, nationalId, phone: `138${String(c.n).padStart(8, '0').slice(-8)}` };
      const sealedKyc = await encryption.encryptFor([c.platform, ...regulators], kyc, { aad: kycAad(id) });
      const sealed = await encryption.encryptFor([c.platform, ...regulators, BANK], { bankCard: bankCardFor(c.n), kyc: sealedKyc } as unknown as JsonValue, { aad: custodyEnvelopeAad(id) });
      const r = await submit(c.platform, 'registerCustomer', { borrowerRef: ref, personKind: 'NATURAL', roles: [c.role], sealed: sealed as unknown as JsonValue });
      c.id = (r.value as { id: string }).id;
      c.ref = ref;
    });
    // Lenders: what they lend; borrowers who repay: the interest of the instalments they repay.
    const deposits = [
      ...lenders.map((c) => ({ c, amount: lent.get(c)! })),
      ...plan.filter((l) => l.repaid > 0).map((l) => ({ c: l.borrower, amount: schedule(l).slice(0, l.repaid).reduce((a, x) => a + x.interest, 0n) })),
    ].filter((d) => d.amount > 0n);
    let ref = 0;
    await phase('deposits', deposits, (d) => submit(BANK, 'deposit', { ref: `FILL-${ref++}`, customerId: d.c.id!, amount: String(d.amount) }));
    const list = async (l: PlannedLoan, deadline: number) => {
      const r = await submit(l.platform, 'createListing', {
        borrower: l.borrower.id!,
        amount: String(l.amount),
        aprBps: l.aprBps,
        termMonths: l.termMonths,
        method: l.method,
        purpose: 'WORKING_CAPITAL',
        fundingDeadline: deadline,
      });
      l.id = (r.value as { loanId: string }).loanId;
    };
    const bid = async (l: PlannedLoan, lender: Person) => {
      const sealed = await encryption.encryptFor([l.platform, ...regulators], { lender: lender.id!, amount: String(l.share) }, { aad: bidAad(l.id!) });
      await submit(l.platform, 'bid', { loanId: l.id!, lender: lender.id!, amount: String(l.share), sealed: sealed as unknown as JsonValue });
    };
    const funded = plan.filter((l) => l.fate !== 'OPEN');
    await phase('listings', funded, (l) => list(l, clock() + 7 * DAY_MS));
    await phase('bids', funded.flatMap((l) => l.lenders.map((lender) => ({ l, lender }))), ({ l, lender }) => bid(l, lender));

    // A month on: the first instalments (all three of the repaid loans', two of them early).
    const [{ last }] = (await sql.query<{ last: string }>('SELECT (extract(epoch FROM max(activated_at)) * 1000)::bigint AS last FROM lending_loans')).rows;
    offset += Math.max(0, Number(last) + 31 * DAY_MS + 3_600_000 - clock());
    const maxRepaid = Math.max(...plan.map((l) => l.repaid));
    for (let k = 1; k <= maxRepaid; k++) {
      await phase(`repayments ${k}`, plan.filter((l) => l.repaid >= k), (l) => submit(l.platform, 'repay', { loanId: l.id!, instalment: k }));
    }
    // Four days more, past the grace days: overdue marks and defaults; then this month's listings, half of them with a first bid.
    offset += 4 * DAY_MS;
    await phase('overdue marks', plan.filter((l) => l.fate === 'OVERDUE' || l.fate === 'DEFAULTED'), (l) => submit(l.platform, 'markOverdue', { loanId: l.id!, instalment: 1 }));
    await phase('defaults', plan.filter((l) => l.fate === 'DEFAULTED'), (l) => submit(l.platform, 'declareDefault', { loanId: l.id!, reason: 'no payment after two reminders' }));
    const open = plan.filter((l) => l.fate === 'OPEN');
    await phase('open listings', open, (l) => list(l, clock() + 30 * DAY_MS));
    await phase('open bids', open.flatMap((l) => l.lenders.map((lender) => ({ l, lender }))), ({ l, lender }) => bid(l, lender));
  } finally {
    await ledger.onApplicationShutdown();
  }
  const elapsed = (performance.now() - t0) / 1000;
  log(`  filled: ${transactions.toLocaleString('en')} transactions in ${round1(elapsed)} s (${Math.round(transactions / elapsed)} tx/s, sealing and signing included)`);
  return { transactions, elapsedS: round1(elapsed), txPerSecIncludingSealing: Math.round(transactions / elapsed), phases, endedAt: clock() };
}

/** The dashboard's figures against PostgreSQL's read models and against the book as planned. */
async function checkDashboard(sql: pg.Client, d: { total: DashboardStats; platforms: DashboardStats[] }, plan: PlannedLoan[], schedule: (l: PlannedLoan) => ReturnType<typeof repaymentSchedule>): Promise<Record<string, boolean>> {
  const LIVE = "status IN ('ACTIVE', 'OVERDUE', 'DEFAULTED')";
  const LATE = "status IN ('OVERDUE', 'DEFAULTED')";
  const rows = (
    await sql.query<{ platform: string; outstanding: string; overdue: string; live: string; late: string; borrowers: string; largest: string }>(
      `WITH l AS (SELECT platform, borrower_ref, status, outstanding FROM lending_loans WHERE ${LIVE}),
            g AS (SELECT COALESCE(platform, '*') AS platform, sum(outstanding) AS outstanding, COALESCE(sum(outstanding) FILTER (WHERE ${LATE}), 0) AS overdue,
                         count(*) AS live, count(*) FILTER (WHERE ${LATE}) AS late, count(DISTINCT borrower_ref) AS borrowers
                  FROM l GROUP BY GROUPING SETS ((platform), ())),
            b AS (SELECT platform, max(owed) AS largest FROM (SELECT COALESCE(platform, '*') AS platform, borrower_ref, sum(outstanding) AS owed FROM l GROUP BY GROUPING SETS ((platform, borrower_ref), (borrower_ref))) x GROUP BY platform)
       SELECT g.platform, g.outstanding::text, g.overdue::text, g.live, g.late, g.borrowers, b.largest::text FROM g JOIN b USING (platform)`,
    )
  ).rows;
  const lenders = (
    await sql.query<{ platform: string; n: string }>(
      `SELECT COALESCE(c.holder_platform, '*') AS platform, count(DISTINCT p.borrower_ref) AS n FROM lending_claims c JOIN lending_customers p ON p.id = c.holder
       WHERE c.outstanding > 0 GROUP BY GROUPING SETS ((c.holder_platform), ())`,
    )
  ).rows;
  const lendersOf = new Map(lenders.map((r) => [r.platform, Number(r.n)]));
  const expectedOutstanding = new Map<string, bigint>();
  for (const l of plan) {
    if (l.fate === 'OPEN' || l.fate === 'REPAID') continue;
    const owed = l.amount - schedule(l).slice(0, l.repaid).reduce((a, x) => a + x.principal, 0n);
    for (const p of [l.platform, '*']) expectedOutstanding.set(p, (expectedOutstanding.get(p) ?? 0n) + owed);
  }
  const checks: Record<string, boolean> = {};
  for (const stats of [d.total, ...d.platforms]) {
    const r = rows.find((x) => x.platform === stats.platform);
    const p = stats.platform === '*' ? 'total' : stats.platform;
    checks[`${p}: outstanding principal = sum over loans in PostgreSQL`] = r !== undefined && stats.outstandingPrincipal === r.outstanding;
    checks[`${p}: outstanding principal = the book's (lent − repaid)`] = BigInt(stats.outstandingPrincipal) === (expectedOutstanding.get(stats.platform) ?? 0n);
    checks[`${p}: overdue principal, live and overdue loans`] = r !== undefined && stats.overduePrincipal === r.overdue && stats.activeLoans === Number(r.live) && stats.overdueLoans === Number(r.late);
    checks[`${p}: borrowers and lenders as persons`] = r !== undefined && stats.borrowers === Number(r.borrowers) && stats.lenders === lendersOf.get(stats.platform);
    checks[`${p}: largest borrower`] = r !== undefined && stats.largestBorrowerPrincipal === r.largest;
  }
  checks['both platforms listed'] = d.platforms.length === PLATFORMS.length;
  return checks;
}

/** The first page of each drill-down: the platform's newest loans of that status, as lending_loans has them. */
async function checkDrillDown(sql: pg.Client, gql: (q: string, v?: Record<string, unknown>) => Promise<unknown>): Promise<{ pagesChecked: number }> {
  let pages = 0;
  for (const p of PLATFORMS) {
    for (const st of STATUSES) {
      const got = ((await gql(LOANS_QUERY, { p, s: st })) as { loans: { edges: { node: { id: string } }[] } }).loans.edges.map((e) => e.node.id);
      const want = (
        await sql.query<{ id: string }>(`SELECT id FROM lending_loans WHERE platform = $1 AND ($2::text IS NULL OR status = $2) ORDER BY listed_at DESC, id DESC LIMIT 20`, [p, st])
      ).rows.map((r) => r.id);
      if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`loans(platform: ${p}, status: ${st}) answered ${got.length} loans, not the ${want.length} newest of lending_loans`);
      pages++;
    }
  }
  return { pagesChecked: pages };
}
