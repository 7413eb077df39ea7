import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { X25519Error } from './errors.js';
import { nobleEd25519, nobleSha256, nobleX25519 } from './noble.js';

// Vectors and node/sodium cross-checks live in ed25519.spec.ts, x25519.spec.ts and hash.spec.ts.
describe('noble.ts (portable implementation)', () => {
  it('stays portable: no node:* imports and no Buffer, in it or in what it imports', () => {
    for (const file of ['noble.ts', 'errors.ts']) {
      const src = readFileSync(fileURLToPath(new URL(`./${file}`, import.meta.url)), 'utf8');
      expect(src).not.toMatch(/from ['"]node:/);
      expect(src).not.toMatch(/\bBuffer\b/);
      const local = [...src.matchAll(/from '(\.[^']+)'/g)].map((m) => m[1]);
      expect(local.every((p) => p === './errors.js')).toBe(true);
    }
  });

  it('returns plain Uint8Arrays', () => {
    const seed = new Uint8Array(32).fill(7);
    for (const out of [nobleEd25519.getPublicKey(seed), nobleEd25519.sign(seed, new Uint8Array(3)), nobleX25519.getPublicKey(seed), nobleSha256('x')]) {
      expect(out).toBeInstanceOf(Uint8Array);
    }
  });

  it('sharedSecret throws X25519Error for an all-zero public key', () => {
    expect(() => nobleX25519.sharedSecret(new Uint8Array(32).fill(1), new Uint8Array(32))).toThrow(X25519Error);
  });
});
