import { describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { toHex } from './encoding.js';
import { documentDigestHex, sha256, sha256Hex } from './hash.js';
import { nobleSha256 } from './noble.js';

// FIPS 180-2 / NIST CSRC example values.
const KNOWN: [string, string | Uint8Array, string][] = [
  ['empty', '', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['"abc"', 'abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ['448-bit message', 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  [
    '896-bit message',
    'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
    'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
  ],
  ['one million "a"', Buffer.alloc(1_000_000, 'a'), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
];

describe('SHA-256 known answers', () => {
  it.each(KNOWN)('%s (node and noble)', (_name, input, digest) => {
    expect(sha256Hex(input)).toBe(digest);
    expect(toHex(sha256(input))).toBe(digest);
    expect(toHex(nobleSha256(input))).toBe(digest);
  });

  it('hashes the concatenation of its parts, strings as UTF-8', () => {
    expect(sha256Hex('a', Buffer.from('b'), 'c')).toBe(KNOWN[1][2]);
    expect(toHex(nobleSha256('a', Buffer.from('b'), 'c'))).toBe(KNOWN[1][2]);
    expect(toHex(nobleSha256('€'))).toBe(sha256Hex(Buffer.from([0xe2, 0x82, 0xac])));
  });

  it('hashes texts-only parts as a Hash object fed part by part would, a surrogate pair split between parts included', () => {
    const byParts = (...parts: string[]) => {
      const h = createHash('sha256');
      for (const p of parts) h.update(p);
      return h.digest('hex');
    };
    for (const parts of [[], ['a', 'b', 'c'], ['zizhu:evidence:v1\n', '{"alg":"sha256"}'], ['é', '😀', ''], ['x\ud83d', '\ude00y'], ['\ud83d', 'z'], ['a\ude00']]) {
      expect(sha256Hex(...parts)).toBe(byParts(...parts));
      expect(toHex(sha256(...parts))).toBe(byParts(...parts));
    }
  });

  it('agrees with noble on random inputs', () => {
    for (let n = 0; n < 300; n += 13) {
      const data = randomBytes(n);
      expect(toHex(nobleSha256(data))).toBe(sha256Hex(data));
    }
  });
});

describe('documentDigestHex', () => {
  it('SHA-256 and SM3 (GB/T 32905-2016 appendix A examples)', () => {
    expect(documentDigestHex('sha256', 'abc')).toBe(KNOWN[1][2]);
    expect(documentDigestHex('sm3', 'abc')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    expect(documentDigestHex('sm3', 'abcd'.repeat(16))).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });

  it('refuses any other algorithm', () => {
    expect(() => documentDigestHex('md5' as never, 'abc')).toThrow(/unsupported/);
  });
});
