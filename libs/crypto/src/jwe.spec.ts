import { describe, expect, it } from '@jest/globals';
import { GeneralEncrypt, generalDecrypt, importJWK, type GeneralJWE } from 'jose';
import { toHex } from './encoding.js';
import { JweError, type JweErrorCode } from './errors.js';
import { decryptAsRecipient, decryptJson, encryptForRecipients, jweRecipients, JweSealer } from './jwe.js';
import { generateX25519 } from './x25519.js';

const orgs = ['org-alpha', 'org-beta', 'org-gamma'].map((kid) => ({ kid, ...generateX25519() }));
const recipients = orgs.map(({ kid, publicKey }) => ({ kid, publicKey }));
const outsider = { kid: 'org-outsider', ...generateX25519() };

async function expectJweError(p: Promise<unknown>, code: JweErrorCode): Promise<JweError> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(JweError);
  expect((err as JweError).code).toBe(code);
  return err as JweError;
}

const b64urlDecode = (s: string): Buffer => Buffer.from(s, 'base64url');

describe('JWE field encryption (ECDH-ES+A256KW / X25519, A256GCM, general JSON)', () => {
  it('has the expected shape: protected alg/enc, one entry per recipient with kid and its own epk', async () => {
    const jwe = await encryptForRecipients('hello', recipients);
    expect(JSON.parse(b64urlDecode(jwe.protected as string).toString())).toEqual({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM' });
    expect(jwe.recipients).toHaveLength(3);
    for (const [i, r] of jwe.recipients.entries()) {
      expect(r.header?.kid).toBe(orgs[i].kid);
      expect(r.header?.epk).toMatchObject({ kty: 'OKP', crv: 'X25519' });
      expect(b64urlDecode(r.encrypted_key as string)).toHaveLength(40); // A256KW-wrapped 32-byte CEK
    }
    const epks = jwe.recipients.map((r) => JSON.stringify(r.header?.epk));
    expect(new Set(epks).size).toBe(3); // a fresh ephemeral key per recipient
    expect(b64urlDecode(jwe.iv as string)).toHaveLength(12);
    expect(b64urlDecode(jwe.tag as string)).toHaveLength(16);
    expect(jweRecipients(jwe)).toEqual(['org-alpha', 'org-beta', 'org-gamma']);
  });

  it('every recipient decrypts bytes, strings and JSON', async () => {
    const bytes = Uint8Array.from([0, 1, 2, 255]);
    const value = { amount: 1200, currency: 'CNY', parties: ['org-alpha', 'org-beta'], note: '自主' };
    const jweBytes = await encryptForRecipients(bytes, recipients);
    const jweText = await encryptForRecipients('plain text', recipients);
    const jweJson = await encryptForRecipients(value, recipients);
    for (const o of orgs) {
      const me = { kid: o.kid, privateKey: o.privateKey };
      expect(toHex(await decryptAsRecipient(jweBytes, me))).toBe('000102ff');
      expect(Buffer.from(await decryptAsRecipient(jweText, me)).toString()).toBe('plain text');
      expect(await decryptJson(jweJson, me)).toEqual(value);
      // JSON plaintexts are canonical (RFC 8785), so equal values encrypt equal bytes.
      expect(Buffer.from(await decryptAsRecipient(jweJson, me)).toString()).toBe(
        '{"amount":1200,"currency":"CNY","note":"自主","parties":["org-alpha","org-beta"]}',
      );
    }
  });

  it('binds and checks additional authenticated data', async () => {
    const jwe = await encryptForRecipients({ x: 1 }, recipients, 'tx:0xabc/field:price');
    const me = { kid: orgs[1].kid, privateKey: orgs[1].privateKey };
    expect(b64urlDecode(jwe.aad as string).toString()).toBe('tx:0xabc/field:price');
    expect(await decryptJson(jwe, me, { aad: 'tx:0xabc/field:price' })).toEqual({ x: 1 });
    await expectJweError(decryptJson(jwe, me, { aad: 'tx:0xdef/field:price' }), 'AAD_MISMATCH');
    await expectJweError(decryptJson(await encryptForRecipients({ x: 1 }, recipients), me, { aad: 'tx:0xabc/field:price' }), 'AAD_MISMATCH');
    // Altering the aad member breaks the GCM tag.
    await expectJweError(decryptAsRecipient({ ...jwe, aad: Buffer.from('tx:0xdef/field:price').toString('base64url') }, me), 'DECRYPTION_FAILED');
  });

  it('an outsider is NOT_A_RECIPIENT, and cryptographically cannot open any recipient entry', async () => {
    const jwe = await encryptForRecipients('secret', recipients);
    await expectJweError(decryptAsRecipient(jwe, { kid: outsider.kid, privateKey: outsider.privateKey }), 'NOT_A_RECIPIENT');
    // Claiming an insider's kid with the outsider's key fails too.
    await expectJweError(decryptAsRecipient(jwe, { kid: 'org-beta', privateKey: outsider.privateKey }), 'DECRYPTION_FAILED');
    // And jose itself, trying every recipient entry with the outsider's key, gets nothing.
    const outsiderKey = await importJWK(
      { kty: 'OKP', crv: 'X25519', x: outsider.publicKey.toString('base64url'), d: outsider.privateKey.toString('base64url') },
      'ECDH-ES+A256KW',
    );
    await expect(generalDecrypt(jwe, outsiderKey)).rejects.toThrow();
    // Sanity: the same direct jose call succeeds for a real recipient.
    const insiderKey = await importJWK(
      { kty: 'OKP', crv: 'X25519', x: orgs[2].publicKey.toString('base64url'), d: orgs[2].privateKey.toString('base64url') },
      'ECDH-ES+A256KW',
    );
    expect(Buffer.from((await generalDecrypt(jwe, insiderKey)).plaintext).toString()).toBe('secret');
  });

  it('a recipient with the wrong key fails, and a relabelled entry does not help', async () => {
    const jwe = await encryptForRecipients('secret', recipients);
    await expectJweError(decryptAsRecipient(jwe, { kid: 'org-alpha', privateKey: orgs[1].privateKey }), 'DECRYPTION_FAILED');
    // Swapping the kids (the per-recipient header is unprotected) only makes each key meet the wrong entry.
    const swapped: GeneralJWE = {
      ...jwe,
      recipients: jwe.recipients.map((r, i) => ({ ...r, header: { ...r.header, kid: orgs[(i + 1) % 3].kid } })),
    };
    await expectJweError(decryptAsRecipient(swapped, { kid: 'org-beta', privateKey: orgs[1].privateKey }), 'DECRYPTION_FAILED');
  });

  it('refuses tampering with the ciphertext, tag, iv, protected header or wrapped key', async () => {
    const jwe = await encryptForRecipients({ secret: 'value' }, recipients);
    const me = { kid: orgs[0].kid, privateKey: orgs[0].privateKey };
    const flip = (s: string, byte = 0): string => {
      const b = b64urlDecode(s);
      b[byte] ^= 1;
      return b.toString('base64url');
    };
    await expectJweError(decryptAsRecipient({ ...jwe, ciphertext: flip(jwe.ciphertext) }, me), 'DECRYPTION_FAILED');
    await expectJweError(decryptAsRecipient({ ...jwe, tag: flip(jwe.tag as string) }, me), 'DECRYPTION_FAILED');
    await expectJweError(decryptAsRecipient({ ...jwe, iv: flip(jwe.iv as string) }, me), 'DECRYPTION_FAILED');
    const prot = Buffer.from(JSON.stringify({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', x: 1 })).toString('base64url');
    await expectJweError(decryptAsRecipient({ ...jwe, protected: prot }, me), 'DECRYPTION_FAILED');
    const recs = jwe.recipients.map((r, i) => (i === 0 ? { ...r, encrypted_key: flip(r.encrypted_key as string, 3) } : r));
    await expectJweError(decryptAsRecipient({ ...jwe, recipients: recs }, me), 'DECRYPTION_FAILED');
    // The others are unaffected by damage to org-alpha's entry.
    expect(await decryptJson({ ...jwe, recipients: recs }, { kid: orgs[1].kid, privateKey: orgs[1].privateKey })).toEqual({ secret: 'value' });
  });

  it('refuses an empty recipient list, duplicate or empty kids, and bad key sizes', async () => {
    await expectJweError(encryptForRecipients('x', []), 'NO_RECIPIENTS');
    await expectJweError(encryptForRecipients('x', [recipients[0], { ...recipients[1], kid: recipients[0].kid }]), 'INVALID_RECIPIENT');
    await expectJweError(encryptForRecipients('x', [{ kid: '', publicKey: recipients[0].publicKey }]), 'INVALID_RECIPIENT');
    await expectJweError(encryptForRecipients('x', [{ kid: 'k', publicKey: new Uint8Array(31) }]), 'INVALID_RECIPIENT');
    const jwe = await encryptForRecipients('x', recipients);
    await expectJweError(decryptAsRecipient(jwe, { kid: 'org-alpha', privateKey: new Uint8Array(16) }), 'INVALID_RECIPIENT');
    await expectJweError(decryptAsRecipient({ ciphertext: 'x' } as unknown as GeneralJWE, { kid: 'a', privateKey: orgs[0].privateKey }), 'INVALID_JWE');
  });

  it('decryptJson refuses a non-JSON plaintext', async () => {
    const jwe = await encryptForRecipients('not json', recipients);
    await expectJweError(decryptJson(jwe, { kid: orgs[0].kid, privateKey: orgs[0].privateKey }), 'NOT_JSON');
  });

  // The encryption is written on node:crypto for speed; jose is the reference implementation.
  describe('interoperates with jose (the reference implementation)', () => {
    const joseKey = (o: (typeof orgs)[number]) =>
      importJWK({ kty: 'OKP', crv: 'X25519', x: Buffer.from(o.publicKey).toString('base64url'), d: Buffer.from(o.privateKey).toString('base64url') }, 'ECDH-ES+A256KW');

    it('jose opens what we write, for every recipient, with and without additional authenticated data', async () => {
      const value = { holderIdentity: '张三 110101199003070011', amount: '125000' };
      for (const aad of [undefined, 'evidence:0123abcd']) {
        const jwe = await encryptForRecipients(value, recipients, aad);
        for (const o of orgs) {
          const opened = await generalDecrypt(jwe, await joseKey(o), { keyManagementAlgorithms: ['ECDH-ES+A256KW'], contentEncryptionAlgorithms: ['A256GCM'] });
          expect(JSON.parse(Buffer.from(opened.plaintext).toString('utf8'))).toEqual(value);
          expect(opened.additionalAuthenticatedData ? Buffer.from(opened.additionalAuthenticatedData).toString() : undefined).toBe(aad);
        }
      }
    });

    it('we open what jose writes', async () => {
      for (const aad of [undefined, 'evidence:0123abcd']) {
        const enc = new GeneralEncrypt(Buffer.from('{"title":"合同"}')).setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM' });
        if (aad) enc.setAdditionalAuthenticatedData(Buffer.from(aad));
        for (const r of recipients) enc.addRecipient(await importJWK({ kty: 'OKP', crv: 'X25519', x: Buffer.from(r.publicKey).toString('base64url') }, 'ECDH-ES+A256KW')).setUnprotectedHeader({ kid: r.kid });
        const jwe = await enc.encrypt();
        for (const o of orgs) expect(await decryptJson(jwe, { kid: o.kid, privateKey: o.privateKey }, { aad })).toEqual({ title: '合同' });
        await expectJweError(decryptJson(jwe, { kid: orgs[0].kid, privateKey: outsider.privateKey }), 'DECRYPTION_FAILED');
      }
    });
  });

  describe('JweSealer: one ephemeral key per recipient for a batch, a random apu per JWE', () => {
    const joseKey = (o: (typeof orgs)[number]) =>
      importJWK({ kty: 'OKP', crv: 'X25519', x: Buffer.from(o.publicKey).toString('base64url'), d: Buffer.from(o.privateKey).toString('base64url') }, 'ECDH-ES+A256KW');

    it('each JWE opens for every recipient, here and in jose; epk shared across the batch, apu and wrapped keys not', async () => {
      const sealer = new JweSealer();
      const values = Array.from({ length: 5 }, (_, i) => ({ title: `发票 ${i}`, amount: String(1000 + i) }));
      const jwes = values.map((v, i) => sealer.seal(v, recipients, `evidence:${i}`));
      for (const [i, jwe] of jwes.entries()) {
        for (const o of orgs) {
          expect(await decryptJson(jwe, { kid: o.kid, privateKey: o.privateKey }, { aad: `evidence:${i}` })).toEqual(values[i]);
          const opened = await generalDecrypt(jwe, await joseKey(o), { keyManagementAlgorithms: ['ECDH-ES+A256KW'], contentEncryptionAlgorithms: ['A256GCM'] });
          expect(JSON.parse(Buffer.from(opened.plaintext).toString('utf8'))).toEqual(values[i]);
        }
        await expectJweError(decryptAsRecipient(jwe, { kid: outsider.kid, privateKey: outsider.privateKey }), 'NOT_A_RECIPIENT');
        await expectJweError(decryptAsRecipient(jwe, { kid: orgs[0].kid, privateKey: outsider.privateKey }), 'DECRYPTION_FAILED');
      }
      for (let r = 0; r < orgs.length; r++) {
        expect(new Set(jwes.map((j) => JSON.stringify(j.recipients[r].header?.epk))).size).toBe(1);
        expect(new Set(jwes.map((j) => j.recipients[r].header?.apu)).size).toBe(jwes.length);
        expect(b64urlDecode(jwes[0].recipients[r].header?.apu as string)).toHaveLength(16);
      }
      // distinct recipients still get distinct ephemeral keys
      expect(new Set(jwes[0].recipients.map((r) => JSON.stringify(r.header?.epk))).size).toBe(orgs.length);
    });

    it('the apu is bound: changed or removed, the wrapped key no longer opens', async () => {
      const sealer = new JweSealer();
      const jwe = sealer.seal('secret', recipients);
      const me = { kid: orgs[1].kid, privateKey: orgs[1].privateKey };
      const altered = (apu: string | undefined): GeneralJWE => ({
        ...jwe,
        recipients: jwe.recipients.map((r) => ({ ...r, header: { ...r.header, apu } })),
      });
      await expectJweError(decryptAsRecipient(altered(Buffer.alloc(16, 7).toString('base64url')), me), 'DECRYPTION_FAILED');
      await expectJweError(decryptAsRecipient(altered(undefined), me), 'DECRYPTION_FAILED');
      await expectJweError(decryptAsRecipient(altered('not base64url!'), me), 'DECRYPTION_FAILED');
      expect(Buffer.from(await decryptAsRecipient(jwe, me)).toString()).toBe('secret');
    });

    it('makes a new ephemeral key after maxUsesPerKey seals, and after clear()', () => {
      const sealer = new JweSealer(2);
      const epk = (j: GeneralJWE) => JSON.stringify(j.recipients[0].header?.epk);
      const [a, b, c] = [sealer.seal('a', recipients), sealer.seal('b', recipients), sealer.seal('c', recipients)];
      expect(epk(a)).toBe(epk(b));
      expect(epk(c)).not.toBe(epk(a));
      sealer.clear();
      expect(epk(sealer.seal('d', recipients))).not.toBe(epk(c));
    });

    it('we open what jose writes with apu and apv in the protected header', async () => {
      const enc = new GeneralEncrypt(Buffer.from('{"title":"合同"}')).setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM' });
      for (const r of recipients)
        enc
          .addRecipient(await importJWK({ kty: 'OKP', crv: 'X25519', x: Buffer.from(r.publicKey).toString('base64url') }, 'ECDH-ES+A256KW'))
          .setUnprotectedHeader({ kid: r.kid })
          .setKeyManagementParameters({ apu: Buffer.from('Alice'), apv: Buffer.from('Bob') });
      const jwe = await enc.encrypt();
      expect(jwe.recipients[0].header?.apu).toBe(Buffer.from('Alice').toString('base64url'));
      for (const o of orgs) expect(await decryptJson(jwe, { kid: o.kid, privateKey: o.privateKey })).toEqual({ title: '合同' });
    });
  });
});
