import { createCipheriv, createDecipheriv, createHash, createPublicKey, hash, diffieHellman, generateKeyPairSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { GeneralJWE } from 'jose';
import { canonicalJson, type JsonValue } from './canonical-json.js';
import { JweError } from './errors.js';
import { randomBytesFast as randomBytes } from './random.js';
import { x25519PrivateKeyObject } from './x25519.js';

/**
 * Field encryption for several organisations at once: JWE general JSON serialisation (RFC 7516 §7.2.1),
 * ECDH-ES+A256KW over X25519 per recipient (RFC 7518 §4.6, RFC 8037), one A256GCM content key. Each
 * recipient entry's unprotected header carries its `kid` (e.g. an organisation id) and its own
 * ephemeral key; alg and enc sit in the integrity-protected header.
 *
 * Written on node:crypto because it is on the hot path (every anchored record is sealed to three or
 * more organisations): jose 6 runs on WebCrypto, about 2.5 ms a record here against ~0.3 ms. The
 * output has the shape jose writes; jwe.spec.ts checks that each opens the other's.
 */

export type { GeneralJWE };

const ALG = 'ECDH-ES+A256KW';
const ENC = 'A256GCM';

export interface JweRecipient {
  kid: string;
  /** Raw 32-byte X25519 public key. */
  publicKey: Uint8Array;
}

export interface JweRecipientKey {
  kid: string;
  /** Raw 32-byte X25519 private key. */
  privateKey: Uint8Array;
}

/** Bytes as-is; a string as raw UTF-8 (not JSON-quoted); anything else as canonical JSON (RFC 8785). */
export type JwePlaintext = Uint8Array | string | JsonValue;

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');

function plaintextBytes(plaintext: JwePlaintext): Uint8Array {
  if (plaintext instanceof Uint8Array) return plaintext;
  if (typeof plaintext === 'string') return Buffer.from(plaintext, 'utf8');
  return Buffer.from(canonicalJson(plaintext), 'utf8');
}

export async function encryptForRecipients(plaintext: JwePlaintext, recipients: readonly JweRecipient[], aad?: string): Promise<GeneralJWE> {
  return encryptForRecipientsSync(plaintext, recipients, aad);
}

/** The encryption itself, synchronous (node:crypto does the work inline): a fresh ephemeral key per recipient. */
export function encryptForRecipientsSync(plaintext: JwePlaintext, recipients: readonly JweRecipient[], aad?: string): GeneralJWE {
  checkRecipients(recipients);
  const cek = randomBytes(32);
  const entries = recipients.map((r) => {
    const ephemeral = newEphemeral(r.publicKey);
    return { encrypted_key: b64url(aesKeyWrap(concatKdf(ephemeral.z), cek)), header: { kid: r.kid, epk: ephemeral.epk } };
  });
  return contentEncrypt(cek, plaintext, aad, entries);
}

/**
 * Seals many values in a row (a batch of records) with one ephemeral key per recipient organisation
 * for the sealer's lifetime instead of one per recipient per value: the X25519 key generation and
 * agreement (~100 µs each recipient) are done once per organisation, not once per record.
 *
 * Each JWE is still a standard ECDH-ES+A256KW one that any implementation opens (jose included):
 * every recipient entry carries its `epk` and a random 16-byte `apu` (Agreement PartyUInfo, RFC 7518
 * §4.6.1.2), which enters the Concat KDF, so every JWE's key-encryption keys are distinct even
 * though the shared secret is reused; each content key is fresh. What reuse reveals is only that
 * two JWEs were sealed by the same sealer (they were: the same batch of the same issuer). The
 * ephemeral private keys live in this object only: drop it when the batch is done. After
 * `maxUsesPerKey` seals for one recipient a new ephemeral key is made.
 */
export class JweSealer {
  private readonly ephemerals = new Map<string, { epk: EphemeralPublicJwk; z: Buffer; uses: number }>();

  constructor(private readonly maxUsesPerKey = 10_000) {}

  seal(plaintext: JwePlaintext, recipients: readonly JweRecipient[], aad?: string): GeneralJWE {
    checkRecipients(recipients);
    const cek = randomBytes(32);
    const entries = recipients.map((r) => {
      const ephemeral = this.ephemeralFor(r.publicKey);
      const apu = randomBytes(16);
      return { encrypted_key: b64url(aesKeyWrap(concatKdf(ephemeral.z, apu), cek)), header: { kid: r.kid, epk: ephemeral.epk, apu: b64url(apu) } };
    });
    return contentEncrypt(cek, plaintext, aad, entries);
  }

  /** Forgets the ephemeral keys' shared secrets (the sealer can still be used: it makes new ones). */
  clear(): void {
    for (const e of this.ephemerals.values()) e.z.fill(0);
    this.ephemerals.clear();
  }

  private ephemeralFor(publicKey: Uint8Array) {
    const id = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('base64');
    let e = this.ephemerals.get(id);
    if (!e || e.uses >= this.maxUsesPerKey) {
      e = { ...newEphemeral(publicKey), uses: 0 };
      this.ephemerals.set(id, e);
    }
    e.uses += 1;
    return e;
  }
}

interface EphemeralPublicJwk {
  x: string;
  crv: 'X25519';
  kty: 'OKP';
}

/** A fresh X25519 key pair's public JWK and its shared secret with the recipient's key. */
function newEphemeral(recipientPublicKey: Uint8Array): { epk: EphemeralPublicJwk; z: Buffer } {
  const ephemeral = generateKeyPairSync('x25519');
  const z = sharedSecret(ephemeral.privateKey, recipientKey(recipientPublicKey));
  // The raw key from its SPKI DER, not export({ format: 'jwk' }): Node 20's JWK export holds the
  // key's mutex while it allocates, and a garbage collection then finalising this key's KeyGenJob
  // takes the same mutex, so the thread deadlocks (within a few thousand seals when the heap is
  // busy: the node hung so while filling bench lending-dashboard; jwe-gc.spec.ts).
  const x = b64url(ephemeral.publicKey.export({ format: 'der', type: 'spki' }).subarray(X25519_SPKI_PREFIX_LENGTH));
  return { epk: { x, crv: 'X25519', kty: 'OKP' }, z };
}

function checkRecipients(recipients: readonly JweRecipient[]): void {
  if (!Array.isArray(recipients) || recipients.length === 0) throw new JweError('NO_RECIPIENTS', 'JWE needs at least one recipient');
  const seen = new Set<string>();
  for (const r of recipients) {
    if (typeof r.kid !== 'string' || r.kid.length === 0) throw new JweError('INVALID_RECIPIENT', 'JWE recipient kid must be a non-empty string');
    if (seen.has(r.kid)) throw new JweError('INVALID_RECIPIENT', `JWE recipient kid "${r.kid}" appears twice`);
    seen.add(r.kid);
    if (!(r.publicKey instanceof Uint8Array) || r.publicKey.length !== 32) throw new JweError('INVALID_RECIPIENT', `JWE recipient "${r.kid}" public key must be 32 raw X25519 bytes`);
  }
}

function contentEncrypt(cek: Buffer, plaintext: JwePlaintext, aad: string | undefined, recipients: GeneralJWE['recipients']): GeneralJWE {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', cek, iv);
  const aadB64 = aad === undefined ? undefined : b64url(Buffer.from(aad, 'utf8'));
  cipher.setAAD(Buffer.from(aadB64 === undefined ? PROTECTED : `${PROTECTED}.${aadB64}`, 'ascii'));
  const ciphertext = Buffer.concat([cipher.update(plaintextBytes(plaintext)), cipher.final()]);
  cek.fill(0);
  return {
    ciphertext: b64url(ciphertext),
    iv: b64url(iv),
    tag: b64url(cipher.getAuthTag()),
    ...(aadB64 === undefined ? {} : { aad: aadB64 }),
    protected: PROTECTED,
    recipients,
  };
}

/** An X25519 public key's SPKI DER is this 12-byte header and the 32-byte key (RFC 8410). */
const X25519_SPKI_PREFIX_LENGTH = 12;

/** The protected header every Zizhu JWE carries: {"alg":"ECDH-ES+A256KW","enc":"A256GCM"}. */
const PROTECTED = b64url(Buffer.from(JSON.stringify({ alg: ALG, enc: ENC }), 'utf8'));

// Organisations' public keys recur on every record: their KeyObjects are kept (a bounded number).
const publicKeyObjects = new Map<string, KeyObject>();
function recipientKey(raw: Uint8Array): KeyObject {
  const id = Buffer.from(raw).toString('base64');
  let key = publicKeyObjects.get(id);
  if (!key) {
    if (publicKeyObjects.size >= 1024) publicKeyObjects.clear();
    key = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64url(raw) }, format: 'jwk' });
    publicKeyObjects.set(id, key);
  }
  return key;
}

