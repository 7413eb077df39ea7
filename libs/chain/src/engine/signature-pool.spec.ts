import { describe, it, expect, afterAll } from '@jest/globals';
import { generateEd25519, Ed25519Signer } from '@zizhu/crypto';
import { SignaturePool } from './signature-pool.js';

describe('SignaturePool', () => {
  const pool = new SignaturePool(2, 16);
  afterAll(() => pool.close());

  it('verifies good and refuses bad signatures across worker batches, in order', async () => {
    const signer = new Ed25519Signer(generateEd25519().privateKey);
    const items = Array.from({ length: 200 }, (_, i) => {
      const msg = Buffer.from(`message ${i}`);
      const sig = signer.sign(msg);
      if (i % 7 === 0) sig[5] ^= 1;
      return { msg, sig, good: i % 7 !== 0 };
    });
    const results = await Promise.all(items.map((it) => pool.verify(signer.publicKey, it.msg, it.sig)));
    expect(results).toEqual(items.map((it) => it.good));
  });

  it('verifies inline with no workers', async () => {
    const inline = new SignaturePool(0);
    const signer = new Ed25519Signer(generateEd25519().privateKey);
    const msg = Buffer.from('x');
    expect(await inline.verify(signer.publicKey, msg, signer.sign(msg))).toBe(true);
    expect(await inline.verify(signer.publicKey, Buffer.from('y'), signer.sign(msg))).toBe(false);
  });

  it('verifyMany answers a batch with one array, malformed sizes refused, larger than one worker batch', async () => {
    const signer = new Ed25519Signer(generateEd25519().privateKey);
    const other = new Ed25519Signer(generateEd25519().privateKey);
    const n = 100;
    const msgs = Array.from({ length: n }, (_, i) => Buffer.from(`block message ${i} `.repeat(i % 5)));
    const sigs = msgs.map((m) => Buffer.from(signer.sign(m)));
    const pubs = msgs.map(() => Buffer.from(signer.publicKey));
    sigs[3][0] ^= 0x80; // tampered
    pubs[10] = Buffer.from(other.publicKey); // someone else's key
    sigs[20] = sigs[20].subarray(0, 63); // too short
    pubs[30] = pubs[30].subarray(0, 31);
    const bad = new Set([3, 10, 20, 30]);
    for (const p of [pool, new SignaturePool(0)]) {
      const results = await p.verifyMany(pubs, msgs, sigs);
      expect([...results]).toEqual(msgs.map((_, i) => (bad.has(i) ? 0 : 1)));
    }
    expect([...(await pool.verifyMany([], [], []))]).toEqual([]);
    await expect(pool.verifyMany(pubs, msgs.slice(1), sigs)).rejects.toThrow('as many');
  });
});
