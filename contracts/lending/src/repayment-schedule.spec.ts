import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { LENDING_REASONS, LendingContract, REPAYMENT_METHODS, repaymentSchedule, splitProRata, type RepaymentMethod } from './lending.contract.js';

const totals = (principal: bigint, aprBps: number, term: number, method: RepaymentMethod) => {
  const s = repaymentSchedule(principal, aprBps, term, method);
  return { s, principal: s.reduce((a, x) => a + x.principal, 0n), interest: s.reduce((a, x) => a + x.interest, 0n) };
};

describe('repaymentSchedule (integer fen)', () => {
  it('EQUAL_INSTALLMENT matches the known annuity figures: ¥100,000 at 12 % over 12 months is ¥8,884.88 a month', () => {
    const { s, principal, interest } = totals(10_000_000n, 1200, 12, 'EQUAL_INSTALLMENT');
    expect(s.slice(0, 11).every((x) => x.total === 888_488n)).toBe(true);
    expect(s[0]).toEqual({ k: 1, principal: 788_488n, interest: 100_000n, total: 888_488n, balance: 9_211_512n });
    // The last instalment repays the balance left: 3 fen less here.
    expect(s[11]).toEqual({ k: 12, principal: 879_688n, interest: 8_797n, total: 888_485n, balance: 0n });
    expect(principal).toBe(10_000_000n);
    expect(interest).toBe(661_853n);
  });

  it('EQUAL_INSTALLMENT: the 30-year ¥1,000,000 mortgage at 4.9 % is ¥5,307.27 a month', () => {
    const { s, principal } = totals(100_000_000n, 490, 360, 'EQUAL_INSTALLMENT');
    expect(s[0]).toEqual({ k: 1, principal: 122_394n, interest: 408_333n, total: 530_727n, balance: 99_877_606n });
    expect(s.slice(0, 359).every((x) => x.total === 530_727n)).toBe(true);
    expect(s[359]).toMatchObject({ principal: 528_362n, interest: 2_157n, total: 530_519n, balance: 0n });
    expect(principal).toBe(100_000_000n);
  });

  it('EQUAL_PRINCIPAL: ¥120,000 at 12 % over 12 months repays ¥10,000 a month with interest falling by ¥100', () => {
    const { s, principal, interest } = totals(12_000_000n, 1200, 12, 'EQUAL_PRINCIPAL');
    expect(s.map((x) => x.total)).toEqual(Array.from({ length: 12 }, (_, i) => 1_120_000n - BigInt(i) * 10_000n));
    expect(principal).toBe(12_000_000n);
    expect(interest).toBe(780_000n);
    // An amount that does not divide: the last instalment absorbs P mod n.
    const odd = totals(1_000_001n, 1380, 7, 'EQUAL_PRINCIPAL');
    expect(odd.s.slice(0, 6).every((x) => x.principal === 142_857n)).toBe(true);
    expect(odd.s[6]).toMatchObject({ principal: 142_859n, interest: 1_643n });
    expect(odd.principal).toBe(1_000_001n);
  });

  it('INTEREST_ONLY: interest every month, all principal with the last', () => {
    const { s, principal, interest } = totals(10_000_000n, 1200, 12, 'INTEREST_ONLY');
    expect(s.slice(0, 11).every((x) => x.principal === 0n && x.interest === 100_000n)).toBe(true);
    expect(s[11]).toEqual({ k: 12, principal: 10_000_000n, interest: 100_000n, total: 10_100_000n, balance: 0n });
    expect([principal, interest]).toEqual([10_000_000n, 1_200_000n]);
  });

  it('rounds interest half-up to the fen: ¥10,000.01 at 12 % has 10,000.01 → 10,000 fen of first interest, instalment 88,849', () => {
    const s = repaymentSchedule(1_000_001n, 1200, 12, 'EQUAL_INSTALLMENT');
    expect(s[0]).toEqual({ k: 1, principal: 78_849n, interest: 10_000n, total: 88_849n, balance: 921_152n });
    expect(s[11]).toMatchObject({ principal: 87_968n, interest: 880n, total: 88_848n });
    // 0.5 fen rounds up: 50 fen at 12 % a month is 0.5 fen of interest.
    expect(repaymentSchedule(50n, 1200, 1, 'INTEREST_ONLY')[0].interest).toBe(1n);
    expect(repaymentSchedule(49n, 1200, 1, 'INTEREST_ONLY')[0].interest).toBe(0n);
  });

  it('for every method, principal, rate and term: principals sum to the principal exactly, nothing negative, balance 0 at the end', () => {
    for (const method of REPAYMENT_METHODS) {
      for (const principal of [1n, 99n, 100_000n, 1_000_001n, 15_000_000n, 123_456_789n, 500_000_000_00n]) {
        for (const apr of [0, 1, 345, 1200, 1380, 2400, 3600]) {
          for (const term of [1, 2, 3, 7, 12, 24, 36, 60]) {
            const s = repaymentSchedule(principal, apr, term, method);
            expect(s).toHaveLength(term);
            expect(s.reduce((a, x) => a + x.principal, 0n)).toBe(principal);
            expect(s.every((x) => x.principal >= 0n && x.interest >= 0n && x.total === x.principal + x.interest)).toBe(true);
            expect(s[term - 1].balance).toBe(0n);
            if (apr === 0) expect(s.every((x) => x.interest === 0n)).toBe(true);
          }
        }
      }
    }
  });

  it('refuses what is not a schedule', () => {
    expect(() => repaymentSchedule(0n, 1200, 12, 'EQUAL_INSTALLMENT')).toThrow(RangeError);
    expect(() => repaymentSchedule(100n, 1200, 0, 'EQUAL_INSTALLMENT')).toThrow(RangeError);
    expect(() => repaymentSchedule(100n, 12.5, 12, 'EQUAL_INSTALLMENT')).toThrow(RangeError);
    expect(() => repaymentSchedule(100n, 1200, 12, 'BALLOON' as RepaymentMethod)).toThrow(RangeError);
  });
});