// Importing a private key (PKCS#8) costs ~0.4 ms in OpenSSL 3, ten times the key agreement: an
// organisation's key opens many records, so its KeyObject is kept, found by a digest of the key.
const privateKeyObjects = new Map<string, KeyObject>();
function privateKeyObject(raw: Uint8Array): KeyObject {
  const id = createHash('sha256').update('zizhu:jwe-key-cache\n').update(raw).digest('base64');
  let key = privateKeyObjects.get(id);
  if (!key) {
    if (privateKeyObjects.size >= 256) privateKeyObjects.clear();
    key = x25519PrivateKeyObject(raw);
    privateKeyObjects.set(id, key);
  }
  return key;
}

/** X25519; an all-zero result (a low-order peer key, RFC 7748 §6.1) is refused. */
function sharedSecret(privateKey: KeyObject, publicKey: KeyObject): Buffer {
  let z: Buffer;
  try {
    z = diffieHellman({ privateKey, publicKey });
  } catch {
    throw new JweError('DECRYPTION_FAILED', 'X25519 key agreement failed (low-order key)');
  }
  if (z.every((b) => b === 0)) throw new JweError('DECRYPTION_FAILED', 'X25519 key agreement gave the all-zero secret');
  return z;
}

function u32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/**
 * RFC 7518 §4.6.2: Concat KDF (NIST SP 800-56A) with SHA-256 for ECDH-ES+A256KW (a 256-bit key);
 * OtherInfo = AlgorithmID || PartyUInfo (apu) || PartyVInfo (apv) || SuppPubInfo, each datum
 * length-prefixed.
 */
