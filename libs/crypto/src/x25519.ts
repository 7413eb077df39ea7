import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { X25519Error } from './errors.js';

/** X25519 (RFC 7748) on node:crypto, with raw 32-byte keys like ed25519.ts. */

const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

export interface X25519KeyPair {
  /** 32-byte private scalar (unclamped; clamping is part of X25519). */
  privateKey: Buffer;
  /** 32-byte u-coordinate. */
  publicKey: Buffer;
}

export function generateX25519(): X25519KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return {
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length),
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length),
  };
}

export function x25519PrivateKeyObject(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new TypeError('X25519 private key must be 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
}

export function x25519PublicKeyObject(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new TypeError('X25519 public key must be 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function x25519PublicFromPrivate(privateRaw: Uint8Array): Buffer {
  return createPublicKey(x25519PrivateKeyObject(privateRaw)).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
}

/**
 * The raw X25519 shared secret. Refuses a low-order peer key (all-zero result, RFC 7748 §6.1), which
 * OpenSSL reports as a bare derivation failure; callers should still run the secret through a KDF.
 */
export function x25519SharedSecret(privateRaw: Uint8Array, publicRaw: Uint8Array): Buffer {
  const privateKey = x25519PrivateKeyObject(privateRaw);
  const publicKey = x25519PublicKeyObject(publicRaw);
  let secret: Buffer;
  try {
    secret = diffieHellman({ privateKey, publicKey });
  } catch {
    throw new X25519Error('LOW_ORDER_POINT', 'X25519 peer public key is a low-order point (shared secret would be zero)');
  }
  if (secret.every((b) => b === 0)) throw new X25519Error('LOW_ORDER_POINT', 'X25519 peer public key is a low-order point (shared secret would be zero)');
  return secret;
}
