import { expect } from '@jest/globals';
import { randomBytes, randomInt } from 'node:crypto';
import type { GraphQLResponse, TestNode } from '../../support/node.js';

/** A random resident identity card number: 17 digits and the GB 11643 check character. */
export function residentId(): string {
  const body = `${randomInt(1, 10)}${String(randomInt(0, 2 ** 47)).padStart(16, '0').slice(-16)}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return body + '10X98765432'[sum % 11];
}

/** A 16-digit bank card number passing the Luhn check. */
export function bankCard(): string {
  const body = `622202${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}

/** A 17-character VIN (no I, O, Q). */
export const vin = () => `LSV${randomBytes(7).toString('hex').toUpperCase().replace(/[IOQ]/g, 'A')}`.slice(0, 17).padEnd(17, '7');

export const YUAN = 100n;

/** GraphQL helpers over a test node for several organisations, logged in as their admins (or any token). */
export class LendingClient {
  readonly tokens: Record<string, string> = {};

  constructor(readonly t: TestNode) {}

  async loginAdmins(orgs: string[]): Promise<void> {
    for (const org of orgs) this.tokens[org] = await this.t.login(org, 'admin', this.t.adminPassword(org));
  }

  gql<T = Record<string, unknown>>(who: string, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> {
    return this.t.gql<T>(query, variables, { token: this.tokens[who] });
  }

  /** The data, after checking there are no errors. */
  async ok<T = Record<string, unknown>>(who: string, query: string, variables?: Record<string, unknown>): Promise<T> {
    const r = await this.gql<T>(who, query, variables);
    expect(r.body.errors ?? []).toEqual([]);
    return r.body.data!;
  }

  /** The first error's code and reason. */
  async refused(who: string, query: string, variables?: Record<string, unknown>): Promise<{ code?: string; reason?: string; message: string }> {
    const r = await this.gql(who, query, variables);
    const e = r.body.errors?.[0];
    expect(e).toBeDefined();
    return { code: e!.extensions?.code, reason: e!.extensions?.reason, message: e!.message };
  }

  async onboard(bank: string, platform: string): Promise<void> {
    await this.ok(bank, 'mutation($i: RegisterLendingPlatformInput!) { registerLendingPlatform(input: $i) { status } }', {
      i: { org: platform, registrationNo: `91110000${platform.toUpperCase()}`, name: platform, filingStatus: 'FILED', custodyAgreementRef: `CUST-${platform}` },
    });
    await this.ok(bank, 'mutation($o: String!) { approveLendingPlatform(org: $o) { status } }', { o: platform });
  }

  /** Waits until the development LPR (published at first start) is in force. */
  async lprInForce(who: string): Promise<void> {
    for (let i = 0; i < 50; i++) {
      const c = await this.ok<{ lendingConfig: { aprCapBps: number | null } }>(who, '{ lendingConfig { aprCapBps } }');
      if (c.lendingConfig.aprCapBps !== null) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('no LPR in force');
  }

  async customer(platform: string, roles: string[], opts: { nationalId?: string; name?: string } = {}): Promise<string> {
    const d = await this.ok<{ registerLendingCustomer: { id: string } }>(platform, 'mutation($i: RegisterLendingCustomerInput!) { registerLendingCustomer(input: $i) { id } }', {
      i: { personKind: 'NATURAL', roles, name: opts.name ?? 'Zhang San', nationalId: opts.nationalId ?? residentId(), phone: '13800138000', bankCard: bankCard() },
    });
    return d.registerLendingCustomer.id;
  }

  async deposit(bank: string, customerId: string, amount: bigint): Promise<void> {
    await this.ok(bank, 'mutation($i: CustodyInstructionInput!) { depositToCustody(input: $i) { tx } }', { i: { ref: `DEP-${randomBytes(6).toString('hex')}`, customerId, amount: String(amount) } });
  }

  listingInput(borrowerId: string, amount: bigint, extra: Record<string, unknown> = {}) {
    return {
      borrowerId,
      amount: String(amount),
      aprBps: 1200,
      termMonths: 12,
      method: 'EQUAL_INSTALLMENT',
      purpose: 'WORKING_CAPITAL',
      fundingDeadline: Date.now() + 7 * 86_400_000,
      ...extra,
    };
  }

  list(platform: string, borrowerId: string, amount: bigint, extra: Record<string, unknown> = {}) {
    return this.gql<{ createLoanListing: { id: string; status: string; aprCapBps: number } }>(platform, 'mutation($i: CreateLoanListingInput!) { createLoanListing(input: $i) { id status aprCapBps } }', {
      i: this.listingInput(borrowerId, amount, extra),
    });
  }

  async bid(platform: string, loanId: string, lenderId: string, amount: bigint): Promise<{ status: string; funded: string }> {
    const d = await this.ok<{ placeBid: { status: string; funded: string } }>(platform, 'mutation($i: PlaceBidInput!) { placeBid(input: $i) { status funded } }', {
      i: { loanId, lenderId, amount: String(amount) },
    });
    return d.placeBid;
  }

  async balance(who: string, customerId: string): Promise<{ available: string; frozen: string }> {
    const d = await this.ok<{ lendingCustomer: { account: { available: string; frozen: string } } }>(who, 'query($id: String!) { lendingCustomer(id: $id) { account { available frozen } } }', { id: customerId });
    return d.lendingCustomer.account;
  }
}
