import { randomInt } from 'node:crypto';
import { normaliseBankCard, residentIdCheck } from '@zizhu/lending';
import { TEST_CLOCK_PATH } from '@zizhu/node';
import { graphql, loginAdmin, type Gql } from './node-fixture.js';
import { summarize } from './support.js';

/**
 * What the lending benchmarks share: the development consortium's lending organisations (bank-a is
 * the custodian of platform-a and platform-b), customers' identities (valid resident ID and bank
 * card numbers), the admins' sessions, the controlled clock of a node process
 * (ZIZHU_TEST_CLOCK_TOKEN) and a pool of concurrent requests.
 */

export const BANK = 'bank-a';
export const REGULATOR = 'regulator';
export const PLATFORMS = ['platform-a', 'platform-b'] as const;
export const DAY_MS = 86_400_000;
export const YUAN = 100n;

/** A distinct, valid 18-character resident identity card number for each `n` (a random prefix per run). */
export function residentIdFor(n: number, run = RUN): string {
  const body = `${run}${String(n).padStart(10, '0')}`.slice(-17);
  return body + residentIdCheck(body);
}
const RUN = `${randomInt(1, 10)}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;

/** A 16-digit card number passing the Luhn check. */
export function bankCardFor(n: number): string {
  const body = `622202${String(n % 1_000_000_000).padStart(9, '0')}`;
  for (let d = 0; d < 10; d++) {
    try {
      return normaliseBankCard(body + d);
    } catch {
      // not this check digit
    }
  }
  throw new Error('unreachable: one of ten check digits passes');
}

/** The admins' sessions of the lending organisations; `refresh()` logs in again (after the node's clock moved). */
export class AdminSessions {
  private readonly tokens = new Map<string, string>();
  private at = 0;

  constructor(
    private readonly url: string,
    private readonly home: string,
    private readonly orgs: readonly string[] = [BANK, REGULATOR, ...PLATFORMS],
  ) {}

  async refresh(): Promise<void> {
    for (const org of this.orgs) this.tokens.set(org, await loginAdmin(this.url, this.home, org));
    this.at = performance.now();
  }

  /** Logs in again when the tokens are older than `maxAgeMs` of real time (access tokens live 15 minutes). */
  async fresh(maxAgeMs = 10 * 60_000): Promise<void> {
    if (performance.now() - this.at > maxAgeMs) await this.refresh();
  }

  token(org: string): string {
    const t = this.tokens.get(org);
    if (!t) throw new Error(`not logged in as ${org}`);
    return t;
  }

  gql(org: string): Gql {
    return graphql(this.url, this.token(org));
  }
}

/** The node process's controlled clock (test-clock.ts): now, and moving it forward. */
export async function testClock(url: string, token: string, advanceMs?: number): Promise<{ now: number; offsetMs: number }> {
  const res = await fetch(`${url}${TEST_CLOCK_PATH}`, {
    method: advanceMs === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: advanceMs === undefined ? undefined : JSON.stringify({ advanceMs }),
  });
  if (res.status !== 200) throw new Error(`test clock: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as { now: number; offsetMs: number };
}

/**
 * Runs `fn` over `items` with `lanes` calls in flight (each lane takes the next item when its call
 * returns); returns each call's duration (ms).
 */
export async function inLanes<T>(items: readonly T[], lanes: number, fn: (item: T, i: number) => Promise<void>): Promise<number[]> {
  const ms = new Array<number>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(lanes, items.length)) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        const t0 = performance.now();
        await fn(items[i], i);
        ms[i] = performance.now() - t0;
      }
    }),
  );
  return ms;
}

export const latency = (ms: number[]) => summarize(ms.filter((x) => x !== undefined));

export const REGISTER_PLATFORM = 'mutation($i: RegisterLendingPlatformInput!) { registerLendingPlatform(input: $i) { status } }';
export const APPROVE_PLATFORM = 'mutation($o: String!) { approveLendingPlatform(org: $o) { status } }';
export const REGISTER_CUSTOMER = 'mutation($i: RegisterLendingCustomerInput!) { registerLendingCustomer(input: $i) { id } }';
export const DEPOSIT = 'mutation($i: CustodyInstructionInput!) { depositToCustody(input: $i) { tx } }';
export const LIST = 'mutation($i: CreateLoanListingInput!) { createLoanListing(input: $i) { id status } }';
export const BID = 'mutation($i: PlaceBidInput!) { placeBid(input: $i) { status funded } }';
export const REPAY = 'mutation($l: String!, $k: Int!) { repayInstalment(loanId: $l, instalment: $k) { status nextInstalment } }';
export const STATS = 'platform outstandingPrincipal overduePrincipal overdueRate activeLoans overdueLoans borrowers lenders largestBorrowerPrincipal largestBorrowerShare';
export const DASHBOARD = `{ lendingDashboard { total { ${STATS} } platforms { ${STATS} } } }`;

export interface DashboardStats {
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
}

/** The bank onboards both platforms (registered, then approved); then waits for the development LPR to be in force. */
export async function onboardPlatforms(s: AdminSessions): Promise<void> {
  for (const org of PLATFORMS) {
    await s.gql(BANK)(REGISTER_PLATFORM, { i: { org, registrationNo: `91110000${org.toUpperCase().replace('-', '')}`, name: org, filingStatus: 'FILED', custodyAgreementRef: `CUST-${org}` } });
    await s.gql(BANK)(APPROVE_PLATFORM, { o: org });
  }
  for (let i = 0; i < 100; i++) {
    const c = await s.gql(PLATFORMS[0])<{ lendingConfig: { aprCapBps: number | null } }>('{ lendingConfig { aprCapBps } }');
    if (c.lendingConfig.aprCapBps !== null) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no LPR in force on the node');
}

/** A registration's GraphQL input: a natural person with a valid ID and card. */
export const customerInput = (n: number, roles: ('BORROWER' | 'LENDER')[]) => ({
  personKind: 'NATURAL',
  roles,
  name: `Customer ${n}`,
  nationalId: residentIdFor(n),
  phone: `138${String(n).padStart(8, '0').slice(-8)}`,
  bankCard: bankCardFor(n),
});
