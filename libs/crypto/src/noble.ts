import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, concatBytes, equalBytes } from '@noble/curves/utils.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { X25519Error } from './errors.js';

/**
 * The portable implementation (pure JS, no node:* imports) for browsers and for cross-checking the
 * node:crypto / libsodium hot path. Same raw-byte conventions and argument order as ed25519.ts / x25519.ts.
 * No AES here: @noble/ciphers is not a dependency.
 */

const Point = ed25519.Point;
const L = Point.Fn.ORDER;

/**
 * Ed25519 verification with libsodium's exact rule set, written independently on noble's point arithmetic:
 * S < L, A canonical and not small-order, R not small-order, and the cofactorless equation encode([S]B - [k]A) == R.
 * noble's own verify() is cofactored (and ZIP-215 by default), so it accepts signatures that
 * OpenSSL/libsodium refuse when A or R has a torsion component; it is not used here.
 */
function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const r = signature.subarray(0, 32);
  const s = bytesToNumberLE(signature.subarray(32));
  if (s >= L) return false;
  let A: InstanceType<typeof Point>;
  let R: InstanceType<typeof Point>;
  try {
    A = Point.fromBytes(publicKey, false); // strict: y < p, no x = 0 with the sign bit set
    R = Point.fromBytes(r, false);
  } catch {
    return false;
  }
  if (A.isSmallOrder() || R.isSmallOrder()) return false;
  const k = Point.Fn.create(bytesToNumberLE(sha512(concatBytes(r, publicKey, message))));
  const check = Point.BASE.multiplyUnsafe(s).subtract(A.multiplyUnsafe(k));
  return equalBytes(check.toBytes(), r);
}

export const nobleEd25519 = {
  /** Raw 32-byte public key from a 32-byte seed. */
  getPublicKey(seed: Uint8Array): Uint8Array {
    if (seed.length !== 32) throw new TypeError('Ed25519 private key must be 32 bytes');
    return ed25519.getPublicKey(seed);
  },
  /** RFC 8032 (deterministic) signature; argument order as ed25519Sign. */
  sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
    if (seed.length !== 32) throw new TypeError('Ed25519 private key must be 32 bytes');
    return ed25519.sign(message, seed);
  },
  /** Same acceptance set as ed25519Verify / ed25519VerifyNode; argument order as ed25519Verify. */
  verify,
};

export const nobleX25519 = {
  getPublicKey(privateRaw: Uint8Array): Uint8Array {
    if (privateRaw.length !== 32) throw new TypeError('X25519 private key must be 32 bytes');
    return x25519.getPublicKey(privateRaw);
  },
  /** Raw shared secret; throws X25519Error('LOW_ORDER_POINT') like x25519SharedSecret. */
  sharedSecret(privateRaw: Uint8Array, publicRaw: Uint8Array): Uint8Array {
    if (privateRaw.length !== 32) throw new TypeError('X25519 private key must be 32 bytes');
    if (publicRaw.length !== 32) throw new TypeError('X25519 public key must be 32 bytes');
    let secret: Uint8Array;
    try {
      secret = x25519.getSharedSecret(privateRaw, publicRaw);
    } catch {
      throw new X25519Error('LOW_ORDER_POINT', 'X25519 peer public key is a low-order point (shared secret would be zero)');
    }
    if (secret.every((b) => b === 0)) throw new X25519Error('LOW_ORDER_POINT', 'X25519 peer public key is a low-order point (shared secret would be zero)');
    return secret;
  },
};

const encoder = new TextEncoder();

/** SHA-256 of the concatenation of its parts (strings as UTF-8), like sha256 in hash.ts. */
export function nobleSha256(...parts: (Uint8Array | string)[]): Uint8Array {
  const h = sha256.create();
  for (const p of parts) h.update(typeof p === 'string' ? encoder.encode(p) : p);
  return h.digest();
}