const KDF_ALGORITHM_ID = Buffer.concat([u32be(ALG.length), Buffer.from(ALG, 'ascii')]);
const NO_PARTY_INFO = new Uint8Array(0);
function concatKdf(z: Buffer, apu: Uint8Array = NO_PARTY_INFO, apv: Uint8Array = NO_PARTY_INFO): Buffer {
  // One round (a 256-bit key is one SHA-256 output): round 1 || Z || OtherInfo, laid out in one
  // buffer and hashed one-shot (a Hash object fed eight updates cost 3.2 µs against 1.6 µs, three
  // times for every record sealed to three organisations). The buffer holds Z: wiped after.
  const input = Buffer.allocUnsafe(4 + z.length + KDF_ALGORITHM_ID.length + 4 + apu.length + 4 + apv.length + 4);
  let at = input.writeUInt32BE(1, 0);
  input.set(z, at);
  at += z.length;
  input.set(KDF_ALGORITHM_ID, at);
  at = input.writeUInt32BE(apu.length, at + KDF_ALGORITHM_ID.length);
  input.set(apu, at);
  at = input.writeUInt32BE(apv.length, at + apu.length);
  input.set(apv, at);
  input.writeUInt32BE(256, at + apv.length);
  const kek = hash('sha256', input, 'buffer');
  input.fill(0);
  return kek;
}

/** RFC 3394 AES key wrap with its default IV (OpenSSL's id-aes256-wrap). */
const KW_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');
function aesKeyWrap(kek: Buffer, key: Buffer): Buffer {
  const c = createCipheriv('id-aes256-wrap', kek, KW_IV);
  return Buffer.concat([c.update(key), c.final()]);
}
function aesKeyUnwrap(kek: Buffer, wrapped: Buffer): Buffer {
  const d = createDecipheriv('id-aes256-wrap', kek, KW_IV);
  return Buffer.concat([d.update(wrapped), d.final()]);
}

function recipientEntries(jwe: unknown): GeneralJWE['recipients'] {
  if (typeof jwe !== 'object' || jwe === null || !Array.isArray((jwe as GeneralJWE).recipients)) throw new JweError('INVALID_JWE', 'not a general JSON serialisation JWE (no recipients array)');
  return (jwe as GeneralJWE).recipients;
}

/** The kids of a JWE's recipients, in order. The per-recipient header is not integrity-protected: treat as a hint. */
export function jweRecipients(jwe: GeneralJWE): string[] {
  return recipientEntries(jwe)
    .map((r) => r?.header?.kid)
    .filter((kid): kid is string => typeof kid === 'string');
}

export interface JweDecryptOptions {
  /** When given, the JWE's additional authenticated data must equal it (guards against replay into another context). */
  aad?: string;
}

