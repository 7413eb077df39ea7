import { describe, it, expect } from '@jest/globals';
import { Keystore } from '@zizhu/crypto';
import { issueUserCertificate, verifyUserCertificate } from './user-certificate.js';
import { createOrgCaCertificate } from './genesis-builder.js';

describe('issueUserCertificate', () => {
  it('issues a certificate for a user key that verifies against the org CA, and not against another CA', async () => {
    const ks = await Keystore.create('test passphrase', { N: 1024 });
    const seedA = new Uint8Array(32).fill(7);
    const seedB = new Uint8Array(32).fill(9);
    ks.addEd25519('bank-a/ca', seedA);
    ks.addEd25519('other/ca', seedB);
    const user = ks.addEd25519('user/1');
    const now = new Date();
    const caA = await createOrgCaCertificate({ id: 'bank-a', name: 'Bank A', kind: 'BANK' }, seedA, now);
    const caB = await createOrgCaCertificate({ id: 'other', name: 'Other', kind: 'BANK' }, seedB, now);
    const cert = await issueUserCertificate({
      caCertificate: caA,
      caSigner: ks.signer('bank-a/ca'),
      org: { id: 'bank-a', name: 'Bank A' },
      commonName: 'alice',
      kind: 'user',
      publicKey: user,
      notBefore: now,
    });
    expect(await verifyUserCertificate(cert, caA, user)).toBe(true);
    expect(await verifyUserCertificate(cert, caB, user)).toBe(false);
    expect(await verifyUserCertificate(cert, caA, ks.addEd25519('user/2'))).toBe(false);
  });

  it('refuses a CA signer that does not match the CA certificate', async () => {
    const ks = await Keystore.create('test passphrase', { N: 1024 });
    const seed = new Uint8Array(32).fill(3);
    const ca = await createOrgCaCertificate({ id: 'bank-a', name: 'Bank A', kind: 'BANK' }, seed, new Date());
    ks.addEd25519('wrong');
    await expect(
      issueUserCertificate({ caCertificate: ca, caSigner: ks.signer('wrong'), org: { id: 'bank-a', name: 'Bank A' }, commonName: 'x', kind: 'user', publicKey: ks.publicKey('wrong'), notBefore: new Date() }),
    ).rejects.toThrow(/CA signer/);
  });
});
