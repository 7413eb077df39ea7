import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { decryptAsRecipient, type GeneralJWE, type Keystore } from '@zizhu/crypto';
import { startTestNode, type TestNode } from '../../support/node.js';
import { LendingClient, YUAN, bankCard, residentId, vin } from './lending-support.js';

/**
 * The lending module end to end through GraphQL, with several organisations: bank-a is the
 * custodian of platform-a and platform-b, the regulator supervises. The scenarios: the APR
 * cap from the LPR, borrowing caps across platforms without revealing identity, double pledges
 * (also 100 at once), claims sold and repayments split to the fen, and KYC another platform cannot open.
 */
describe('lending: onboarding, caps, collateral, funding, claims, repayment, privacy', () => {
  let t: TestNode;
  let c: LendingClient;
  let keystore: Keystore;

  beforeAll(async () => {
    t = await startTestNode();
    keystore = await t.keystore();
    c = new LendingClient(t);
    await c.loginAdmins(['bank-a', 'regulator', 'platform-a', 'platform-b', 'hospital-a']);
    await c.lprInForce('regulator');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('onboarding by the custodian bank: register (PENDING), approve only when FILED, suspend (no listing), resume; others may not', async () => {
    const REGISTER = 'mutation($i: RegisterLendingPlatformInput!) { registerLendingPlatform(input: $i) { org custodian status filingStatus } }';
    const input = { org: 'platform-a', registrationNo: '91110000PLATFORMA', name: 'Platform A', filingStatus: 'FILING_IN_PROGRESS', custodyAgreementRef: 'CUST-2025-001' };
    // Only a bank registers; a platform cannot register itself, nor can the regulator.
    expect(await c.refused('platform-a', REGISTER, { i: input })).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_A_BANK' });
    expect(await c.refused('regulator', REGISTER, { i: input })).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_A_BANK' });
    expect(await c.refused('bank-a', REGISTER, { i: { ...input, org: 'hospital-a' } })).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'NOT_A_PLATFORM_ORG' });

    expect((await c.ok<{ registerLendingPlatform: unknown }>('bank-a', REGISTER, { i: input })).registerLendingPlatform).toEqual({ org: 'platform-a', custodian: 'bank-a', status: 'PENDING', filingStatus: 'FILING_IN_PROGRESS' });
    // Registering the same again returns it; different details are the contract's PLATFORM_EXISTS.
    expect((await c.ok<{ registerLendingPlatform: { status: string } }>('bank-a', REGISTER, { i: input })).registerLendingPlatform.status).toBe('PENDING');
    expect(await c.refused('bank-a', REGISTER, { i: { ...input, name: 'Other' } })).toMatchObject({ code: 'CONFLICT', reason: 'PLATFORM_EXISTS' });

    const APPROVE = 'mutation($o: String!) { approveLendingPlatform(org: $o) { status approvedAt } }';
    expect(await c.refused('bank-a', APPROVE, { o: 'platform-a' })).toMatchObject({ code: 'CONFLICT', reason: 'PLATFORM_NOT_FILED' });
    // A platform that is not approved cannot register customers.
    expect((await c.gql('platform-a', 'mutation($i: RegisterLendingCustomerInput!) { registerLendingCustomer(input: $i) { id } }', {
      i: { personKind: 'NATURAL', roles: ['BORROWER'], name: 'Li Si', nationalId: residentId(), phone: '13800138000', bankCard: bankCard() },
    })).body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'PLATFORM_NOT_APPROVED' });
    await c.ok('bank-a', 'mutation { updateLendingPlatform(input: { org: "platform-a", filingStatus: FILED }) { filingStatus } }');
    const approved = (await c.ok<{ approveLendingPlatform: { status: string; approvedAt: number } }>('bank-a', APPROVE, { o: 'platform-a' })).approveLendingPlatform;
    expect(approved.status).toBe('ACTIVE');
    await c.onboard('bank-a', 'platform-b');

    const borrower = await c.customer('platform-b', ['BORROWER']);
    const suspended = await c.ok<{ suspendLendingPlatform: { status: string; suspendReason: string } }>('bank-a', 'mutation { suspendLendingPlatform(org: "platform-b", reason: "custody agreement under review") { status suspendReason } }');
    expect(suspended.suspendLendingPlatform).toEqual({ status: 'SUSPENDED', suspendReason: 'custody agreement under review' });
    expect((await c.list('platform-b', borrower, 1000n * YUAN)).body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'PLATFORM_SUSPENDED' });
    expect((await c.ok<{ resumeLendingPlatform: { status: string } }>('bank-a', 'mutation { resumeLendingPlatform(org: "platform-b") { status } }')).resumeLendingPlatform.status).toBe('ACTIVE');

    const platforms = (await c.ok<{ lendingPlatforms: { org: string; custodian: string; status: string }[] }>('regulator', '{ lendingPlatforms { org custodian status } }')).lendingPlatforms;
    expect(platforms).toEqual([
      { org: 'platform-a', custodian: 'bank-a', status: 'ACTIVE' },
      { org: 'platform-b', custodian: 'bank-a', status: 'ACTIVE' },
    ]);
  });

  it('with the one-year LPR at 3.45 % the APR cap is 13.80 %: an 18 % listing is rejected, 12 % accepted', async () => {
    const config = (await c.ok<{ lendingConfig: { aprCapMode: string; lpr: { bps: number }; aprCapBps: number } }>('platform-a', '{ lendingConfig { aprCapMode lpr { bps } aprCapBps } }')).lendingConfig;
    expect(config).toEqual({ aprCapMode: 'LPR_X4', lpr: { bps: 345 }, aprCapBps: 1380 });
    const borrower = await c.customer('platform-a', ['BORROWER']);
    const high = await c.list('platform-a', borrower, 10_000n * YUAN, { aprBps: 1800 });
    expect(high.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'APR_CAP_EXCEEDED' });
    expect(high.body.errors?.[0]?.message).toMatch(/1800 bps exceeds the cap of 1380 bps/);
    const ok = await c.list('platform-a', borrower, 10_000n * YUAN, { aprBps: 1200 });
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data!.createLoanListing).toMatchObject({ status: 'OPEN', aprCapBps: 1380 });
    // The repayment plan is shown before funding, exact in fen: 12 instalments summing to the principal.
    const plan = (await c.ok<{ loan: { schedule: { principal: string; total: string; dueAt: number | null }[] } }>('platform-b', 'query($id: String!) { loan(loanId: $id) { schedule { principal total dueAt } } }', { id: ok.body.data!.createLoanListing.id })).loan.schedule;
    expect(plan).toHaveLength(12);
    expect(plan.reduce((s, i) => s + BigInt(i.principal), 0n)).toBe(10_000n * YUAN);
    expect(plan[0]).toEqual({ principal: '78849', total: '88849', dueAt: null });

    // The regulator publishes a new LPR for tomorrow; a date in the past is refused.
    const tomorrow = Date.now() + 86_400_000;
    expect((await c.ok<{ publishLpr: { bps: number; effectiveFrom: number } }>('regulator', 'mutation($i: PublishLprInput!) { publishLpr(input: $i) { bps effectiveFrom } }', { i: { bps: 330, effectiveFrom: tomorrow } })).publishLpr).toEqual({ bps: 330, effectiveFrom: tomorrow });
    expect(await c.refused('regulator', 'mutation($i: PublishLprInput!) { publishLpr(input: $i) { bps } }', { i: { bps: 330, effectiveFrom: Date.now() - 60_000 } })).toMatchObject({ code: 'CONFLICT', reason: 'LPR_IN_PAST' });
    expect(await c.refused('platform-a', 'mutation($i: PublishLprInput!) { publishLpr(input: $i) { bps } }', { i: { bps: 330, effectiveFrom: tomorrow } })).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_A_REGULATOR' });
    expect((await c.ok<{ lendingConfig: { aprCapBps: number } }>('regulator', '{ lendingConfig { aprCapBps } }')).lendingConfig.aprCapBps).toBe(1380);
  });

  it('a borrower owing ¥150,000 on platform A asks ¥60,000 more on A → CAP_EXCEEDED; the same on B is accepted; the regulator sees the attempt', async () => {
    const nationalId = residentId();
    const onA = await c.customer('platform-a', ['BORROWER'], { nationalId, name: 'Wang Wu' });
    // The same person on platform B: another customer id, the same pseudonym (the caps add up across platforms).
    const onB = await c.customer('platform-b', ['BORROWER'], { nationalId: ` ${nationalId.toLowerCase()} `, name: 'Wang Wu' });
    expect(onB).not.toBe(onA);
    const lender = await c.customer('platform-a', ['LENDER']);
    await c.deposit('bank-a', lender, 150_000n * YUAN);
    const first = await c.list('platform-a', onA, 150_000n * YUAN);
    expect(first.body.errors).toBeUndefined();
    expect(await c.bid('platform-a', first.body.data!.createLoanListing.id, lender, 150_000n * YUAN)).toEqual({ status: 'ACTIVE', funded: String(150_000n * YUAN) });

    const more = await c.list('platform-a', onA, 60_000n * YUAN, { purpose: 'CAR_PURCHASE' });
    expect(more.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'CAP_EXCEEDED' });
    const onOther = await c.list('platform-b', onB, 60_000n * YUAN, { purpose: 'CAR_PURCHASE' });
    expect(onOther.body.errors).toBeUndefined();
    expect(onOther.body.data!.createLoanListing.status).toBe('OPEN');

    const alerts = (await c.ok<{ lendingAlerts: { edges: { node: { tx: string; reason: string; platform: string; borrower: string; borrowerRef: string; amount: string } }[] } }>(
      'regulator',
      '{ lendingAlerts(reason: CAP_EXCEEDED, first: 5) { edges { node { tx reason platform borrower borrowerRef amount } } } }',
    )).lendingAlerts.edges.map((e) => e.node);
    expect(alerts[0]).toMatchObject({ reason: 'CAP_EXCEEDED', platform: 'platform-a', borrower: onA, amount: String(60_000n * YUAN) });
    // Alerts are the regulator's.
    expect(await c.refused('platform-a', '{ lendingAlerts(first: 5) { edges { node { tx } } } }')).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_A_REGULATOR' });
  });

  it('collateral pledged through A, then through B → REVERTED DOUBLE_PLEDGE; the regulator sees the attempt', async () => {
    const REGISTER = 'mutation($i: RegisterCollateralInput!) { registerCollateral(input: $i) { created collateral { id status identifier } } }';
    const car = vin();
    const asset = { type: 'VEHICLE', identifier: car.toLowerCase().replace(/(.{4})/g, '$1 '), appraisedValue: String(200_000n * YUAN), documents: [{ value: 'ab'.repeat(32) }], ownerName: 'Zhao Liu', ownerNationalId: residentId() };
    const viaA = (await c.ok<{ registerCollateral: { created: boolean; collateral: { id: string; status: string; identifier: string } } }>('platform-a', REGISTER, { i: asset })).registerCollateral;
    expect(viaA).toMatchObject({ created: true, collateral: { status: 'FREE', identifier: car } });
    const borrowerA = await c.customer('platform-a', ['BORROWER']);
    const pledged = await c.list('platform-a', borrowerA, 50_000n * YUAN, { collateralId: viaA.collateral.id });
    expect(pledged.body.errors).toBeUndefined();

    // B digitises the same car: the same asset, already pledged.
    const viaB = (await c.ok<{ registerCollateral: { created: boolean; collateral: { id: string; status: string } } }>('platform-b', REGISTER, { i: { ...asset, identifier: car, ownerName: 'Someone Else' } })).registerCollateral;
    expect(viaB).toMatchObject({ created: false, collateral: { id: viaA.collateral.id, status: 'PLEDGED' } });
    const borrowerB = await c.customer('platform-b', ['BORROWER']);
    const second = await c.list('platform-b', borrowerB, 50_000n * YUAN, { collateralId: viaA.collateral.id });
    expect(second.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'DOUBLE_PLEDGE' });

    const alerts = (await c.ok<{ lendingAlerts: { edges: { node: { reason: string; platform: string; collateralId: string; borrower: string } }[] } }>(
      'regulator',
      '{ lendingAlerts(reason: DOUBLE_PLEDGE, first: 1) { edges { node { reason platform collateralId borrower } } } }',
    )).lendingAlerts.edges.map((e) => e.node);
    expect(alerts).toEqual([{ reason: 'DOUBLE_PLEDGE', platform: 'platform-b', collateralId: viaA.collateral.id, borrower: borrowerB }]);
    const dashboard = (await c.ok<{ lendingDashboard: { platforms: { platform: string; doublePledgeAttempts: number }[]; total: { doublePledgeAttempts: number } } }>(
      'regulator',
      '{ lendingDashboard { total { doublePledgeAttempts } platforms { platform doublePledgeAttempts } } }',
    )).lendingDashboard;
    expect(dashboard.platforms.find((p) => p.platform === 'platform-b')!.doublePledgeAttempts).toBeGreaterThanOrEqual(1);
    expect(dashboard.total.doublePledgeAttempts).toBeGreaterThanOrEqual(1);
    // The owner is sealed: A (which registered it) and the regulator read it; B does not.
    const OWNER = 'query($id: String!) { collateral(id: $id) { owner { name } } }';
    expect((await c.ok<{ collateral: { owner: { name: string } } }>('regulator', OWNER, { id: viaA.collateral.id })).collateral.owner.name).toBe('Zhao Liu');
    expect(await c.refused('platform-b', OWNER, { id: viaA.collateral.id })).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_A_RECIPIENT' });
  });

  it('100 concurrent pledges of one collateral → exactly one succeeds, the others are DOUBLE_PLEDGE', async () => {
    const asset = { type: 'PROPERTY', identifier: `京(2025)朝阳区不动产权第${Date.now()}号`, appraisedValue: String(5_000_000n * YUAN), ownerName: 'Qian Qi', ownerNationalId: residentId() };
    const collateralId = (await c.ok<{ registerCollateral: { collateral: { id: string } } }>('platform-a', 'mutation($i: RegisterCollateralInput!) { registerCollateral(input: $i) { collateral { id } } }', { i: asset })).registerCollateral.collateral.id;
    const borrowers = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? 'platform-a' : 'platform-b')).map(async (p) => ({ platform: p, id: await c.customer(p, ['BORROWER']) })));
    const results = await Promise.all(borrowers.map((b) => c.list(b.platform, b.id, 20_000n * YUAN, { collateralId })));
    const won = results.filter((r) => !r.body.errors);
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.body.errors?.[0]?.extensions?.reason === 'DOUBLE_PLEDGE')).toHaveLength(99);
    const collateral = (await c.ok<{ collateral: { status: string; lienLoanId: string } }>('platform-b', 'query($id: String!) { collateral(id: $id) { status lienLoanId } }', { id: collateralId })).collateral;
    expect(collateral).toEqual({ status: 'PLEDGED', lienLoanId: won[0].body.data!.createLoanListing.id });
  });

  it('L1 and L2 fund a loan; L2 sells its claim to L3 (platform B); the next repayment goes to L1 and L3, exact to the fen; the regulator drills down the fund flow', async () => {
    const borrower = await c.customer('platform-a', ['BORROWER'], { name: 'Sun Ba' });
    const l1 = await c.customer('platform-a', ['LENDER'], { name: 'Lender One' });
    const l2 = await c.customer('platform-a', ['LENDER'], { name: 'Lender Two' });
    const l3 = await c.customer('platform-b', ['LENDER'], { name: 'Lender Three' });
    await c.deposit('bank-a', l1, 60_000n * YUAN);
    await c.deposit('bank-a', l2, 40_000n * YUAN);
    await c.deposit('bank-a', l3, 41_000n * YUAN);
    // ¥100,000 at 12 % over 12 months, equal instalments (等额本息).
    const loanId = (await c.list('platform-a', borrower, 100_000n * YUAN, { aprBps: 1200, purpose: 'EQUIPMENT_PURCHASE' })).body.data!.createLoanListing.id;
    expect(await c.bid('platform-a', loanId, l1, 60_000n * YUAN)).toEqual({ status: 'OPEN', funded: String(60_000n * YUAN) });
    expect(await c.balance('platform-a', l1)).toEqual({ available: '0', frozen: String(60_000n * YUAN) });
    expect(await c.bid('platform-a', loanId, l2, 40_000n * YUAN)).toEqual({ status: 'ACTIVE', funded: String(100_000n * YUAN) });
    expect(await c.balance('platform-a', borrower)).toEqual({ available: String(100_000n * YUAN), frozen: '0' });

    type LoanView = { loan: { schedule: { k: number; principal: string; interest: string; total: string; status: string; dueAt: number }[]; claims: { id: string; holder: string; face: string }[] } };
    const view = (await c.ok<LoanView>('platform-a', 'query($id: String!) { loan(loanId: $id) { schedule { k principal interest total status dueAt } claims { id holder face } } }', { id: loanId })).loan;
    // A = P·r(1+r)^n/((1+r)^n − 1) with r = 1 %: 888,487.88 → 888,488 fen; month 1: interest 100,000, principal 788,488.
    expect(view.schedule[0]).toMatchObject({ k: 1, principal: '788488', interest: '100000', total: '888488', status: 'DUE' });
    expect(view.schedule.reduce((s, i) => s + BigInt(i.principal), 0n)).toBe(100_000n * YUAN);
    const claimOf = (holder: string) => view.claims.find((x) => x.holder === holder)!;
    expect(claimOf(l2).face).toBe(String(40_000n * YUAN));

    // L2 sells its whole claim to L3 for ¥40,500: offered by A, accepted by B (the buyer's platform).
    const offer = await c.ok<{ offerClaim: { price: string; buyerPlatform: string } }>('platform-a', 'mutation($i: OfferClaimInput!) { offerClaim(input: $i) { price buyerPlatform } }', {
      i: { loanId, claimId: claimOf(l2).id, buyerId: l3, price: String(40_500n * YUAN) },
    });
    expect(offer.offerClaim).toEqual({ price: String(40_500n * YUAN), buyerPlatform: 'platform-b' });
    expect(await c.refused('platform-a', 'mutation($l: String!, $c: String!) { acceptClaimOffer(loanId: $l, claimId: $c) { holder } }', { l: loanId, c: claimOf(l2).id })).toMatchObject({ code: 'NOT_FOUND' });
    const accepted = await c.ok<{ acceptClaimOffer: { holder: string; holderPlatform: string; transfers: number } }>('platform-b', 'mutation($l: String!, $c: String!) { acceptClaimOffer(loanId: $l, claimId: $c) { holder holderPlatform transfers } }', {
      l: loanId,
      c: claimOf(l2).id,
    });
    expect(accepted.acceptClaimOffer).toEqual({ holder: l3, holderPlatform: 'platform-b', transfers: 1 });
    expect(await c.balance('platform-a', l2)).toEqual({ available: String(40_500n * YUAN), frozen: '0' });
    expect(await c.balance('platform-b', l3)).toEqual({ available: String(500n * YUAN), frozen: '0' });

    // Instalment 1 (888,488 fen): principal 788,488 split 60:40 → 473,092.8 and 315,395.2, the odd fen to the larger fraction;
    // interest 100,000 → 60,000 and 40,000. L1 gets 533,093, L3 gets 355,395, L2 nothing.
    const repaid = await c.ok<{ repayInstalment: { outstanding: string; nextInstalment: number } }>('platform-a', 'mutation($l: String!) { repayInstalment(loanId: $l, instalment: 1) { outstanding nextInstalment } }', { l: loanId });
    expect(repaid.repayInstalment).toEqual({ outstanding: String(100_000n * YUAN - 788_488n), nextInstalment: 2 });
    expect(await c.balance('platform-a', l1)).toEqual({ available: '533093', frozen: '0' });
    expect(await c.balance('platform-b', l3)).toEqual({ available: String(500n * YUAN + 355_395n), frozen: '0' });
    expect(await c.balance('platform-a', l2)).toEqual({ available: String(40_500n * YUAN), frozen: '0' });
    expect(await c.balance('platform-a', borrower)).toEqual({ available: String(100_000n * YUAN - 888_488n), frozen: '0' });
    const shares = (await c.ok<LoanView & { loan: { schedule: { shares: { holder: string; principal: string; interest: string }[] }[] } }>('regulator', 'query($id: String!) { loan(loanId: $id) { schedule { k principal interest total status dueAt shares { holder principal interest } } claims { id holder face } } }', { id: loanId })).loan.schedule[0];
    expect(shares.status).toBe('PAID');
    expect(new Set(shares.shares.map((s) => JSON.stringify(s)))).toEqual(
      new Set([JSON.stringify({ holder: l1, principal: '473093', interest: '60000' }), JSON.stringify({ holder: l3, principal: '315395', interest: '40000' })]),
    );

    // The regulator's drill-down: every custody movement of the loan, identities decrypted.
    type Flow = { loan: { fundFlow: { kind: string; amount: string; fromParty: { name: string | null } | null; toParty: { name: string | null } | null }[] } };
    const FLOW = 'query($id: String!) { loan(loanId: $id) { fundFlow { kind amount fromParty { name } toParty { name } } } }';
    const flow = (await c.ok<Flow>('regulator', FLOW, { id: loanId })).loan.fundFlow;
    const rows = flow.map((m) => [m.kind, m.amount, m.fromParty?.name ?? null, m.toParty?.name ?? null].join(' '));
    // In the order the contract moved the money; within one transaction (the disbursements, the repayment) by claim.
    expect(rows.slice(0, 2)).toEqual([`BID_FREEZE ${60_000n * YUAN} Lender One Lender One`, `BID_FREEZE ${40_000n * YUAN} Lender Two Lender Two`]);
    expect(rows.slice(2, 4).sort()).toEqual([`DISBURSEMENT ${40_000n * YUAN} Lender Two Sun Ba`, `DISBURSEMENT ${60_000n * YUAN} Lender One Sun Ba`]);
    expect(rows[4]).toBe(`CLAIM_SALE ${40_500n * YUAN} Lender Three Lender Two`);
    expect(rows.slice(5).sort()).toEqual(['REPAYMENT 355395 Sun Ba Lender Three', 'REPAYMENT 533093 Sun Ba Lender One']);
    // Platform A sees its own customers' names, not B's; B may not see A's loan's flow at all.
    const asA = (await c.ok<Flow>('platform-a', FLOW, { id: loanId })).loan.fundFlow;
    expect(asA.find((m) => m.kind === 'CLAIM_SALE')).toMatchObject({ fromParty: { name: null }, toParty: { name: 'Lender Two' } });
    expect(await c.refused('platform-b', FLOW, { id: loanId })).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_A_PARTY' });
    // The same as CSV, for the regulator.
    const csv = await fetch(`${t.url}/lending/loans/${loanId}/fund-flow.csv`, { headers: { authorization: `Bearer ${c.tokens.regulator}` } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatch(/^height,tx,idx,at,kind,amount_fen,from_customer/);
    expect(lines.find((l) => l.includes(',CLAIM_SALE,'))).toContain('Lender Three');
    expect((await fetch(`${t.url}/lending/loans/${loanId}/fund-flow.csv`, { headers: { authorization: `Bearer ${c.tokens['platform-b']}` } })).status).toBe(403);
    expect((await fetch(`${t.url}/lending/loans/${loanId}/fund-flow.csv`)).status).toBe(401);
  });

  it("platform B's key cannot open platform A's customer KYC, the regulator's can; the bank reads the bank card only", async () => {
    const nationalId = residentId();
    const id = await c.customer('platform-a', ['BORROWER'], { nationalId, name: 'Zhou Jiu' });
    const sealed = (await c.ok<{ lendingCustomer: { sealed: GeneralJWE } }>('regulator', 'query($id: String!) { lendingCustomer(id: $id) { sealed } }', { id })).lendingCustomer.sealed;
    const key = (org: string) => keystore.x25519PrivateKey(`${org}/encryption`);
    const aad = `lending:customer:${id}`;
    // Platform B is no recipient; its private key does not unwrap A's recipient entry either.
    await expect(decryptAsRecipient(sealed, { kid: 'platform-b', privateKey: key('platform-b') }, { aad })).rejects.toThrow();
    await expect(decryptAsRecipient(sealed, { kid: 'platform-a', privateKey: key('platform-b') }, { aad })).rejects.toThrow();
    // The regulator opens the custody envelope and the KYC inside it.
    const envelope = JSON.parse(Buffer.from(await decryptAsRecipient(sealed, { kid: 'regulator', privateKey: key('regulator') }, { aad })).toString('utf8')) as { bankCard: string; kyc: GeneralJWE };
    const kyc = JSON.parse(Buffer.from(await decryptAsRecipient(envelope.kyc, { kid: 'regulator', privateKey: key('regulator') }, { aad: `lending:customer-kyc:${id}` })).toString('utf8'));
    expect(kyc).toEqual({ name: 'Zhou Jiu', nationalId, phone: '13800138000' });
    expect(envelope.bankCard).toMatch(/^622202[0-9]{10}$/);
    // The custodian bank opens the envelope (the bank card) but not the KYC.
    const asBank = JSON.parse(Buffer.from(await decryptAsRecipient(sealed, { kid: 'bank-a', privateKey: key('bank-a') }, { aad })).toString('utf8')) as { kyc: GeneralJWE };
    await expect(decryptAsRecipient(asBank.kyc, { kid: 'bank-a', privateKey: key('bank-a') }, { aad: `lending:customer-kyc:${id}` })).rejects.toThrow();

    // Through GraphQL the same: A and the regulator read the identity, B does not even see the customer, the bank reads only the card.
    const IDENTITY = 'query($id: String!) { lendingCustomer(id: $id) { identity { name nationalId phone } } }';
    expect((await c.ok<{ lendingCustomer: { identity: unknown } }>('platform-a', IDENTITY, { id })).lendingCustomer.identity).toEqual(kyc);
    expect((await c.ok<{ lendingCustomer: { identity: unknown } }>('regulator', IDENTITY, { id })).lendingCustomer.identity).toEqual(kyc);
    expect(await c.refused('platform-b', IDENTITY, { id })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await c.refused('bank-a', IDENTITY, { id })).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_A_RECIPIENT' });
    expect((await c.ok<{ lendingCustomer: { bankCard: string } }>('bank-a', 'query($id: String!) { lendingCustomer(id: $id) { bankCard } }', { id })).lendingCustomer.bankCard).toBe(envelope.bankCard);
    // Every decryption is audited in the reader's organisation.
    const audit = (await c.ok<{ auditRecords: { edges: { node: { action: string; target: string } }[] } }>('regulator', '{ auditRecords(first: 10) { edges { node { action target } } } }')).auditRecords.edges.map((e) => e.node);
    expect(audit).toContainEqual({ action: 'DECRYPTION', target: `lending-customer:${id}` });
  });

  it('bad input answers BAD_USER_INPUT with a reason; unknown ids NOT_FOUND', async () => {
    const REGISTER = 'mutation($i: RegisterLendingCustomerInput!) { registerLendingCustomer(input: $i) { id } }';
    const good = { personKind: 'NATURAL', roles: ['BORROWER'], name: 'Wu Shi', nationalId: residentId(), phone: '13800138000', bankCard: bankCard() };
    const badCheck = good.nationalId.slice(0, 17) + (good.nationalId[17] === '0' ? '1' : '0');
    expect(await c.refused('platform-a', REGISTER, { i: { ...good, nationalId: badCheck } })).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_NATIONAL_ID' });
    expect(await c.refused('platform-a', REGISTER, { i: { ...good, bankCard: good.bankCard.slice(0, 15) + String((Number(good.bankCard[15]) + 1) % 10) } })).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_BANK_CARD' });
    expect(await c.refused('platform-a', REGISTER, { i: { ...good, roles: [] } })).toMatchObject({ code: 'BAD_USER_INPUT' });
    const borrower = await c.customer('platform-a', ['BORROWER']);
    for (const extra of [{ amount: '12.50' }, { amount: '-5' }, { termMonths: 0 }, { purpose: 'lowercase' }, { borrowerId: 'xyz' }]) {
      expect({ extra, ...(await c.refused('platform-a', 'mutation($i: CreateLoanListingInput!) { createLoanListing(input: $i) { id } }', { i: { ...c.listingInput(borrower, 1000n * YUAN), ...extra } })) }).toMatchObject({ extra, code: 'BAD_USER_INPUT' });
    }
    expect((await c.list('platform-a', borrower, 1000n * YUAN, { purpose: 'SECURITIES' })).body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'PURPOSE_PROHIBITED' });
    expect(await c.refused('platform-a', 'query { loan(loanId: "' + 'a'.repeat(64) + '") { id } }')).toMatchObject({ code: 'NOT_FOUND' });
    expect(await c.refused('platform-a', 'mutation { registerCollateral(input: { type: VEHICLE, identifier: "NOT-A-VIN", appraisedValue: "100", ownerName: "x", ownerNationalId: "y" }) { created } }')).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'INVALID_IDENTIFIER',
    });
  });

  it('lists are Relay connections, newest first, paged by opaque cursors; a platform lists only its own customers', async () => {
    type Page = { lendingCustomers: { edges: { cursor: string; node: { id: string; platform: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    const PAGE = 'query($after: String) { lendingCustomers(first: 3, after: $after) { edges { cursor node { id platform } } pageInfo { hasNextPage endCursor } } }';
    const first = (await c.ok<Page>('regulator', PAGE)).lendingCustomers;
    expect(first.edges).toHaveLength(3);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await c.ok<Page>('regulator', PAGE, { after: first.pageInfo.endCursor })).lendingCustomers;
    expect(second.edges).toHaveLength(3);
    expect(second.edges.map((e) => e.node.id).filter((id) => first.edges.some((f) => f.node.id === id))).toEqual([]);
    expect(await c.refused('regulator', PAGE, { after: 'bm90LWEtY3Vyc29y' })).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'BAD_CURSOR' });
    const mine = (await c.ok<Page>('platform-b', 'query { lendingCustomers(first: 100) { edges { node { id platform } } pageInfo { hasNextPage endCursor } } }')).lendingCustomers;
    expect(new Set(mine.edges.map((e) => e.node.platform))).toEqual(new Set(['platform-b']));
    const loans = (await c.ok<{ loans: { edges: { node: { listedAt: number } }[] } }>('platform-b', '{ loans(first: 20) { edges { node { listedAt } } } }')).loans.edges.map((e) => e.node.listedAt);
    expect([...loans].sort((a, b) => b - a)).toEqual(loans);
  });

  it("the operations layer by role on a platform: an operator acts, an auditor reads only, a viewer neither", async () => {
    for (const role of ['operator', 'auditor', 'viewer'] as const) {
      await c.ok('platform-a', 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: { username: `pa-${role}`, password: `${role}-platform-password`, roles: [role.toUpperCase()] } });
      c.tokens[`pa-${role}`] = await t.login('platform-a', `pa-${role}`, `${role}-platform-password`);
    }
    const REGISTER = 'mutation($i: RegisterLendingCustomerInput!) { registerLendingCustomer(input: $i) { id } }';
    const input = () => ({ personKind: 'NATURAL', roles: ['LENDER'], name: 'Role Test', nationalId: residentId(), phone: '13800138000', bankCard: bankCard() });
    expect((await c.ok<{ registerLendingCustomer: { id: string } }>('pa-operator', REGISTER, { i: input() })).registerLendingCustomer.id).toMatch(/^[0-9a-f]{64}$/);
    expect(await c.refused('pa-auditor', REGISTER, { i: input() })).toMatchObject({ code: 'FORBIDDEN', reason: 'MISSING_PERMISSION' });
    expect((await c.gql('pa-auditor', '{ lendingCustomers(first: 1) { edges { node { id } } } }')).body.errors).toBeUndefined();
    expect(await c.refused('pa-viewer', '{ lendingCustomers(first: 1) { edges { node { id } } } }')).toMatchObject({ code: 'FORBIDDEN', reason: 'MISSING_PERMISSION' });
    // An organisation outside the lending channel is refused before anything else.
    expect(await c.refused('hospital-a', '{ lendingPlatforms { org } }')).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_A_MEMBER' });
  });
});
