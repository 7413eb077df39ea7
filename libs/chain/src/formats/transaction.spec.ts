import { describe, it, expect } from '@jest/globals';
import { Ed25519Signer, canonicalJson, generateEd25519, sha256Hex } from '@zizhu/crypto';
import { keyIdOf, keyIdOfBase64, parseSignedTransaction, signTransaction, txHash, txPreimage } from './transaction.js';

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

  it('derives the stored canonical text without serialising twice, equal to JCS of the signed transaction', () => {
    const parsed = parseSignedTransaction(JSON.parse(JSON.stringify(signed)));
    expect(parsed.canonical).toBe(canonicalJson(signed));
    expect(parsed.hash).toBe(txHash(signed.envelope));
  });
});