/** Opens the recipient entry whose kid matches; JweError NOT_A_RECIPIENT if none, DECRYPTION_FAILED if the key or data is wrong. */
export async function decryptAsRecipient(jwe: GeneralJWE, recipient: JweRecipientKey, options: JweDecryptOptions = {}): Promise<Uint8Array> {
  const mine = recipientEntries(jwe).filter((r) => r?.header?.kid === recipient.kid);
  if (mine.length === 0) throw new JweError('NOT_A_RECIPIENT', `"${recipient.kid}" is not a recipient of this JWE`);
  if (!(recipient.privateKey instanceof Uint8Array) || recipient.privateKey.length !== 32) throw new JweError('INVALID_RECIPIENT', 'X25519 private key must be 32 raw bytes');
  const failed = () => new JweError('DECRYPTION_FAILED', `JWE decryption failed for "${recipient.kid}": wrong key, or tampered JWE`);
  const header = readProtectedHeader(jwe);
  if (header?.alg !== ALG || header.enc !== ENC || typeof jwe.iv !== 'string' || typeof jwe.tag !== 'string' || typeof jwe.ciphertext !== 'string') throw failed();
  const iv = fromB64url(jwe.iv);
  const tag = fromB64url(jwe.tag);
  const ciphertext = fromB64url(jwe.ciphertext);
  const aad = jwe.aad === undefined ? undefined : typeof jwe.aad === 'string' ? fromB64url(jwe.aad) : null;
  if (iv?.length !== 12 || tag?.length !== 16 || !ciphertext || aad === null) throw failed();
  const privateKey = privateKeyObject(recipient.privateKey);
  // As jose does: each entry labelled with this kid is tried (a relabelled entry fails to unwrap).
  for (const entry of mine) {
    const epk = entry.header?.epk as { kty?: unknown; crv?: unknown; x?: unknown } | undefined;
    const wrapped = typeof entry.encrypted_key === 'string' ? fromB64url(entry.encrypted_key) : undefined;
    if (!epk || epk.kty !== 'OKP' || epk.crv !== 'X25519' || typeof epk.x !== 'string' || wrapped?.length !== 40) continue;
    // apu/apv may sit in any part of the JOSE header (RFC 7516 §7.2.1: their union).
    const party = (name: 'apu' | 'apv'): Buffer | undefined | null => {
      const value = (entry.header as Record<string, unknown> | undefined)?.[name] ?? (jwe.unprotected as Record<string, unknown> | undefined)?.[name] ?? header?.[name];
      if (value === undefined) return undefined;
      return typeof value === 'string' ? (fromB64url(value) ?? null) : null;
    };
    const apu = party('apu');
    const apv = party('apv');
    if (apu === null || apv === null) continue;
    let plaintext: Buffer;
    try {
      const ephemeral = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: epk.x }, format: 'jwk' });
      const cek = aesKeyUnwrap(concatKdf(sharedSecret(privateKey, ephemeral), apu, apv), wrapped);
      const decipher = createDecipheriv('aes-256-gcm', cek, iv);
      decipher.setAAD(Buffer.from(jwe.aad === undefined ? jwe.protected! : `${jwe.protected!}.${jwe.aad}`, 'ascii'));
      decipher.setAuthTag(tag);
      plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      continue;
    }
    if (options.aad !== undefined && (!aad || !sameBytes(aad, Buffer.from(options.aad, 'utf8')))) {
      throw new JweError('AAD_MISMATCH', 'JWE additional authenticated data does not match the expected value');
    }
    return plaintext;
  }
  throw failed();
}

function readProtectedHeader(jwe: GeneralJWE): { alg?: unknown; enc?: unknown; apu?: unknown; apv?: unknown } | undefined {
  const bytes = typeof jwe.protected === 'string' ? fromB64url(jwe.protected) : undefined;
  if (!bytes) return undefined;
  try {
    const h = JSON.parse(bytes.toString('utf8')) as unknown;
    return typeof h === 'object' && h !== null ? (h as { alg?: unknown; enc?: unknown; apu?: unknown; apv?: unknown }) : undefined;
  } catch {
    return undefined;
  }
}

const B64URL = /^[A-Za-z0-9_-]*$/;
/** Strict base64url (no padding, no other characters), else undefined. */
function fromB64url(text: string): Buffer | undefined {
  if (!B64URL.test(text) || text.length % 4 === 1) return undefined;
  return Buffer.from(text, 'base64url');
}

const sameBytes = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

/** decryptAsRecipient, then JSON.parse of the UTF-8 plaintext. */
export async function decryptJson<T = unknown>(jwe: GeneralJWE, recipient: JweRecipientKey, options: JweDecryptOptions = {}): Promise<T> {
  const bytes = await decryptAsRecipient(jwe, recipient, options);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as T;
  } catch {
    throw new JweError('NOT_JSON', 'JWE plaintext is not UTF-8 JSON');
  }
}
