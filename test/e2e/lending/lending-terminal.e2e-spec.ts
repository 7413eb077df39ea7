import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { startTestNode, type TestNode } from '../../support/node.js';
import { LendingClient, YUAN } from './lending-support.js';

const TERMINAL_LIMIT = 60;

/**
 * The terminal layer: a platform's customers as users (roles borrower, lender), each linked to its
 * customer, acting only for it with their own keys; the operations layer stays closed to them; and
 * their own rate limit (LENDING_TERMINAL_RATE_LIMIT_PER_MINUTE).
 */
describe('lending terminal layer: borrowers and lenders', () => {
  let t: TestNode;
  let c: LendingClient;
  let borrower: string;
  let lender: string;
  let buyer: string;
  let loanId: string;

  async function terminalUser(org: string, username: string, role: 'BORROWER' | 'LENDER', customerId?: string): Promise<void> {
    await c.ok(org, 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: { username, password: `${username}-terminal-password`, roles: [role] } });
    if (customerId) await c.ok(org, 'mutation($i: LinkTerminalUserInput!) { linkLendingTerminalUser(input: $i) { customerId } }', { i: { username, customerId } });
    c.tokens[username] = await t.login(org, username, `${username}-terminal-password`);
  }

  beforeAll(async () => {
    t = await startTestNode({ LENDING_TERMINAL_RATE_LIMIT_PER_MINUTE: String(TERMINAL_LIMIT) });
    c = new LendingClient(t);
    await c.loginAdmins(['bank-a', 'regulator', 'platform-a', 'platform-b']);
    await c.lprInForce('regulator');
    await c.onboard('bank-a', 'platform-a');
    await c.onboard('bank-a', 'platform-b');
    borrower = await c.customer('platform-a', ['BORROWER'], { name: 'Zhang Borrower' });
    lender = await c.customer('platform-a', ['LENDER'], { name: 'Li Lender' });
    buyer = await c.customer('platform-b', ['LENDER'], { name: 'Wang Buyer' });
    await c.deposit('bank-a', lender, 20_000n * YUAN);
    await c.deposit('bank-a', buyer, 20_000n * YUAN);
    await terminalUser('platform-a', 'zhang', 'BORROWER', borrower);
    await terminalUser('platform-a', 'li', 'LENDER', lender);
    await terminalUser('platform-b', 'wang', 'LENDER', buyer);
    loanId = (await c.list('platform-a', borrower, 10_000n * YUAN, { aprBps: 1000, termMonths: 6, method: 'INTEREST_ONLY' })).body.data!.createLoanListing.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('links only a user with a terminal role to a customer holding that role', async () => {
    await c.ok('platform-a', 'mutation { createUser(input: { username: "clerk", password: "clerk-password-1", roles: [OPERATOR] }) { id } }');
    const LINK = 'mutation($i: LinkTerminalUserInput!) { linkLendingTerminalUser(input: $i) { customerId } }';
    expect(await c.refused('platform-a', LINK, { i: { username: 'clerk', customerId: borrower } })).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'NOT_A_TERMINAL_ROLE' });
    await terminalUser('platform-a', 'zhao', 'LENDER');
    expect(await c.refused('platform-a', LINK, { i: { username: 'zhao', customerId: borrower } })).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'ROLE_MISSING' });
    // Not linked yet: the terminal answers FORBIDDEN.
    expect(await c.refused('zhao', '{ myLendingProfile { id } }')).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_LINKED' });
    // Another platform's customer cannot be linked.
    expect(await c.refused('platform-a', LINK, { i: { username: 'zhao', customerId: buyer } })).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a lender sees its platform market, bids from its own account, holds the claim; the borrower sees its loan and repayment plan and repays', async () => {
    const market = (await c.ok<{ lendingMarket: { edges: { node: { id: string; status: string; fundingProgress: number } }[] } }>('li', '{ lendingMarket(first: 10) { edges { node { id status fundingProgress } } } }')).lendingMarket.edges.map((e) => e.node);
    expect(market).toEqual([{ id: loanId, status: 'OPEN', fundingProgress: 0 }]);
    // Another platform's lender does not see A's market.
    expect((await c.ok<{ lendingMarket: { edges: unknown[] } }>('wang', '{ lendingMarket(first: 10) { edges { node { id } } } }')).lendingMarket.edges).toEqual([]);

    const half = await c.ok<{ placeMyBid: { status: string; fundingProgress: number } }>('li', 'mutation($i: PlaceMyBidInput!) { placeMyBid(input: $i) { status fundingProgress } }', { i: { loanId, amount: String(5_000n * YUAN) } });
    expect(half.placeMyBid).toEqual({ status: 'OPEN', fundingProgress: 0.5 });
    expect((await c.ok<{ placeMyBid: { status: string } }>('li', 'mutation($i: PlaceMyBidInput!) { placeMyBid(input: $i) { status } }', { i: { loanId, amount: String(5_000n * YUAN) } })).placeMyBid.status).toBe('ACTIVE');
    // Another platform's lender cannot bid on A's listing.
    expect(await c.refused('wang', 'mutation($i: PlaceMyBidInput!) { placeMyBid(input: $i) { status } }', { i: { loanId, amount: '100' } })).toMatchObject({ code: 'CONFLICT', reason: 'NOT_LISTING_PLATFORM' });

    type MyLoans = { myLoans: { edges: { node: { id: string; status: string; schedule: { k: number; principal: string; interest: string; total: string; dueAt: number | null }[]; bids: { amount: string }[] } }[] } };
    const mine = (await c.ok<MyLoans>('zhang', '{ myLoans(first: 5) { edges { node { id status schedule { k principal interest total dueAt } bids { amount } } } } }')).myLoans.edges.map((e) => e.node);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ id: loanId, status: 'ACTIVE', bids: [] });
    // Interest only (先息后本) at 10 %: 10,000 yuan × 10 % / 12 = 83.33 yuan a month, the principal with the last.
    expect(mine[0].schedule.map((i) => [i.k, i.principal, i.interest])).toEqual([
      [1, '0', '8333'],
      [2, '0', '8333'],
      [3, '0', '8333'],
      [4, '0', '8333'],
      [5, '0', '8333'],
      [6, String(10_000n * YUAN), '8333'],
    ]);
    expect(mine[0].schedule.every((i) => typeof i.dueAt === 'number')).toBe(true);

    const repaid = await c.ok<{ repayMyInstalment: { nextInstalment: number } }>('zhang', 'mutation($l: String!) { repayMyInstalment(loanId: $l, instalment: 1) { nextInstalment } }', { l: loanId });
    expect(repaid.repayMyInstalment.nextInstalment).toBe(2);
    type Portfolio = { myPortfolio: { outstanding: string; interestReceived: string; available: string; frozen: string; claims: { id: string; loanId: string }[] } };
    const portfolio = (await c.ok<Portfolio>('li', '{ myPortfolio { outstanding interestReceived available frozen claims { id loanId } } }')).myPortfolio;
    expect(portfolio).toMatchObject({ outstanding: String(10_000n * YUAN), interestReceived: '8333', available: String(10_000n * YUAN + 8_333n), frozen: '0' });
    expect(portfolio.claims).toEqual([{ id: expect.any(String), loanId }]);

    // The lender sells its claim to a lender of platform B, who accepts it from its own terminal.
    const claimId = portfolio.claims[0].id;
    const offer = await c.ok<{ offerMyClaim: { buyer: string; price: string } }>('li', 'mutation($i: OfferClaimInput!) { offerMyClaim(input: $i) { buyer price } }', { i: { loanId, claimId, buyerId: buyer, price: String(10_050n * YUAN) } });
    expect(offer.offerMyClaim).toEqual({ buyer, price: String(10_050n * YUAN) });
    expect(await c.refused('li', 'mutation($l: String!, $c: String!) { acceptMyClaimOffer(loanId: $l, claimId: $c) { holder } }', { l: loanId, c: claimId })).toMatchObject({ code: 'NOT_FOUND' });
    expect((await c.ok<{ acceptMyClaimOffer: { holder: string } }>('wang', 'mutation($l: String!, $c: String!) { acceptMyClaimOffer(loanId: $l, claimId: $c) { holder } }', { l: loanId, c: claimId })).acceptMyClaimOffer.holder).toBe(buyer);
    expect((await c.ok<Portfolio>('wang', '{ myPortfolio { outstanding interestReceived available frozen claims { id loanId } } }')).myPortfolio).toMatchObject({ outstanding: String(10_000n * YUAN), available: String(9_950n * YUAN) });
  });

  it('each sees only its own: identity decrypted for itself; the operations layer and the other role are closed', async () => {
    const me = (await c.ok<{ myLendingProfile: { id: string; identity: { name: string }; account: { available: string } } }>('zhang', '{ myLendingProfile { id identity { name } account { available } } }')).myLendingProfile;
    expect(me).toMatchObject({ id: borrower, identity: { name: 'Zhang Borrower' } });
    for (const [who, query] of [
      ['zhang', '{ loans(first: 1) { edges { node { id } } } }'],
      ['li', `{ lendingCustomer(id: "${borrower}") { id } }`],
      ['li', 'mutation($l: String!) { repayMyInstalment(loanId: $l, instalment: 2) { id } }'],
      ['zhang', '{ lendingMarket(first: 1) { edges { node { id } } } }'],
      ['zhang', '{ myPortfolio { outstanding } }'],
    ] as const) {
      expect({ who, query, ...(await c.refused(who, query, { l: loanId })) }).toMatchObject({ who, query, code: 'FORBIDDEN' });
    }
    // A loan the lender no longer has any part in does not show its flow; a borrower sees its own loan's plan, not others' bids.
    const view = (await c.ok<{ myLoans: { edges: { node: { claims: { holder: string }[] } }[] } }>('zhang', '{ myLoans(first: 1) { edges { node { claims { holder } } } } }')).myLoans.edges[0].node;
    expect(view.claims).toEqual([]);
    expect(await c.refused('zhang', '{ myLoans(first: 1) { edges { node { fundFlow { kind } } } } }')).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_A_PARTY' });
  });

  it(`a terminal user is limited to ${TERMINAL_LIMIT} operations a minute (RATE_LIMITED beyond)`, async () => {
    let limited: { code?: string } | undefined;
    for (let i = 0; i < TERMINAL_LIMIT + 5 && !limited; i++) {
      const r = await c.gql('wang', '{ myLendingNotifications(first: 1) { edges { node { id } } } }');
      if (r.body.errors) limited = r.body.errors[0].extensions;
    }
    expect(limited).toMatchObject({ code: 'RATE_LIMITED' });
    // Operations staff are not limited by the terminal budget.
    expect((await c.gql('platform-b', '{ lendingPlatforms { org } }')).body.errors).toBeUndefined();
  });
});
