import { describe, it, expect } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { canonicalBase64Length, fromBase64, fromHex, toBase64, toHex } from './encoding.js';

describe('encoding', () => {
  it('round-trips every length through base64 and hex', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = randomBytes(n);
      expect(fromBase64(toBase64(bytes)).equals(bytes)).toBe(true);
      expect(fromHex(toHex(bytes)).equals(bytes)).toBe(true);
    }
  });

  it.each([
    ['unpadded', 'AA'],
    ['URL-safe alphabet', 'ab-_'],
    ['whitespace', 'AAAA AAAA'],
    ['nonzero pad bits before ==', 'AB=='],
    ['nonzero pad bits before =', 'AAB='],
    ['a 32-byte key spelt with a nonzero last bit', `${'A'.repeat(42)}B=`],
    ['a 64-byte signature spelt with a nonzero last bit', `${'A'.repeat(85)}B==`],
  ])('refuses base64 that is %s', (_what, text) => {
    expect(() => fromBase64(text)).toThrow('base64');
  });

  it('accepts the canonical spelling next to each refused one', () => {
    expect([...fromBase64('AA==')]).toEqual([0]);
    expect([...fromBase64('AAE=')]).toEqual([0, 1]);
    expect([...fromBase64('AQ==')]).toEqual([1]);
    expect(fromBase64(`${'A'.repeat(42)}E=`)).toHaveLength(32);
    expect(fromBase64(`${'A'.repeat(85)}Q==`)).toHaveLength(64);
  });

  it('canonicalBase64Length measures a range in place, -1 for anything fromBase64 refuses', () => {
    const key = toBase64(randomBytes(32));
    const text = `{"publicKey":"${key}"}`;
    const at = text.indexOf(key);
    expect(canonicalBase64Length(text, at, at + key.length)).toBe(32);
    expect(canonicalBase64Length(text, at, at + key.length - 1)).toBe(-1);
    expect(canonicalBase64Length(text, at - 1, at + key.length - 1)).toBe(-1);
    for (let n = 0; n < 10; n++) expect(canonicalBase64Length(toBase64(randomBytes(n)))).toBe(n);
    for (const bad of ['AB==', 'AAB=', 'A===', '====', 'AA=A', 'AAAA AAA', 'ab-_', 'é===']) expect(canonicalBase64Length(bad)).toBe(-1);
    // A 32-byte key's 44 characters with two '=' are 31 bytes: a caller asking for exactly 32 sees it.
    expect(canonicalBase64Length(`${'A'.repeat(40)}AA==`)).toBe(31);
  });

  it('refuses hex that is not lowercase pairs', () => {
    for (const text of ['ABCD', 'abc', '0x00', 'zz']) expect(() => fromHex(text)).toThrow('hex');
  });
});
