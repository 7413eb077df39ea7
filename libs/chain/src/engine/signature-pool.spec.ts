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
});
