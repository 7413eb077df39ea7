import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import { lowerThreadPrioritySource } from './thread-priority.js';

/**
 * Ed25519 on node:crypto, with libsodium (sodium-native, prebuilt inside its npm package) as the
 * verification backend when it loads: on this 2-core machine it verifies ~19,800 signatures/s per
 * core against node:crypto's ~9,500, and verification is the ceiling of every ledger pipeline.
 * Both backends sit behind the same strict pre-checks (canonical S, no small-order R or A), so
 * every node accepts exactly the same signatures whichever backend it loaded.
 */

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface Ed25519KeyPair {
  /** 32-byte seed (RFC 8032 private key). */
  privateKey: Buffer;
  /** 32-byte raw public key. */
  publicKey: Buffer;
}

export function generateEd25519(): Ed25519KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length),
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length),
  };
}

export function ed25519PrivateKeyObject(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new TypeError('Ed25519 private key must be 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

export function ed25519PublicKeyObject(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new TypeError('Ed25519 public key must be 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function ed25519PublicKeyFromPrivate(seed: Uint8Array): Buffer {
  return createPublicKey(ed25519PrivateKeyObject(seed)).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
}

/**
 * A signer that caches its parsed key (parsing costs as much as a signature). Signs with libsodium
 * when it is loaded (~27 µs a signature here against node:crypto's ~44 µs: the node signs every
 * transaction it submits on a user's behalf); Ed25519 signatures are deterministic (RFC 8032), so
 * both backends give the same bytes (ed25519.spec.ts checks it).
 */
export class Ed25519Signer {
  private readonly key: KeyObject;
  /** libsodium's secret key: seed || public key. */
  private readonly sodiumKey: Buffer | undefined;
  readonly publicKey: Buffer;
  constructor(seed: Uint8Array) {
    this.key = ed25519PrivateKeyObject(seed);
    this.publicKey = ed25519PublicKeyFromPrivate(seed);
    this.sodiumKey = sodium ? Buffer.concat([seed, this.publicKey]) : undefined;
  }
  sign(message: Uint8Array): Buffer {
    if (this.sodiumKey) {
      const signature = Buffer.allocUnsafe(64);
      sodium!.crypto_sign_detached(signature, message, this.sodiumKey);
      return signature;
    }
    return sign(null, message, this.key);
  }
}

export function ed25519Sign(seed: Uint8Array, message: Uint8Array): Buffer {
  return sign(null, message, ed25519PrivateKeyObject(seed));
}

// Group order L, little-endian, for the canonical-S check.
const L = Buffer.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex');

// libsodium's small-order blocklist (ge25519_has_small_order): the y-coordinates of the eight small-order
// points, plus the non-canonical y = p and y = p + 1. Compared with the sign bit cleared, as libsodium does,
// so both x signs (e.g. 26e8..05 and 26e8..85) are refused; OpenSSL alone accepts forgeries under them.
const SMALL_ORDER_Y = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((h) => Buffer.from(h, 'hex'));

function isSmallOrder(point: Uint8Array): boolean {
  return SMALL_ORDER_Y.some((p) => {
    for (let i = 0; i < 31; i++) if (p[i] !== point[i]) return false;
    return p[31] === (point[31] & 0x7f);
  });
}

/** y < p (libsodium's ge25519_is_canonical); OpenSSL silently reduces a non-canonical y. */
function isCanonicalPoint(point: Uint8Array): boolean {
  if ((point[31] & 0x7f) !== 0x7f) return true;
  for (let i = 30; i > 0; i--) if (point[i] !== 0xff) return true;
  return point[0] < 0xed;
}

function isCanonicalScalar(s: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    if (s[i] < L[i]) return true;
    if (s[i] > L[i]) return false;
  }
  return false; // s == L
}

/** The checks every backend applies before the curve equation: RFC 8032 §5.1.7 plus libsodium's canonical-A and small-order refusals. */
export function ed25519PreCheck(publicKey: Uint8Array, signature: Uint8Array): boolean {
  return (
    publicKey.length === 32 &&
    signature.length === 64 &&
    isCanonicalScalar(signature.subarray(32)) &&
    isCanonicalPoint(publicKey) &&
    !isSmallOrder(publicKey) &&
    !isSmallOrder(signature.subarray(0, 32))
  );
}

interface Sodium {
  crypto_sign_verify_detached(sig: Uint8Array, msg: Uint8Array, pk: Uint8Array): boolean;
  crypto_sign_detached(sig: Uint8Array, msg: Uint8Array, sk: Uint8Array): void;
}

function loadSodium(): Sodium | null {
  if (process.env.ZIZHU_ED25519_BACKEND === 'node') return null;
  try {
    return createRequire(import.meta.url)('sodium-native') as Sodium;
  } catch {
    return null;
  }
}

const sodium = loadSodium();

/** Which backend verifies: 'sodium' (libsodium) or 'node' (OpenSSL via node:crypto). */
export const ed25519VerifyBackend: 'sodium' | 'node' = sodium ? 'sodium' : 'node';

const keyCache = new Map<string, KeyObject>();
function cachedPublicKey(raw: Uint8Array): KeyObject {
  const id = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
  let key = keyCache.get(id);
  if (!key) {
    if (keyCache.size > 10_000) keyCache.clear();
    key = ed25519PublicKeyObject(raw);
    keyCache.set(id, key);
  }
  return key;
}

/** Verify with node:crypto (OpenSSL) behind the strict pre-checks. */
export function ed25519VerifyNode(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!ed25519PreCheck(publicKey, signature)) return false;
  try {
    return verify(null, message, cachedPublicKey(publicKey), signature);
  } catch {
    return false;
  }
}

/** Verify an Ed25519 signature (raw 32-byte key, 64-byte signature) on the fastest loaded backend. */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!sodium) return ed25519VerifyNode(publicKey, message, signature);
  if (!ed25519PreCheck(publicKey, signature)) return false;
  return sodium.crypto_sign_verify_detached(signature, message, publicKey);
}

