import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { fromHex, toHex } from './encoding.js';
import { X25519Error } from './errors.js';
import { nobleX25519 } from './noble.js';
import { generateX25519, x25519PublicFromPrivate, x25519SharedSecret } from './x25519.js';

type SharedSecretFn = (privateRaw: Uint8Array, publicRaw: Uint8Array) => Uint8Array;
const IMPLEMENTATIONS: [string, SharedSecretFn, (priv: Uint8Array) => Uint8Array][] = [
  ['node:crypto', x25519SharedSecret, x25519PublicFromPrivate],
  ['noble', nobleX25519.sharedSecret, nobleX25519.getPublicKey],
];

// RFC 7748 §5.2: scalars are given unclamped and u-coordinates with the high bit set (it must be masked).
const SCALAR_MULT = [
  {
    scalar: 'a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4',
    u: 'e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c',
    out: 'c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552',
  },
  {
    scalar: '4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d',
    u: 'e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493',
    out: '95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957',
  },
];

// RFC 7748 §6.1.
const DH = {
  alicePriv: '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a',
  alicePub: '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
  bobPriv: '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb',
  bobPub: 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f',
  shared: '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
};

describe.each(IMPLEMENTATIONS)('X25519 on %s', (_name, shared, publicFromPrivate) => {
  it.each(SCALAR_MULT)('RFC 7748 §5.2 scalar multiplication -> $out', (v) => {
    expect(toHex(shared(fromHex(v.scalar), fromHex(v.u)))).toBe(v.out);
  });

  it('RFC 7748 §6.1 Diffie-Hellman: public keys and the shared secret both ways', () => {
    expect(toHex(publicFromPrivate(fromHex(DH.alicePriv)))).toBe(DH.alicePub);
    expect(toHex(publicFromPrivate(fromHex(DH.bobPriv)))).toBe(DH.bobPub);
    expect(toHex(shared(fromHex(DH.alicePriv), fromHex(DH.bobPub)))).toBe(DH.shared);
    expect(toHex(shared(fromHex(DH.bobPriv), fromHex(DH.alicePub)))).toBe(DH.shared);
  });

  it.each([
    ['u = 0', '00'.repeat(32)],
    ['u = 1', '01' + '00'.repeat(31)],
    ['order-8 point', 'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'],
    ['u = p (non-canonical 0)', 'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
  ])('refuses the low-order public key %s with X25519Error', (_label, hex) => {
    const priv = randomBytes(32);
    let err: unknown;
    try {
      shared(priv, fromHex(hex));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(X25519Error);
    expect((err as X25519Error).code).toBe('LOW_ORDER_POINT');
  });

  it('rejects wrong-length keys with TypeError', () => {
    expect(() => shared(randomBytes(31), randomBytes(32))).toThrow(TypeError);
    expect(() => shared(randomBytes(32), randomBytes(33))).toThrow(TypeError);
    expect(() => publicFromPrivate(randomBytes(16))).toThrow(TypeError);
  });
});

describe('X25519 node vs noble', () => {
  it('generateX25519 gives raw 32-byte keys consistent with both public-key derivations', () => {
    const { privateKey, publicKey } = generateX25519();
    expect(privateKey).toHaveLength(32);
    expect(publicKey).toHaveLength(32);
    expect(toHex(x25519PublicFromPrivate(privateKey))).toBe(toHex(publicKey));
    expect(toHex(nobleX25519.getPublicKey(privateKey))).toBe(toHex(publicKey));
  });

  it('random keys: public keys and shared secrets agree across implementations and directions', () => {
    for (let i = 0; i < 30; i++) {
      const a = generateX25519();
      const bPriv = randomBytes(32); // arbitrary bytes are valid private keys (clamped in use)
      const bPub = nobleX25519.getPublicKey(bPriv);
      expect(toHex(x25519PublicFromPrivate(bPriv))).toBe(toHex(bPub));
      const s1 = x25519SharedSecret(a.privateKey, bPub);
      expect(toHex(nobleX25519.sharedSecret(a.privateKey, bPub))).toBe(toHex(s1));
      expect(toHex(x25519SharedSecret(bPriv, a.publicKey))).toBe(toHex(s1));
      expect(toHex(nobleX25519.sharedSecret(bPriv, a.publicKey))).toBe(toHex(s1));
    }
  });
});
