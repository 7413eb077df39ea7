import { describe, expect, it } from '@jest/globals';
import { createCipheriv, randomBytes } from 'node:crypto';
import { aes256GcmDecrypt, aes256GcmEncrypt } from './aes-gcm.js';
import { AesGcmError } from './errors.js';

const key = randomBytes(32);
const plaintext = Buffer.from('consortium secret: 自主链');

function authFailure(fn: () => unknown): AesGcmError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AesGcmError);
    expect((e as AesGcmError).code).toBe('AUTH_FAILED');
    return e as AesGcmError;
  }
  throw new Error('expected AUTH_FAILED');
}

describe('AES-256-GCM', () => {
  it('round-trips with and without AAD; 12-byte IV, 16-byte tag, fresh IV each time', () => {
    const a = aes256GcmEncrypt(key, plaintext);
    expect(a.iv).toHaveLength(12);
    expect(a.tag).toHaveLength(16);
    expect(a.ciphertext).toHaveLength(plaintext.length);
    expect(aes256GcmDecrypt(key, a).equals(plaintext)).toBe(true);
    const b = aes256GcmEncrypt(key, plaintext, Buffer.from('ctx'));
    expect(b.iv.equals(a.iv)).toBe(false);
    expect(aes256GcmDecrypt(key, b, Buffer.from('ctx')).equals(plaintext)).toBe(true);
    expect(aes256GcmDecrypt(key, aes256GcmEncrypt(key, new Uint8Array(0)))).toHaveLength(0);
  });

  it('interoperates with a plain node:crypto encryption (NIST SP 800-38D layout)', () => {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, iv);
    c.setAAD(Buffer.from('aad'));
    const ciphertext = Buffer.concat([c.update(plaintext), c.final()]);
    expect(aes256GcmDecrypt(key, { iv, ciphertext, tag: c.getAuthTag() }, Buffer.from('aad')).equals(plaintext)).toBe(true);
  });

  it('known answer: NIST GCM test case 13 (256-bit zero key, zero IV, empty plaintext)', () => {
    const iv = Buffer.alloc(12);
    const tag = Buffer.from('530f8afbc74536b9a963b4f1c4cb738b', 'hex');
    expect(aes256GcmDecrypt(Buffer.alloc(32), { iv, ciphertext: Buffer.alloc(0), tag })).toHaveLength(0);
  });

  it('refuses a bad tag, a flipped ciphertext bit, a wrong key, a wrong or missing AAD', () => {
    const s = aes256GcmEncrypt(key, plaintext, Buffer.from('ctx'));
    const tag = Buffer.from(s.tag);
    tag[0] ^= 1;
    const ct = Buffer.from(s.ciphertext);
    ct[3] ^= 0x80;
    const err = authFailure(() => aes256GcmDecrypt(key, { ...s, tag }, Buffer.from('ctx')));
    expect(err.message).toMatch(/authentication failed/);
    authFailure(() => aes256GcmDecrypt(key, { ...s, ciphertext: ct }, Buffer.from('ctx')));
    authFailure(() => aes256GcmDecrypt(randomBytes(32), s, Buffer.from('ctx')));
    authFailure(() => aes256GcmDecrypt(key, s, Buffer.from('other')));
    authFailure(() => aes256GcmDecrypt(key, s));
  });

  it('rejects wrong key, IV and tag lengths (a truncated tag is never accepted)', () => {
    const s = aes256GcmEncrypt(key, plaintext);
    expect(() => aes256GcmEncrypt(randomBytes(16), plaintext)).toThrow(TypeError);
    expect(() => aes256GcmDecrypt(key, { ...s, iv: s.iv.subarray(0, 8) })).toThrow(TypeError);
    expect(() => aes256GcmDecrypt(key, { ...s, tag: s.tag.subarray(0, 12) })).toThrow(TypeError);
  });
});
