import { createHash, hash } from 'node:crypto';

/**
 * SHA-256 of the concatenation of its parts (node:crypto; the hot path). One part goes through the
 * one-shot `crypto.hash`, about twice as fast as a Hash object for ledger-sized inputs.
 */
export function sha256(...parts: (Uint8Array | string)[]): Buffer {
  if (parts.length === 1) return hash('sha256', parts[0] as Buffer | string, 'buffer');
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

export function sha256Hex(...parts: (Uint8Array | string)[]): string {
  if (parts.length === 1) return hash('sha256', parts[0] as Buffer | string, 'hex');
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** Digest algorithms a document may be anchored under: SHA-256, and SM3 (GB/T 32905) for Chinese issuers. */
export const DOCUMENT_DIGEST_ALGS = ['sha256', 'sm3'] as const;
export type DocumentDigestAlg = (typeof DOCUMENT_DIGEST_ALGS)[number];

/** Lowercase hex digest of a document's bytes under `alg` (SM3 through node:crypto's OpenSSL). */
export function documentDigestHex(alg: DocumentDigestAlg, data: Uint8Array | string): string {
  if (!DOCUMENT_DIGEST_ALGS.includes(alg)) throw new TypeError(`unsupported document digest algorithm ${JSON.stringify(alg)}`);
  return hash(alg, data as Buffer | string, 'hex');
}
