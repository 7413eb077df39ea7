import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import type { TxReceipt } from '@zizhu/chain';
import { decryptJson, type Ed25519Signer } from '@zizhu/crypto';
import { contractFixture } from '../../../test/support/contract-fixture.js';
import {
  LendingContract,
  type BankTotals,
  type ClaimToken,
  type Collateral,
  type CustodyAccount,
  type Customer,
  type Instalment,
  type Loan,
  type PersonExposure,
  type PlatformExposure,
  type SealedJwe,
} from './lending.contract.js';

const DAY = 86_400_000;
const ORGS = ['bank-a', 'bank-b', 'platform-a', 'platform-b', 'platform-c', 'regulator'] as const;
type Org = (typeof ORGS)[number];

describe('LendingContract on the engine over PostgreSQL', () => {
  /** The chain's clock: block times and transaction timestamps; tests move it forward. */
  let now = Date.now();
  const engine = contractFixture({
    database: 'zizhu_lending',
    contract: LendingContract,
    orgs: [
      { id: 'bank-a', name: 'Bank A', kind: 'BANK' },
      { id: 'bank-b', name: 'Bank B', kind: 'BANK' },
      { id: 'platform-a', name: 'Platform A', kind: 'PLATFORM' },
      { id: 'platform-b', name: 'Platform B', kind: 'PLATFORM' },
      { id: 'platform-c', name: 'Platform C', kind: 'PLATFORM' },
      { id: 'regulator', name: 'Regulator', kind: 'REGULATOR' },
    ],
    clock: () => now,
  });
  const { read } = engine;
  const signer = {} as Record<Org, Ed25519Signer>;

  beforeAll(async () => {
    await engine.open();
    for (const org of ORGS) signer[org] = engine.admin(org);

    // The consortium as the other tests find it: LPR 3.45 % in force; A in bank-a's custody, B in bank-b's.
    await ok('regulator', 'setLpr', { effectiveFrom: now, bps: 345 });
    for (const [bank, org] of [['bank-a', 'platform-a'], ['bank-b', 'platform-b']] as const) {
      await ok(bank, 'registerPlatform', { org, registrationNo: `REG-${org}`, name: org, filingStatus: 'FILED', custodyAgreementRef: `CUST-${org}` });
      await ok(bank, 'approvePlatform', { org });
    }
  });

  afterAll(() => engine.close());

  const send = (org: Org, method: string, args: Record<string, unknown>): Promise<TxReceipt> => engine.send(signer[org], method, args);
  const ok = (org: Org, method: string, args: Record<string, unknown>) => engine.ok(signer[org], method, args);
  /** Asserts a REVERT with `code` that wrote nothing to the lending channel's state. */
  const reverts = (code: string, org: Org, method: string, args: Record<string, unknown>) => engine.reverts(code, signer[org], method, args);
  const refused = (org: Org, method: string, args: Record<string, unknown>) => expect(send(org, method, args)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  const account = async (id: string) => (await read<CustodyAccount>(`acct/${id}`))!;
  const balances = async (...ids: string[]) => Promise.all(ids.map(async (id) => ({ available: (await account(id)).available, frozen: (await account(id)).frozen })));
  const loanOf = async (id: string) => (await read<Loan>(`loan/${id}`))!;
  const claimsOf = async (loanId: string) => (await engine.store.scanState('lending', `claim/${loanId}/`)).map(([, v]) => JSON.parse(v) as ClaimToken);
  const instalment = async (loanId: string, k: number) => (await read<Instalment>(`inst/${loanId}/${String(k).padStart(3, '0')}`))!;
  const seal = async (orgs: string[], data: Record<string, string>): Promise<SealedJwe> => (await engine.sealFor([...orgs, 'regulator'], data)) as unknown as SealedJwe;
  const newRef = () => randomBytes(32).toString('hex');
  const instructionRef = () => `T${randomBytes(8).toString('hex')}`;
  const bankOf: Record<string, Org> = { 'platform-a': 'bank-a', 'platform-b': 'bank-b' };

  /** Registers a customer of `platform` (a new person unless `ref` is given); returns its id and pseudonym. */
  async function customer(platform: Org, roles: string[], opts: { ref?: string; kind?: 'NATURAL' | 'LEGAL' } = {}) {
    const borrowerRef = opts.ref ?? newRef();
    const sealed = await seal([platform], { name: 'Zhang San', nationalId: '110101199003070000', phone: '13800000000' });
    const r = await ok(platform, 'registerCustomer', { borrowerRef, personKind: opts.kind ?? 'NATURAL', roles, sealed });
    return { id: (r.value as { id: string }).id, ref: borrowerRef, platform };
  }
  const deposit = (platform: string, customerId: string, amount: bigint) => ok(bankOf[platform], 'deposit', { ref: instructionRef(), customerId, amount: String(amount) });
  async function lender(platform: Org, funds: bigint) {
    const c = await customer(platform, ['LENDER']);
    await deposit(platform, c.id, funds);
    return c;
  }
  const listingArgs = (borrower: string, o: Record<string, unknown> = {}) => ({
    borrower,
    amount: '1000000',
    aprBps: 1200,
    termMonths: 12,
    method: 'EQUAL_INSTALLMENT',
    purpose: 'CONSUMPTION',
    fundingDeadline: now + 7 * DAY,
    ...o,
  });
  async function list(platform: Org, borrower: string, o: Record<string, unknown> = {}) {
    const r = await ok(platform, 'createListing', listingArgs(borrower, o));
    return (r.value as { loanId: string }).loanId;
  }
  const bidArgs = async (loanId: string, lenderId: string, amount: bigint) => ({ loanId, lender: lenderId, amount: String(amount), sealed: await seal(['platform-a'], { note: 'bid' }) });
  /** A listing on `platform` funded in full by one new lender: an ACTIVE loan. */
  async function activeLoan(platform: Org, borrower: string, o: Record<string, unknown> = {}) {
    const loanId = await list(platform, borrower, o);
    const amount = BigInt((o.amount as string) ?? '1000000');
    const l = await lender(platform, amount);
    await ok(platform, 'bid', await bidArgs(loanId, l.id, amount));
    return { loanId, lender: l };
  }
  const vin = () => {
    const chars = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
    return Array.from(randomBytes(17), (b) => chars[b % chars.length]).join('');
  };
  const collateralArgs = async (platform: Org, o: Record<string, unknown> = {}) => ({
    type: 'VEHICLE',
    identifier: vin(),
    appraisedValue: '25000000',
    documents: [{ alg: 'sha256', value: randomBytes(32).toString('hex') }],
    sealedOwner: await seal([platform], { owner: 'Li Si' }),
    ...o,
  });
  async function collateral(platform: Org, identifier = vin()) {
    const r = await ok(platform, 'registerCollateral', await collateralArgs(platform, { identifier }));
    return r.value as { id: string; created: boolean; status: string };
  }
  const bankInvariant = (t: BankTotals) => BigInt(t.available) + BigInt(t.frozen) === BigInt(t.deposited) - BigInt(t.withdrawn) + BigInt(t.transferredIn) - BigInt(t.transferredOut);

  describe('configuration (regulator)', () => {
    it('with the one-year LPR at 3.45 % the cap is 13.80 %: an 18 % listing REVERTs APR_CAP_EXCEEDED, 12 % and 13.80 % are accepted', async () => {
      const b = await customer('platform-a', ['BORROWER']);
      await reverts('APR_CAP_EXCEEDED', 'platform-a', 'createListing', listingArgs(b.id, { aprBps: 1800 }));
      await reverts('APR_CAP_EXCEEDED', 'platform-a', 'createListing', listingArgs(b.id, { aprBps: 1381 }));
      const r = await ok('platform-a', 'createListing', listingArgs(b.id, { aprBps: 1200 }));
      expect(r.value).toMatchObject({ status: 'OPEN', aprCapBps: 1380 });
      expect(await loanOf((r.value as { loanId: string }).loanId)).toMatchObject({ aprBps: 1200, aprCapBps: 1380, status: 'OPEN', borrower: b.id });
      await ok('platform-a', 'createListing', listingArgs(b.id, { aprBps: 1380, purpose: 'EDUCATION' }));
    });

    it('LPR history: a future entry does not apply yet and can be replaced; past or in-force entries cannot be (re)written', async () => {
      const b = await customer('platform-a', ['BORROWER']);
      await ok('regulator', 'setLpr', { effectiveFrom: now + 30 * DAY, bps: 300 });
      await ok('regulator', 'setLpr', { effectiveFrom: now + 30 * DAY, bps: 345 });
      expect((await ok('platform-a', 'createListing', listingArgs(b.id))).value).toMatchObject({ aprCapBps: 1380 });
      await reverts('LPR_IN_PAST', 'regulator', 'setLpr', { effectiveFrom: now - 1, bps: 300 });
      // An entry that took effect at this very block time is in force already: fixed too.
      now += 1;
      await ok('regulator', 'setLpr', { effectiveFrom: now, bps: 345 });
      await reverts('LPR_ALREADY_EFFECTIVE', 'regulator', 'setLpr', { effectiveFrom: now, bps: 300 });
    });

    it('LEGACY_24 caps at 24 % whatever the LPR; the regulator switches back', async () => {
      const b = await customer('platform-a', ['BORROWER']);
      const r = await ok('regulator', 'configure', { aprCapMode: 'LEGACY_24' });
      expect(r.events[0]).toMatchObject({ type: 'Configured', data: { aprCapMode: 'LEGACY_24', updatedBy: 'regulator' } });
      expect((await ok('platform-a', 'createListing', listingArgs(b.id, { aprBps: 1800 }))).value).toMatchObject({ aprCapBps: 2400 });
      await reverts('APR_CAP_EXCEEDED', 'platform-a', 'createListing', listingArgs(b.id, { aprBps: 2401, purpose: 'EDUCATION' }));
      await ok('regulator', 'configure', { aprCapMode: 'LPR_X4' });
      await reverts('APR_CAP_EXCEEDED', 'platform-a', 'createListing', listingArgs(b.id, { aprBps: 1800, purpose: 'EDUCATION' }));
    });

    it('prohibited purposes (defaults and the regulator\'s additions) REVERT PURPOSE_PROHIBITED; caps must be consistent', async () => {
      const b = await customer('platform-a', ['BORROWER']);
      for (const purpose of ['SECURITIES', 'FUTURES', 'REAL_ESTATE_DOWN_PAYMENT']) await reverts('PURPOSE_PROHIBITED', 'platform-a', 'createListing', listingArgs(b.id, { purpose }));
      const cfg = await ok('regulator', 'configure', { prohibitedPurposes: [...LendingContract.defaultConfig.prohibitedPurposes, 'CRYPTO_ASSETS'] });
      expect((cfg.value as { prohibitedPurposes: string[] }).prohibitedPurposes).toContain('CRYPTO_ASSETS');
      await reverts('PURPOSE_PROHIBITED', 'platform-a', 'createListing', listingArgs(b.id, { purpose: 'CRYPTO_ASSETS' }));
      await reverts('INVALID_CAPS', 'regulator', 'configure', { caps: { NATURAL: { perPlatform: '30000000', total: '20000000' } } });
      await expect(send('regulator', 'configure', {})).rejects.toMatchObject({ code: 'INVALID_ARGS' });
    });
  });

  describe('platforms (custodian bank)', () => {
    it('register (PENDING), approve only once FILED, only by the custodian; a pending platform cannot act', async () => {
      // A PLATFORM organisation no bank has registered is no lending platform.
      await reverts('PLATFORM_NOT_FOUND', 'platform-c', 'registerCustomer', { borrowerRef: newRef(), personKind: 'NATURAL', roles: ['LENDER'], sealed: await seal(['platform-c'], {}) });
      await reverts('PLATFORM_NOT_FOUND', 'bank-a', 'approvePlatform', { org: 'platform-c' });
      const r = await ok('bank-a', 'registerPlatform', { org: 'platform-c', registrationNo: 'REG-C', name: 'Platform C', filingStatus: 'FILING_IN_PROGRESS', custodyAgreementRef: 'CUST-C' });
      expect(r.value).toEqual({ org: 'platform-c', status: 'PENDING' });
      await reverts('PLATFORM_EXISTS', 'bank-b', 'registerPlatform', { org: 'platform-c', registrationNo: 'X', name: 'X', filingStatus: 'FILED', custodyAgreementRef: 'X' });
      await reverts('PLATFORM_NOT_APPROVED', 'platform-c', 'registerCustomer', { borrowerRef: newRef(), personKind: 'NATURAL', roles: ['LENDER'], sealed: await seal(['platform-c'], {}) });
      await reverts('PLATFORM_NOT_FILED', 'bank-a', 'approvePlatform', { org: 'platform-c' });
      await reverts('NOT_CUSTODIAN', 'bank-b', 'updatePlatform', { org: 'platform-c', filingStatus: 'FILED' });
      await ok('bank-a', 'updatePlatform', { org: 'platform-c', filingStatus: 'FILED' });
      await reverts('NOT_CUSTODIAN', 'bank-b', 'approvePlatform', { org: 'platform-c' });
      const a = await ok('bank-a', 'approvePlatform', { org: 'platform-c' });
      expect(a.events).toEqual([{ type: 'PlatformApproved', data: { org: 'platform-c', custodian: 'bank-a' } }]);
      await reverts('PLATFORM_ALREADY_APPROVED', 'bank-a', 'approvePlatform', { org: 'platform-c' });
      expect(await read('plat/platform-c')).toMatchObject({ custodian: 'bank-a', status: 'ACTIVE', filingStatus: 'FILED', registrationNo: 'REG-C' });
      // A platform acts only as itself: an unregistered PLATFORM org is no lending platform.
      await reverts('NOT_CUSTODIAN', 'bank-b', 'suspendPlatform', { org: 'platform-c', reason: 'not mine' });
    });

    it('a suspended platform cannot list, fund or onboard; its borrowers still repay and its customers still withdraw; resume restores it', async () => {
      const borrower = await customer('platform-b', ['BORROWER']);
      const { loanId: active } = await activeLoan('platform-b', borrower.id, { purpose: 'BUSINESS', termMonths: 2 });
      const open = await list('platform-b', borrower.id);
      const l = await lender('platform-b', 500_000n);
      await deposit('platform-b', borrower.id, 2_000_000n);

      await reverts('PLATFORM_NOT_SUSPENDED', 'bank-b', 'resumePlatform', { org: 'platform-b' });
      const s = await ok('bank-b', 'suspendPlatform', { org: 'platform-b', reason: 'filing revoked' });
      expect(s.events).toEqual([{ type: 'PlatformSuspended', data: { org: 'platform-b', reason: 'filing revoked' } }]);
      await reverts('PLATFORM_SUSPENDED', 'bank-b', 'suspendPlatform', { org: 'platform-b', reason: 'again' });
      await reverts('PLATFORM_SUSPENDED', 'platform-b', 'createListing', listingArgs(borrower.id, { purpose: 'TRAVEL' }));
      await reverts('PLATFORM_SUSPENDED', 'platform-b', 'bid', await bidArgs(open, l.id, 100_000n));
      await reverts('PLATFORM_SUSPENDED', 'platform-b', 'registerCustomer', { borrowerRef: newRef(), personKind: 'NATURAL', roles: ['LENDER'], sealed: await seal(['platform-b'], {}) });
      await reverts('PLATFORM_SUSPENDED', 'platform-b', 'registerCollateral', await collateralArgs('platform-b'));
      expect((await ok('platform-b', 'repay', { loanId: active, instalment: 1 })).value).toMatchObject({ instalment: 1, status: 'ACTIVE' });
      await ok('bank-b', 'withdraw', { ref: instructionRef(), customerId: l.id, amount: '1000' });
      // Cancelling its own open listing is allowed (it gives money back).
      await ok('platform-b', 'cancelListing', { loanId: open });

      await reverts('NOT_CUSTODIAN', 'bank-a', 'resumePlatform', { org: 'platform-b' });
      await ok('bank-b', 'resumePlatform', { org: 'platform-b' });
      const again = await list('platform-b', borrower.id, { purpose: 'TRAVEL' });
      await ok('platform-b', 'bid', await bidArgs(again, l.id, 100_000n));
    });
  });

  describe('customers and custody', () => {
    it('registerCustomer: id from platform and pseudonym; KYC sealed for the platform and the regulator only; one person kind per pseudonym', async () => {
      const c = await customer('platform-a', ['BORROWER', 'LENDER']);
      expect(c.id).toBe(LendingContract.customerId('platform-a', c.ref));
      const record = (await read<Customer>(`cust/${c.id}`))!;
      expect(record).toMatchObject({ platform: 'platform-a', roles: ['LENDER', 'BORROWER'], personKind: 'NATURAL', borrowerRef: c.ref });
      expect(await account(c.id)).toEqual({ id: c.id, platform: 'platform-a', bank: 'bank-a', available: '0', frozen: '0' });
      // Platform B cannot decrypt platform A's customer: proven with its key, not by a resolver check.
      const key = (org: string) => ({ kid: org, privateKey: engine.keystore.x25519PrivateKey(`${org}/encryption`) });
      await expect(decryptJson(record.sealed as never, key('platform-a'))).resolves.toMatchObject({ nationalId: '110101199003070000' });
      await expect(decryptJson(record.sealed as never, key('regulator'))).resolves.toMatchObject({ name: 'Zhang San' });
      await expect(decryptJson(record.sealed as never, key('platform-b'))).rejects.toThrow();

      await reverts('CUSTOMER_EXISTS', 'platform-a', 'registerCustomer', { borrowerRef: c.ref, personKind: 'NATURAL', roles: ['LENDER'], sealed: record.sealed });
      await reverts('PERSON_KIND_MISMATCH', 'platform-b', 'registerCustomer', { borrowerRef: c.ref, personKind: 'LEGAL', roles: ['LENDER'], sealed: record.sealed });
      const onB = await customer('platform-b', ['LENDER'], { ref: c.ref });
      expect(onB.id).not.toBe(c.id);
      expect(await account(onB.id)).toMatchObject({ bank: 'bank-b' });

      await reverts('NOT_YOUR_CUSTOMER', 'platform-b', 'updateCustomer', { customerId: c.id, roles: ['LENDER'] });
      await ok('platform-a', 'updateCustomer', { customerId: c.id, roles: ['GUARANTOR', 'LENDER'] });
      expect(await read<Customer>(`cust/${c.id}`)).toMatchObject({ roles: ['LENDER', 'GUARANTOR'] });
      await reverts('ROLE_MISSING', 'platform-a', 'createListing', listingArgs(c.id));
    });

    it('deposits and withdrawals by the custodian bank, idempotent by reference; bank totals reconcile', async () => {
      const c = await customer('platform-a', ['LENDER']);
      const ref = instructionRef();
      const d = await ok('bank-a', 'deposit', { ref, customerId: c.id, amount: '500000' });
      expect(d.value).toEqual({ ref, applied: true, tx: d.hash });
      expect(d.events).toEqual([
        { type: 'FundsMoved', data: { kind: 'DEPOSIT', from: null, to: c.id, amount: '500000', fromBank: null, toBank: 'bank-a', loanId: null, ref } },
      ]);
      // The same instruction again: a no-op that names the first; the same reference with other content: refused.
      const before = await engine.liveDigest();
      const again = await ok('bank-a', 'deposit', { ref, customerId: c.id, amount: '500000' });
      expect(again.value).toEqual({ ref, applied: false, tx: d.hash });
      expect(await engine.liveDigest()).toBe(before);
      await reverts('INSTRUCTION_CONFLICT', 'bank-a', 'deposit', { ref, customerId: c.id, amount: '500001' });
      await reverts('INSTRUCTION_CONFLICT', 'bank-a', 'withdraw', { ref, customerId: c.id, amount: '500000' });
      await reverts('NOT_CUSTODIAN', 'bank-b', 'deposit', { ref: instructionRef(), customerId: c.id, amount: '1' });
      await reverts('CUSTOMER_NOT_FOUND', 'bank-a', 'deposit', { ref: instructionRef(), customerId: newRef(), amount: '1' });
      await reverts('INSUFFICIENT_FUNDS', 'bank-a', 'withdraw', { ref: instructionRef(), customerId: c.id, amount: '500001' });
      await ok('bank-a', 'withdraw', { ref: instructionRef(), customerId: c.id, amount: '200000' });
      expect(await account(c.id)).toMatchObject({ available: '300000', frozen: '0' });
      for (const bank of ['bank-a', 'bank-b']) expect(bankInvariant((await read<BankTotals>(`bank/${bank}`))!)).toBe(true);
      await expect(send('bank-a', 'deposit', { ref, customerId: c.id, amount: '-5' })).rejects.toMatchObject({ code: 'INVALID_ARGS' });
      await expect(send('bank-a', 'deposit', { ref, customerId: c.id, amount: '1.5' })).rejects.toMatchObject({ code: 'INVALID_ARGS' });
    });
  });

  describe('collateral registry', () => {
    it('the same asset maps to one id whoever registers it; pledged through A, then through B → DOUBLE_PLEDGE; released on cancellation', async () => {
      const identifier = vin();
      const viaA = await collateral('platform-a', ` ${identifier.slice(0, 8).toLowerCase()} ${identifier.slice(8)} `);
      expect(viaA).toEqual({ id: LendingContract.collateralId('VEHICLE', identifier), created: true, status: 'FREE' });
      expect(await read<Collateral>(`col/${viaA.id}`)).toMatchObject({ identifier, status: 'FREE', lien: null, registeredBy: 'platform-a' });
      const viaB = await collateral('platform-b', identifier);
      expect(viaB).toEqual({ id: viaA.id, created: false, status: 'FREE' });

      const a = await customer('platform-a', ['BORROWER']);
      const b = await customer('platform-b', ['BORROWER']);
      const listing = await ok('platform-a', 'createListing', listingArgs(a.id, { collateralId: viaA.id }));
      const loanId = (listing.value as { loanId: string }).loanId;
      expect(listing.events.map((e) => e.type)).toEqual(['CollateralPledged', 'Listed']);
      expect(await read<Collateral>(`col/${viaA.id}`)).toMatchObject({ status: 'PLEDGED', lien: { loanId, platform: 'platform-a' } });
      const dp = await reverts('DOUBLE_PLEDGE', 'platform-b', 'createListing', listingArgs(b.id, { collateralId: viaA.id }));
      expect(dp.error!.message).toContain(loanId);
      await reverts('DOUBLE_PLEDGE', 'platform-a', 'createListing', listingArgs(a.id, { collateralId: viaA.id, purpose: 'EDUCATION' }));
      expect((await collateral('platform-b', identifier)).status).toBe('PLEDGED');
      await reverts('COLLATERAL_NOT_FOUND', 'platform-b', 'createListing', listingArgs(b.id, { collateralId: newRef() }));
      await reverts('INVALID_IDENTIFIER', 'platform-a', 'registerCollateral', await collateralArgs('platform-a', { identifier: 'NOT-A-VIN' }));

      const c = await ok('platform-a', 'cancelListing', { loanId });
      expect(c.events.map((e) => e.type)).toContain('CollateralReleased');
      expect(await read<Collateral>(`col/${viaA.id}`)).toMatchObject({ status: 'FREE', lien: null });
      await ok('platform-b', 'createListing', listingArgs(b.id, { collateralId: viaA.id }));
    });

    it.each([
      ['in one block', 0],
      ['spread over several blocks', 5],
    ])('100 concurrent pledges of one collateral from two platforms %s: exactly one succeeds, 99 REVERT DOUBLE_PLEDGE', async (_, pauseMs) => {
      const { id } = await collateral('platform-a');
      const borrowers = await Promise.all(Array.from({ length: 100 }, (_, i) => customer(i % 2 === 0 ? 'platform-a' : 'platform-b', ['BORROWER'])));
      const pending: Promise<TxReceipt>[] = [];
      for (const [i, b] of borrowers.entries()) {
        // With a pause every 20 submissions the committer cuts blocks between the waves.
        if (pauseMs > 0 && i > 0 && i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
        pending.push(send(b.platform, 'createListing', listingArgs(b.id, { collateralId: id })));
      }
      const receipts = await Promise.all(pending);
      const committed = receipts.filter((r) => r.status === 'COMMITTED');
      expect(committed).toHaveLength(1);
      expect(receipts.filter((r) => r.status === 'REVERTED').map((r) => r.error!.code)).toEqual(Array(99).fill('DOUBLE_PLEDGE'));
      expect(await read<Collateral>(`col/${id}`)).toMatchObject({ status: 'PLEDGED', lien: { loanId: (committed[0].value as { loanId: string }).loanId } });
      const perBlock = new Map<number, number>();
      for (const r of receipts) perBlock.set(r.height, (perBlock.get(r.height) ?? 0) + 1);
      // Competing pledges met inside one block (the executor's order decides) and, with waves, across blocks.
      expect(Math.max(...perBlock.values())).toBeGreaterThan(1);
      if (pauseMs > 0) expect(perBlock.size).toBeGreaterThan(1);
    });
  });

  describe('listings: caps across platforms, maturity splitting', () => {
    it('a natural person owing ¥150,000 on A asks ¥60,000 more on A → CAP_EXCEEDED; the same on B → accepted', async () => {
      const onA = await customer('platform-a', ['BORROWER']);
      const onB = await customer('platform-b', ['BORROWER'], { ref: onA.ref });
      await activeLoan('platform-a', onA.id, { amount: '15000000' });
      expect(await read<PersonExposure>(`debt/${onA.ref}`)).toEqual({ borrowerRef: onA.ref, personKind: 'NATURAL', total: '15000000' });
      const r = await reverts('CAP_EXCEEDED', 'platform-a', 'createListing', listingArgs(onA.id, { amount: '6000000', purpose: 'EDUCATION' }));
      expect(r.error!.message).toContain('on one platform');
      await ok('platform-b', 'createListing', listingArgs(onB.id, { amount: '6000000' }));
      expect(await read<PersonExposure>(`debt/${onA.ref}`)).toMatchObject({ total: '21000000' });
      expect(await read<PlatformExposure>(`debt/${onA.ref}/platform-a`)).toEqual({ platform: 'platform-a', amount: '15000000' });
      expect(await read<PlatformExposure>(`debt/${onA.ref}/platform-b`)).toEqual({ platform: 'platform-b', amount: '6000000' });
      // Exactly at the per-platform cap is allowed.
      await ok('platform-a', 'createListing', listingArgs(onA.id, { amount: '5000000', purpose: 'EDUCATION' }));
    });

    it('the total cap across platforms, lowered by the regulator, and a legal entity\'s larger caps', async () => {
      const onA = await customer('platform-a', ['BORROWER']);
      const onB = await customer('platform-b', ['BORROWER'], { ref: onA.ref });
      await list('platform-a', onA.id, { amount: '20000000' });
      await ok('regulator', 'configure', { caps: { NATURAL: { perPlatform: '20000000', total: '25000000' } } });
      const r = await reverts('CAP_EXCEEDED', 'platform-b', 'createListing', listingArgs(onB.id, { amount: '5000001' }));
      expect(r.error!.message).toContain('across platforms');
      await ok('platform-b', 'createListing', listingArgs(onB.id, { amount: '5000000' }));
      await ok('regulator', 'configure', { caps: { NATURAL: LendingContract.defaultConfig.caps.NATURAL } });
      const company = await customer('platform-a', ['BORROWER'], { kind: 'LEGAL' });
      await list('platform-a', company.id, { amount: '100000000' });
      await reverts('CAP_EXCEEDED', 'platform-a', 'createListing', listingArgs(company.id, { amount: '1', purpose: 'EDUCATION' }));
    });

    it('no maturity splitting: no second listing for the same purpose on the same platform while one is open; freed when it closes', async () => {
      const b = await customer('platform-a', ['BORROWER']);
      const first = await list('platform-a', b.id, { termMonths: 3 });
      const r = await reverts('MATURITY_SPLITTING', 'platform-a', 'createListing', listingArgs(b.id, { termMonths: 3 }));
      expect(r.error!.message).toContain(first);
      await ok('platform-a', 'createListing', listingArgs(b.id, { purpose: 'EDUCATION' }));
      await ok('platform-a', 'cancelListing', { loanId: first });
      await ok('platform-a', 'createListing', listingArgs(b.id, { termMonths: 3 }));
      await reverts('DEADLINE_IN_PAST', 'platform-a', 'createListing', listingArgs(b.id, { purpose: 'TRAVEL', fundingDeadline: now }));
    });
  });

  describe('funding', () => {
    it('bids freeze funds; over-bids and self-funding are refused; full funding activates: funds to the borrower, one claim per lender, the schedule', async () => {
      const borrower = await customer('platform-a', ['BORROWER', 'LENDER']);
      const loanId = await list('platform-a', borrower.id, { amount: '1000001', termMonths: 12 });
      const [l1, l2] = [await lender('platform-a', 400_000n), await lender('platform-a', 700_000n)];
      await deposit('platform-a', borrower.id, 10n);
      const poor = await lender('platform-a', 10n);
      const onB = await lender('platform-b', 1_000_000n);

      await reverts('SELF_FUNDING', 'platform-a', 'bid', await bidArgs(loanId, borrower.id, 10n));
      await reverts('INSUFFICIENT_FUNDS', 'platform-a', 'bid', await bidArgs(loanId, poor.id, 11n));
      await reverts('OVER_BID', 'platform-a', 'bid', await bidArgs(loanId, l2.id, 1_000_002n));
      await reverts('NOT_LISTING_PLATFORM', 'platform-b', 'bid', await bidArgs(loanId, onB.id, 1000n));
      await reverts('NOT_YOUR_CUSTOMER', 'platform-a', 'bid', await bidArgs(loanId, onB.id, 1000n));
      await reverts('LOAN_NOT_FOUND', 'platform-a', 'bid', await bidArgs(newRef(), l1.id, 1000n));

      const b1 = await ok('platform-a', 'bid', await bidArgs(loanId, l1.id, 200_000n));
      expect(b1.value).toMatchObject({ loanId, funded: '200000', status: 'OPEN' });
      await ok('platform-a', 'bid', await bidArgs(loanId, l1.id, 133_334n));
      expect(await balances(l1.id)).toEqual([{ available: '66666', frozen: '333334' }]);
      await reverts('OVER_BID', 'platform-a', 'bid', await bidArgs(loanId, l2.id, 666_668n));
      const full = await ok('platform-a', 'bid', await bidArgs(loanId, l2.id, 666_667n));
      expect(full.value).toMatchObject({ funded: '1000001', status: 'ACTIVE' });
      expect(full.events.map((e) => e.type)).toEqual(['FundsMoved', 'BidPlaced', 'FundsMoved', 'FundsMoved', 'LoanActivated']);

      expect(await balances(l1.id, l2.id, borrower.id)).toEqual([
        { available: '66666', frozen: '0' },
        { available: '33333', frozen: '0' },
        { available: '1000011', frozen: '0' },
      ]);
      const claims = await claimsOf(loanId);
      expect(claims.map((c) => [c.holder, c.face, c.outstanding]).sort()).toEqual(
        [
          [l1.id, '333334', '333334'],
          [l2.id, '666667', '666667'],
        ].sort(),
      );
      expect(claims.find((c) => c.holder === l1.id)!.id).toBe(LendingContract.claimId(loanId, l1.id));
      const loan = await loanOf(loanId);
      expect(loan).toMatchObject({ status: 'ACTIVE', outstanding: '1000001', nextInstalment: 1, bids: 3 });
      expect(loan.maturesAt).toBe(LendingContract.dueDate(loan.activatedAt!, 12));
      expect(await instalment(loanId, 1)).toMatchObject({ k: 1, principal: '78849', interest: '10000', total: '88849', status: 'DUE', dueAt: LendingContract.dueDate(loan.activatedAt!, 1) });
      expect(await instalment(loanId, 12)).toMatchObject({ principal: '87968', interest: '880', total: '88848' });
      await reverts('LISTING_NOT_OPEN', 'platform-a', 'bid', await bidArgs(loanId, l2.id, 1n));
      await reverts('LISTING_NOT_OPEN', 'platform-a', 'cancelListing', { loanId });
    });

    it('cancel: only the platform before the deadline; anyone after it: frozen bids unfreeze, the collateral and the exposure are released', async () => {
      const borrower = await customer('platform-a', ['BORROWER']);
      const { id: collateralId } = await collateral('platform-a');
      const loanId = await list('platform-a', borrower.id, { amount: '900000', fundingDeadline: now + DAY, collateralId });
      const [l1, l2] = [await lender('platform-a', 500_000n), await lender('platform-a', 500_000n)];
      await ok('platform-a', 'bid', await bidArgs(loanId, l1.id, 300_000n));
      await ok('platform-a', 'bid', await bidArgs(loanId, l2.id, 400_000n));
      expect(await balances(l1.id, l2.id)).toEqual([
        { available: '200000', frozen: '300000' },
        { available: '100000', frozen: '400000' },
      ]);
      await reverts('FUNDING_OPEN', 'regulator', 'cancelListing', { loanId });
      await reverts('FUNDING_OPEN', 'platform-b', 'cancelListing', { loanId });

      now += DAY + 1;
      await reverts('FUNDING_CLOSED', 'platform-a', 'bid', await bidArgs(loanId, l2.id, 100_000n));
      const c = await ok('regulator', 'cancelListing', { loanId });
      expect(c.value).toEqual({ loanId, status: 'CANCELLED', unfrozen: '700000' });
      expect(await balances(l1.id, l2.id)).toEqual([
        { available: '500000', frozen: '0' },
        { available: '500000', frozen: '0' },
      ]);
      expect(await read<Collateral>(`col/${collateralId}`)).toMatchObject({ status: 'FREE', lien: null });
      expect(await read<PersonExposure>(`debt/${borrower.ref}`)).toMatchObject({ total: '0' });
      expect(await read(`debt/${borrower.ref}/platform-a`)).toBeUndefined();
      expect(await loanOf(loanId)).toMatchObject({ status: 'CANCELLED', closedAt: expect.any(Number) });
      await reverts('LISTING_NOT_OPEN', 'platform-a', 'cancelListing', { loanId });
    });
  });

  describe('claims and repayment', () => {
    it('L1 and L2 fund; L2 sells its claim to L3 on another platform and bank; the next repayment goes to L1 and L3, exact to the fen', async () => {
      const borrower = await customer('platform-a', ['BORROWER']);
      const loanId = await list('platform-a', borrower.id, { amount: '1000001' });
      const [l1, l2] = [await lender('platform-a', 333_334n), await lender('platform-a', 666_667n)];
      const l3 = await lender('platform-b', 700_000n);
      await ok('platform-a', 'bid', await bidArgs(loanId, l1.id, 333_334n));
      await ok('platform-a', 'bid', await bidArgs(loanId, l2.id, 666_667n));
      const claimId = LendingContract.claimId(loanId, l2.id);
      const offerArgs = async (o: Record<string, unknown> = {}) => ({ loanId, claimId, buyer: l3.id, price: '650000', sealed: await seal(['platform-a', 'platform-b'], { price: '650000' }), ...o });

      await reverts('NOT_YOUR_CUSTOMER', 'platform-b', 'offerClaim', await offerArgs());
      await reverts('SAME_HOLDER', 'platform-a', 'offerClaim', await offerArgs({ buyer: l2.id }));
      await reverts('ROLE_MISSING', 'platform-a', 'offerClaim', await offerArgs({ buyer: borrower.id }));
      await reverts('CLAIM_NOT_FOUND', 'platform-a', 'offerClaim', await offerArgs({ claimId: newRef() }));
      await ok('platform-a', 'offerClaim', await offerArgs());
      await reverts('OFFER_EXISTS', 'platform-a', 'offerClaim', await offerArgs());
      await reverts('NOT_YOUR_CUSTOMER', 'platform-a', 'acceptClaimOffer', { loanId, claimId });
      await reverts('NOT_A_PARTY', 'platform-c', 'withdrawClaimOffer', { loanId, claimId });
      const t = await ok('platform-b', 'acceptClaimOffer', { loanId, claimId });
      expect(t.events).toEqual([
        { type: 'FundsMoved', data: { kind: 'CLAIM_SALE', from: l3.id, to: l2.id, amount: '650000', fromBank: 'bank-b', toBank: 'bank-a', loanId, ref: null } },
        { type: 'ClaimTransferred', data: { loanId, claimId, from: l2.id, to: l3.id, price: '650000', outstanding: '666667' } },
      ]);
      expect(await read(`offer/${loanId}/${claimId}`)).toBeUndefined();
      expect(await balances(l2.id, l3.id)).toEqual([
        { available: '650000', frozen: '0' },
        { available: '50000', frozen: '0' },
      ]);
      expect((await claimsOf(loanId)).find((c) => c.id === claimId)).toMatchObject({ holder: l3.id, holderPlatform: 'platform-b', transfers: 1 });
      await reverts('OFFER_NOT_FOUND', 'platform-b', 'acceptClaimOffer', { loanId, claimId });

      // Instalment 1: 78,849 principal + 10,000 interest = 88,849, split by outstanding principal 333,334 : 666,667.
      // The borrower took the 1,000,001 out; 88,848 left is one fen short.
      await ok('bank-a', 'withdraw', { ref: instructionRef(), customerId: borrower.id, amount: String(1_000_001 - 88_848) });
      await reverts('INSUFFICIENT_FUNDS', 'platform-a', 'repay', { loanId, instalment: 1 });
      await deposit('platform-a', borrower.id, 1n);
      await reverts('INSTALMENT_OUT_OF_ORDER', 'platform-a', 'repay', { loanId, instalment: 2 });
      await reverts('NOT_YOUR_CUSTOMER', 'platform-b', 'repay', { loanId, instalment: 1 });
      const before = await balances(l1.id, l2.id, l3.id);
      const bankB = (await read<BankTotals>('bank/bank-b'))!;
      const r = await ok('platform-a', 'repay', { loanId, instalment: 1 });
      const after = await balances(l1.id, l2.id, l3.id);
      const gained = after.map((a, i) => BigInt(a.available) - BigInt(before[i].available));
      expect(gained).toEqual([29_616n, 0n, 59_233n]);
      expect(gained.reduce((s, x) => s + x, 0n)).toBe(88_849n);
      expect(await account(borrower.id)).toMatchObject({ available: '0' });
      const paid = await instalment(loanId, 1);
      expect(paid).toMatchObject({ status: 'PAID', paidLate: false });
      expect(paid.shares.map((s) => [s.holder, s.principal, s.interest]).sort()).toEqual(
        [
          [l1.id, '26283', '3333'],
          [l3.id, '52566', '6667'],
        ].sort(),
      );
      expect(r.events.filter((e) => e.type === 'FundsMoved').map((e) => (e.data as { toBank: string }).toBank).sort()).toEqual(['bank-a', 'bank-b']);
      // L3's share crossed from bank-a to bank-b.
      expect(BigInt((await read<BankTotals>('bank/bank-b'))!.transferredIn) - BigInt(bankB.transferredIn)).toBe(59_233n);
      const claims = await claimsOf(loanId);
      expect(claims.find((c) => c.holder === l1.id)).toMatchObject({ outstanding: String(333_334 - 26_283), principalReceived: '26283', interestReceived: '3333' });
      expect(claims.find((c) => c.holder === l3.id)).toMatchObject({ outstanding: String(666_667 - 52_566), principalReceived: '52566', interestReceived: '6667' });
      expect(await loanOf(loanId)).toMatchObject({ outstanding: String(1_000_001 - 78_849), nextInstalment: 2 });
      expect(await read<PersonExposure>(`debt/${borrower.ref}`)).toMatchObject({ total: String(1_000_001 - 78_849) });
      for (const bank of ['bank-a', 'bank-b']) expect(bankInvariant((await read<BankTotals>(`bank/${bank}`))!)).toBe(true);
    });

    it('repaid in full: every claim gets exactly its principal back, the loan is REPAID, the collateral FREE, the exposure 0', async () => {
      const borrower = await customer('platform-a', ['BORROWER']);
      const { id: collateralId } = await collateral('platform-a');
      const loanId = await list('platform-a', borrower.id, { amount: '100000', termMonths: 3, method: 'EQUAL_PRINCIPAL', collateralId });
      const lenders = [await lender('platform-a', 33_333n), await lender('platform-a', 33_333n), await lender('platform-a', 33_334n)];
      for (const [i, l] of lenders.entries()) await ok('platform-a', 'bid', await bidArgs(loanId, l.id, [33_333n, 33_333n, 33_334n][i]));
      await deposit('platform-a', borrower.id, 10_000n);
      const schedule = LendingContract.repaymentSchedule(100_000n, 1200, 3, 'EQUAL_PRINCIPAL');
      for (const k of [1, 2, 3]) await ok('platform-a', 'repay', { loanId, instalment: k });
      const claims = await claimsOf(loanId);
      expect(claims.map((c) => [c.face, c.outstanding, c.principalReceived]).sort()).toEqual([
        ['33333', '0', '33333'],
        ['33333', '0', '33333'],
        ['33334', '0', '33334'],
      ]);
      expect(claims.reduce((s, c) => s + BigInt(c.interestReceived), 0n)).toBe(schedule.reduce((s, x) => s + x.interest, 0n));
      expect(await loanOf(loanId)).toMatchObject({ status: 'REPAID', outstanding: '0', nextInstalment: 0 });
      expect(await read<Collateral>(`col/${collateralId}`)).toMatchObject({ status: 'FREE', lien: null });
      expect(await read<PersonExposure>(`debt/${borrower.ref}`)).toMatchObject({ total: '0' });
      expect(await read(`open/${borrower.ref}/platform-a/CONSUMPTION`)).toBeUndefined();
      await reverts('LOAN_NOT_ACTIVE', 'platform-a', 'repay', { loanId, instalment: 1 });
    });

    it('overdue after due date + grace days (anyone marks it), default by the platform or its bank puts the collateral in ENFORCEMENT', async () => {
      const borrower = await customer('platform-a', ['BORROWER']);
      const { id: collateralId } = await collateral('platform-a');
      const { loanId, lender: l1 } = await activeLoan('platform-a', borrower.id, { amount: '600000', termMonths: 6, method: 'INTEREST_ONLY', collateralId });
      const loan = await loanOf(loanId);
      const due = LendingContract.dueDate(loan.activatedAt!, 1);
      const l3 = await lender('platform-b', 1_000_000n);

      await reverts('NOT_YET_OVERDUE', 'regulator', 'markOverdue', { loanId, instalment: 1 });
      await reverts('NOT_OVERDUE', 'platform-a', 'declareDefault', { loanId, reason: 'early' });
      now = due + 3 * DAY; // the last moment of grace
      await reverts('NOT_YET_OVERDUE', 'platform-b', 'markOverdue', { loanId, instalment: 1 });
      now += 1;
      await reverts('INSTALMENT_NOT_FOUND', 'regulator', 'markOverdue', { loanId, instalment: 7 });
      const m = await ok('platform-b', 'markOverdue', { loanId, instalment: 1 });
      expect(m.events).toEqual([{ type: 'InstalmentOverdue', data: { loanId, instalment: 1, dueAt: due, total: '6000', platform: 'platform-a' } }]);
      await reverts('ALREADY_OVERDUE', 'regulator', 'markOverdue', { loanId, instalment: 1 });
      expect(await loanOf(loanId)).toMatchObject({ status: 'OVERDUE', overdueInstalments: 1 });
      // An overdue loan's claims do not change hands.
      await reverts('LOAN_NOT_ACTIVE', 'platform-a', 'offerClaim', {
        loanId,
        claimId: LendingContract.claimId(loanId, l1.id),
        buyer: l3.id,
        price: '1',
        sealed: await seal(['platform-a'], {}),
      });

      await reverts('NOT_A_PARTY', 'platform-b', 'declareDefault', { loanId, reason: 'not mine' });
      await reverts('NOT_A_PARTY', 'bank-b', 'declareDefault', { loanId, reason: 'not mine' });
      const d = await ok('bank-a', 'declareDefault', { loanId, reason: '90 days unpaid' });
      expect(d.events).toEqual([{ type: 'LoanDefaulted', data: { loanId, platform: 'platform-a', outstanding: '600000', collateralId, reason: '90 days unpaid' } }]);
      expect(await read<Collateral>(`col/${collateralId}`)).toMatchObject({ status: 'ENFORCEMENT', lien: { loanId } });
      const other = await customer('platform-b', ['BORROWER']);
      await reverts('COLLATERAL_IN_ENFORCEMENT', 'platform-b', 'createListing', listingArgs(other.id, { collateralId }));
      // The exposure stays: a defaulted loan is still owed.
      expect(await read<PersonExposure>(`debt/${borrower.ref}`)).toMatchObject({ total: '600000' });

      // A late repayment is still taken and recorded as late.
      await ok('bank-a', 'withdraw', { ref: instructionRef(), customerId: borrower.id, amount: '600000' });
      await deposit('platform-a', borrower.id, 6000n);
      await ok('platform-a', 'repay', { loanId, instalment: 1 });
      expect(await instalment(loanId, 1)).toMatchObject({ status: 'PAID', paidLate: true });
      expect(await loanOf(loanId)).toMatchObject({ status: 'DEFAULTED', overdueInstalments: 0, nextInstalment: 2 });
      await reverts('INSTALMENT_PAID', 'regulator', 'markOverdue', { loanId, instalment: 1 });
    });
  });

  describe('who may call what', () => {
    const any = { org: 'platform-a' };
    it('each method group refuses senders of the wrong organisation kind before ordering (FORBIDDEN)', async () => {
      const ref = newRef();
      const sealed = await seal(['platform-a'], {});
      const cases: [Org[], string, Record<string, unknown>][] = [
        [['bank-a', 'platform-a'], 'configure', { graceDays: 5 }],
        [['bank-a', 'platform-a'], 'setLpr', { effectiveFrom: now + DAY, bps: 300 }],
        [['platform-a', 'regulator'], 'registerPlatform', { org: 'platform-x', registrationNo: 'R', name: 'X', filingStatus: 'FILED', custodyAgreementRef: 'C' }],
        [['platform-a', 'regulator'], 'updatePlatform', { ...any, name: 'renamed' }],
        [['platform-a', 'regulator'], 'approvePlatform', any],
        [['platform-a', 'regulator'], 'suspendPlatform', { ...any, reason: 'x' }],
        [['platform-a', 'regulator'], 'resumePlatform', any],
        [['platform-a', 'regulator'], 'deposit', { ref: 'R1', customerId: ref, amount: '1' }],
        [['platform-a', 'regulator'], 'withdraw', { ref: 'R1', customerId: ref, amount: '1' }],
        [['bank-a', 'regulator'], 'registerCustomer', { borrowerRef: ref, personKind: 'NATURAL', roles: ['LENDER'], sealed }],
        [['bank-a', 'regulator'], 'updateCustomer', { customerId: ref, roles: ['LENDER'] }],
        [['bank-a', 'regulator'], 'registerCollateral', { type: 'OTHER', identifier: 'X', appraisedValue: '1', documents: [], sealedOwner: sealed }],
        [['bank-a', 'regulator'], 'createListing', listingArgs(ref)],
        [['bank-a', 'regulator'], 'bid', { loanId: ref, lender: ref, amount: '1', sealed }],
        [['bank-a', 'regulator'], 'offerClaim', { loanId: ref, claimId: ref, buyer: ref, price: '1', sealed }],
        [['bank-a', 'regulator'], 'acceptClaimOffer', { loanId: ref, claimId: ref }],
        [['bank-a', 'regulator'], 'withdrawClaimOffer', { loanId: ref, claimId: ref }],
        [['bank-a', 'regulator'], 'repay', { loanId: ref, instalment: 1 }],
        [['regulator'], 'declareDefault', { loanId: ref, reason: 'x' }],
      ];
      for (const [orgs, method, args] of cases) for (const org of orgs) await refused(org, method, args);
      // Open to every member: cancelling after the deadline and marking overdue (the contract checks the time).
      await reverts('LOAN_NOT_FOUND', 'regulator', 'cancelListing', { loanId: ref });
      await reverts('LOAN_NOT_FOUND', 'bank-b', 'markOverdue', { loanId: ref, instalment: 1 });
      // Every method of the contract is in a case above or open to all.
      expect(new Set([...cases.map((c) => c[1]), 'cancelListing', 'markOverdue'])).toEqual(new Set(Object.keys(LendingContract.methods)));
    });

    it('the right kind but the wrong organisation REVERTs: another bank\'s platform or customer, another platform\'s customer', async () => {
      const a = await customer('platform-a', ['BORROWER', 'LENDER']);
      await reverts('NOT_CUSTODIAN', 'bank-b', 'suspendPlatform', { org: 'platform-a', reason: 'not mine' });
      await reverts('NOT_CUSTODIAN', 'bank-b', 'withdraw', { ref: instructionRef(), customerId: a.id, amount: '1' });
      await reverts('NOT_YOUR_CUSTOMER', 'platform-b', 'createListing', listingArgs(a.id));
      await reverts('NOT_YOUR_CUSTOMER', 'platform-b', 'updateCustomer', { customerId: a.id, sealed: await seal(['platform-b'], {}) });
    });
  });

  describe('determinism', () => {
    it('replaying the lending and system channels from genesis reproduces every state root and the live state', async () => {
      const live = await engine.liveDigest();
      for (const channel of ['system', 'lending']) {
        const report = await engine.replay(channel);
        expect(report.mismatch).toBeUndefined();
        expect(report.ok).toBe(true);
        if (channel === 'lending') {
          expect(report.stateDigest).toBe(live);
          expect(report.transactions).toBeGreaterThan(300);
        }
      }
      for (const bank of ['bank-a', 'bank-b']) expect(bankInvariant((await read<BankTotals>(`bank/${bank}`))!)).toBe(true);
    });
  });
});
