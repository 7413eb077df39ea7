/** Binary encodings used by the ledger formats: lowercase hex for hashes/ids, padded base64 for keys and signatures. */
export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

const HEX = /^(?:[0-9a-f]{2})*$/;
export function fromHex(hex: string): Buffer {
  if (!HEX.test(hex)) throw new TypeError('not lowercase hex');
  return Buffer.from(hex, 'hex');
}

export const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/** Padded base64 whose unused bits before the padding are zero (RFC 4648 §3.5, canonical encoding). */
const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$/;
/**
 * Strict RFC 4648 §4 base64 with padding, in its canonical encoding: anything else is refused rather
 * than silently truncated, and a text that decodes to the same bytes as another (nonzero pad bits)
 * is refused, so a key or signature has one spelling and an edit to a stored one cannot go unseen.
 */
export function fromBase64(b64: string): Buffer {
  if (typeof b64 !== 'string' || !B64.test(b64)) throw new TypeError('not padded standard base64');
  return Buffer.from(b64, 'base64');
}

export const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
