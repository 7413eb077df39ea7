import { GeneralEncrypt, generalDecrypt, importJWK, type GeneralJWE, type JWK } from 'jose';
import { canonicalJson, type JsonValue } from './canonical-json.js';
import { JweError } from './errors.js';
import { x25519PublicFromPrivate } from './x25519.js';

/**
 * Field encryption for several organisations at once: JWE general JSON serialisation (RFC 7516 §7.2.1),
 * ECDH-ES+A256KW over X25519 per recipient, one A256GCM content key. Each recipient entry's unprotected
 * header carries its `kid` (e.g. an organisation id); alg and enc sit in the integrity-protected header.
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
  if (!Array.isArray(recipients) || recipients.length === 0) throw new JweError('NO_RECIPIENTS', 'JWE needs at least one recipient');
  const seen = new Set<string>();
  for (const r of recipients) {
    if (typeof r.kid !== 'string' || r.kid.length === 0) throw new JweError('INVALID_RECIPIENT', 'JWE recipient kid must be a non-empty string');
    if (seen.has(r.kid)) throw new JweError('INVALID_RECIPIENT', `JWE recipient kid "${r.kid}" appears twice`);
    seen.add(r.kid);
    if (!(r.publicKey instanceof Uint8Array) || r.publicKey.length !== 32) throw new JweError('INVALID_RECIPIENT', `JWE recipient "${r.kid}" public key must be 32 raw X25519 bytes`);
  }
  const jwe = new GeneralEncrypt(plaintextBytes(plaintext)).setProtectedHeader({ alg: ALG, enc: ENC });
  if (aad !== undefined) jwe.setAdditionalAuthenticatedData(Buffer.from(aad, 'utf8'));
  for (const r of recipients) {
    const key = await importJWK({ kty: 'OKP', crv: 'X25519', x: b64url(r.publicKey) }, ALG);
    jwe.addRecipient(key).setUnprotectedHeader({ kid: r.kid });
  }
  return jwe.encrypt();
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
  const jwk: JWK = { kty: 'OKP', crv: 'X25519', x: b64url(x25519PublicFromPrivate(recipient.privateKey)), d: b64url(recipient.privateKey) };
  const key = await importJWK(jwk, ALG);
  let result: Awaited<ReturnType<typeof generalDecrypt>>;
  try {
    result = await generalDecrypt({ ...jwe, recipients: mine }, key, { keyManagementAlgorithms: [ALG], contentEncryptionAlgorithms: [ENC] });
  } catch {
    throw new JweError('DECRYPTION_FAILED', `JWE decryption failed for "${recipient.kid}": wrong key, or tampered JWE`);
  }
  if (options.aad !== undefined) {
    const got = result.additionalAuthenticatedData;
    if (!got || Buffer.from(got).toString('utf8') !== options.aad) throw new JweError('AAD_MISMATCH', 'JWE additional authenticated data does not match the expected value');
  }
  return result.plaintext;
}

/** decryptAsRecipient, then JSON.parse of the UTF-8 plaintext. */
export async function decryptJson<T = unknown>(jwe: GeneralJWE, recipient: JweRecipientKey, options: JweDecryptOptions = {}): Promise<T> {
  const bytes = await decryptAsRecipient(jwe, recipient, options);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as T;
  } catch {
    throw new JweError('NOT_JSON', 'JWE plaintext is not UTF-8 JSON');
  }
}