describe('splitProRata', () => {
  it('sums exactly; leftover fen go to the largest dropped fractions, so no holding is paid past its exact share rounded up', () => {
    // 99 over 34/33/33: "largest holding takes the remainder" would pay the 34 holding 35.
    expect(splitProRata(99n, [{ id: 'a', weight: 34n }, { id: 'b', weight: 33n }, { id: 'c', weight: 33n }])).toEqual([33n, 33n, 33n]);
    // L1 333,334 and L2 666,667 of 1,000,001: principal 78,849 and interest 10,000 of the first instalment.
    const holdings = [{ id: 'l1', weight: 333_334n }, { id: 'l2', weight: 666_667n }];
    expect(splitProRata(78_849n, holdings)).toEqual([26_283n, 52_566n]);
    expect(splitProRata(10_000n, holdings)).toEqual([3_333n, 6_667n]);
  });

  it('breaks equal fractions by the larger weight, then the smaller id; zero splits to zeros', () => {
    expect(splitProRata(1n, [{ id: 'b', weight: 1n }, { id: 'a', weight: 1n }])).toEqual([0n, 1n]);
    // 2 over 1/2/1: exact 0.5, 1, 0.5; the leftover fen goes to x (equal fraction and weight as z, smaller id).
    expect(splitProRata(2n, [{ id: 'z', weight: 1n }, { id: 'y', weight: 2n }, { id: 'x', weight: 1n }])).toEqual([0n, 1n, 1n]);
    expect(splitProRata(0n, [{ id: 'a', weight: 0n }])).toEqual([0n]);
    for (let amount = 0n; amount < 200n; amount += 7n) {
      const shares = splitProRata(amount, [{ id: 'a', weight: 7n }, { id: 'b', weight: 11n }, { id: 'c', weight: 13n }]);
      expect(shares.reduce((s, x) => s + x, 0n)).toBe(amount);
    }
  });
});

describe('dueDate (calendar months in China Standard Time)', () => {
  const cst = (iso: string) => Date.parse(`${iso}+08:00`);
  it('keeps the wall-clock time and clamps to the end of a shorter month', () => {
    expect(LendingContract.dueDate(cst('2027-01-15T10:30:00'), 1)).toBe(cst('2027-02-15T10:30:00'));
    expect(LendingContract.dueDate(cst('2027-01-31T10:00:00'), 1)).toBe(cst('2027-02-28T10:00:00'));
    expect(LendingContract.dueDate(cst('2028-01-31T10:00:00'), 1)).toBe(cst('2028-02-29T10:00:00'));
    expect(LendingContract.dueDate(cst('2027-01-31T10:00:00'), 3)).toBe(cst('2027-04-30T10:00:00'));
    expect(LendingContract.dueDate(cst('2027-11-30T23:59:59'), 14)).toBe(cst('2029-01-30T23:59:59'));
    expect(LendingContract.dueDate(cst('2099-12-31T00:00:00'), 360)).toBe(cst('2129-12-31T00:00:00'));
    // 1 February 04:00 in Beijing is still 31 January in UTC: the month is Beijing's.
    expect(LendingContract.dueDate(cst('2027-02-01T04:00:00'), 1)).toBe(cst('2027-03-01T04:00:00'));
  });
});

describe('collateral identifiers', () => {
  it('normalise whitespace, full-width characters and case; a VEHICLE needs a VIN', () => {
    expect(LendingContract.normaliseIdentifier('VEHICLE', ' lsvaa4 3a2\t8n0 1234 5')).toBe('LSVAA43A28N012345');
    expect(LendingContract.normaliseIdentifier('PROPERTY', '京（２０２０）朝阳区不动产权第００１２３４５号')).toBe('京(2020)朝阳区不动产权第0012345号');
    expect(LendingContract.collateralId('VEHICLE', 'LSVAA43A28N012345')).toBe(LendingContract.collateralId('VEHICLE', 'lsvaa43a28n012345 '));
    expect(LendingContract.collateralId('VEHICLE', 'LSVAA43A28N012345')).not.toBe(LendingContract.collateralId('EQUIPMENT', 'LSVAA43A28N012345'));
    expect(() => LendingContract.normaliseIdentifier('VEHICLE', 'LSVAA43A28N01234O')).toThrow(expect.objectContaining({ code: 'INVALID_IDENTIFIER' }));
    expect(() => LendingContract.normaliseIdentifier('OTHER', ' \u3000 ')).toThrow(expect.objectContaining({ code: 'INVALID_IDENTIFIER' }));
  });
});

describe('reason codes', () => {
  it('every code the contract reverts with is listed in LENDING_REASONS, and every listed code is used', () => {
    const source = readFileSync(new URL('./lending.contract.ts', import.meta.url), 'utf8');
    const used = new Set([...source.matchAll(/new ContractError\('([A-Z_]+)'/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual([...LENDING_REASONS].sort());
  });
});
