import { describe, it, expect } from '@jest/globals';
import { Ed25519Signer, canonicalJson, ed25519Verify, generateEd25519, sha256Hex } from '@zizhu/crypto';
import { envelopeOfPreimage, keyIdOf, keyIdOfBase64, parseSignedTransaction, signTransaction, signTransactionWithPreimage, storedSignedParts, txHash, txPreimage } from './transaction.js';

describe('transaction format (ledger-formats §2)', () => {
  const signer = new Ed25519Signer(generateEd25519().privateKey);
  const signed = signTransaction({ channel: 'evidence', contract: 'evidence', method: 'anchor', args: { b: '2', a: [1, { z: null, y: true }], 'é': 'ü' }, ts: 1763712000000, nonce: '0123456789abcdef0123456789abcdef' }, signer);

  it('hashes "zizhu:tx:v1\\n" || JCS(envelope) and names the signer by SHA-256(0x01 || key)', () => {
    const preimage = txPreimage(signed.envelope);
    expect(preimage.subarray(0, 12).toString()).toBe('zizhu:tx:v1\n');
    expect(preimage.subarray(12).toString()).toBe(canonicalJson(signed.envelope));
    expect(txHash(signed.envelope)).toBe(sha256Hex(preimage));
    expect(signed.envelope.signer).toBe(sha256Hex(Buffer.from([1]), signer.publicKey));
    expect(keyIdOfBase64(signed.publicKey, signer.publicKey)).toBe(keyIdOf(signer.publicKey));
  });

  it('writes the stored canonical text from the preimage without serialising twice: the UTF-8 of JCS of the signed transaction', () => {
    const parsed = parseSignedTransaction(JSON.parse(JSON.stringify(signed)));
    const stored = Buffer.concat(storedSignedParts(parsed.preimage, parsed.signed));
    expect(stored.equals(Buffer.from(canonicalJson(signed), 'utf8'))).toBe(true);
    expect(parsed.hash).toBe(txHash(signed.envelope));
  });

  it('signs the preimage it answers; handed to the parser with the same object, it gives what parsing from scratch gives', () => {
    const fields = { channel: 'evidence', contract: 'evidence', method: 'anchor', args: { x: ['1', { y: 'é' }] }, ts: 1763712000000 };
    const { signed: own, preimage } = signTransactionWithPreimage(fields, signer);
    expect(preimage.equals(txPreimage(own.envelope))).toBe(true);
    expect(ed25519Verify(signer.publicKey, preimage, Buffer.from(own.signature, 'base64'))).toBe(true);
    const hinted = parseSignedTransaction(own, preimage);
    const scratch = parseSignedTransaction(JSON.parse(JSON.stringify(own)));
    const stored = (p: typeof hinted) => Buffer.concat(storedSignedParts(p.preimage, p.signed)).toString('utf8');
    expect({ stored: stored(hinted), hash: hinted.hash }).toEqual({ stored: stored(scratch), hash: scratch.hash });
    // The other checks still run with a preimage at hand.
    expect(() => parseSignedTransaction({ ...own, envelope: { ...own.envelope, ts: 1.5 } }, preimage)).toThrow(/ts must be integer/);
  });
});

describe('envelopeOfPreimage', () => {
  it('reads back exactly the envelope a preimage serialises, and refuses bytes that are not one', () => {
    const signer = new Ed25519Signer(generateEd25519().privateKey);
    const { signed, preimage } = signTransactionWithPreimage({ channel: 'evidence', contract: 'evidence', method: 'anchor', args: { title: 'é ✓ "quoted"', n: 3, list: [1, { z: null, a: true }] }, ts: 1 }, signer);
    const envelope = envelopeOfPreimage(preimage);
    expect(envelope).toEqual(signed.envelope);
    expect(txPreimage(envelope).equals(preimage)).toBe(true);
    // A view into a larger buffer (as a worker's packed answer) reads the same.
    const packed = Buffer.concat([Buffer.from('xx'), preimage, Buffer.from('yy')]);
    expect(envelopeOfPreimage(packed.subarray(2, 2 + preimage.length))).toEqual(signed.envelope);
    expect(() => envelopeOfPreimage(Buffer.from('{"v":1}'))).toThrow('not a transaction preimage');
    expect(() => envelopeOfPreimage(Buffer.from('zizhu:tx:v1\n[1]'))).toThrow('no envelope object');
    expect(() => envelopeOfPreimage(Buffer.from('zizhu:tx:v1\n{"v":'))).toThrow(SyntaxError);
  });
});