/**
 * Verifies a packed batch, the one format signature workers receive: per signature a u32
 * (big-endian) message length, the 32-byte key, the 64-byte signature and the message, end to end
 * (views, no copies). One answer byte per signature: 1 verifies, 0 does not. Serialised into the
 * worker script as well, so the workers and an inline caller read the format the same way.
 */
export function verifyPacked(packed: Buffer, count: number, verifyOne: (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array) => boolean = ed25519Verify): Uint8Array {
  const ok = new Uint8Array(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const len = packed.readUInt32BE(at);
    ok[i] = verifyOne(packed.subarray(at + 4, at + 36), packed.subarray(at + 100, at + 100 + len), packed.subarray(at + 36, at + 100)) ? 1 : 0;
    at += 100 + len;
  }
  return ok;
}

/**
 * Source of a worker_threads script (eval mode, CommonJS) that verifies batches with exactly the
 * checks above: the pre-check functions are serialised from this module, not rewritten. With `nice`
 * (1-19) the worker first lowers its own scheduling priority (lowerThreadPriority).
 */
export function ed25519VerifyWorkerSource(nice = 0): string {
  let sodiumPath: string | null = null;
  if (sodium) {
    try {
      sodiumPath = createRequire(import.meta.url).resolve('sodium-native');
    } catch {
      sodiumPath = null;
    }
  }
  return `
${lowerThreadPrioritySource(nice)}const { parentPort } = require('node:worker_threads');
const nodeCrypto = require('node:crypto');
const L = Buffer.from('${L.toString('hex')}', 'hex');
const SMALL_ORDER_Y = ${JSON.stringify(SMALL_ORDER_Y.map((b) => b.toString('hex')))}.map((h) => Buffer.from(h, 'hex'));
${isSmallOrder.toString()}
${isCanonicalPoint.toString()}
${isCanonicalScalar.toString()}
${ed25519PreCheck.toString()}
let sodium = null;
try { if (${JSON.stringify(sodiumPath)}) sodium = require(${JSON.stringify(sodiumPath)}); } catch { sodium = null; }
const SPKI = Buffer.from('${SPKI_PREFIX.toString('hex')}', 'hex');
const keys = new Map();
function verifyOne(pub, msg, sig) {
  if (!ed25519PreCheck(pub, sig)) return false;
  if (sodium) return sodium.crypto_sign_verify_detached(sig, msg, pub);
  const id = Buffer.from(pub).toString('base64');
  let key = keys.get(id);
  if (!key) { if (keys.size > 10000) keys.clear(); key = nodeCrypto.createPublicKey({ key: Buffer.concat([SPKI, pub]), format: 'der', type: 'spki' }); keys.set(id, key); }
  try { return nodeCrypto.verify(null, msg, key, sig); } catch { return false; }
}
${verifyPacked.toString()}
parentPort.on('message', (m) => {
  const ok = verifyPacked(Buffer.from(m.packed), m.count, verifyOne);
  parentPort.postMessage({ id: m.id, ok }, [ok.buffer]);
});
`;
}
