import { createHash } from 'node:crypto';

/** SHA-256 of the concatenation of its parts (node:crypto; the hot path). */
export function sha256(...parts: (Uint8Array | string)[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

export const sha256Hex = (...parts: (Uint8Array | string)[]): string => sha256(...parts).toString('hex');
