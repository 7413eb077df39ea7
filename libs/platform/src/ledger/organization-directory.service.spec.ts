import 'reflect-metadata';
import { describe, it, expect, beforeEach } from '@jest/globals';
import type { OrgKind } from '@zizhu/contract-system';
import type { LedgerService, OrganizationRecord } from './ledger.service.js';
import { ORGANIZATION_DIRECTORY_TTL_MS, OrganizationDirectory } from './organization-directory.service.js';

const org = (id: string, kind: OrgKind, status = 'ACTIVE') => ({ id, name: id, kind, status, caCert: '', signingKey: '', encryptionKey: '' }) as OrganizationRecord;

/** The system channel's organisations as LedgerService reads them, counting the reads. */
class FakeLedger implements Pick<LedgerService, 'organization' | 'organizations'> {
  reads = 0;
  constructor(public orgs: OrganizationRecord[]) {}
  async organizations() {
    this.reads++;
    return [...this.orgs];
  }
  async organization(id: string) {
    this.reads++;
    return this.orgs.find((o) => o.id === id);
  }
}

describe('OrganizationDirectory', () => {
  let now: number;
  let ledger: FakeLedger;
  let directory: OrganizationDirectory;

  beforeEach(() => {
    now = 1_700_000_000_000;
    ledger = new FakeLedger([org('bank-a', 'BANK'), org('regulator', 'REGULATOR'), org('regulator-old', 'REGULATOR', 'SUSPENDED'), org('platform-a', 'PLATFORM')]);
    directory = new OrganizationDirectory(ledger, () => now);
  });

  it('answers an organisation kind, undefined for an unknown organisation, and whether it is a regulator', async () => {
    expect(await directory.kindOf('bank-a')).toBe('BANK');
    expect(await directory.kindOf('nobody')).toBeUndefined();
    expect(await directory.isRegulator('regulator')).toBe(true);
    expect(await directory.isRegulator('platform-a')).toBe(false);
    expect(await directory.isRegulator('nobody')).toBe(false);
  });

  it('lists only the ACTIVE regulators', async () => {
    expect(await directory.regulators()).toEqual(['regulator']);
  });

  it('reads the ledger once a minute: a change shows after the minute, not before', async () => {
    expect(await directory.regulators()).toEqual(['regulator']);
    expect(await directory.kindOf('late')).toBeUndefined();
    const reads = ledger.reads;
    ledger.orgs = [...ledger.orgs.map((o) => (o.id === 'regulator-old' ? { ...o, status: 'ACTIVE' } : o)), org('late', 'ISSUER')];

    now += ORGANIZATION_DIRECTORY_TTL_MS - 1;
    expect(await directory.regulators()).toEqual(['regulator']);
    expect(await directory.kindOf('late')).toBeUndefined();
    expect(await directory.kindOf('bank-a')).toBe('BANK');
    expect(ledger.reads).toBe(reads + 1); // bank-a's first look only

    now += 1;
    expect(await directory.regulators()).toEqual(['regulator', 'regulator-old']);
    expect(await directory.kindOf('late')).toBe('ISSUER');
  });
});
