/** Binary encodings used by the ledger formats: lowercase hex for hashes/ids, padded base64 for keys and signatures. */
export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

const HEX = /^(?:[0-9a-f]{2})*$/;
export function fromHex(hex: string): Buffer {
  if (!HEX.test(hex)) throw new TypeError('not lowercase hex');
  return Buffer.from(hex, 'hex');
}

export const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/** 6-bit value of each standard base64 character (RFC 4648 §4), -1 for any other code unit below 128. */
const B64_VALUE = new Int8Array(128).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) B64_VALUE[c.charCodeAt(0)] = i;

/**
 * How many bytes text[from, end) decodes to if it is padded standard base64 in its canonical
 * spelling (RFC 4648 §4, and §3.5: the unused bits before the padding are zero), else -1. Checked
 * by hand, without a regular expression or a copy of the range: `ledger verify` checks the key and
 * signature of every stored transaction with it.
 */
export function canonicalBase64Length(text: string, from = 0, end = text.length): number {
  const length = end - from;
  if (from < 0 || end > text.length || length % 4 !== 0) return -1;
  if (length === 0) return 0;
  const pad = text.charCodeAt(end - 1) !== 0x3d ? 0 : text.charCodeAt(end - 2) !== 0x3d ? 1 : 2;
  let v = 0;
  for (let i = from; i < end - pad; i++) {
    const c = text.charCodeAt(i);
    v = c < 128 ? B64_VALUE[c] : -1;
    if (v < 0) return -1;
  }
  // One '=' leaves 2 bits of the last character unused, two leave 4: they must be zero.
  if (pad > 0 && (v & (pad === 1 ? 0b11 : 0b1111)) !== 0) return -1;
  return (length / 4) * 3 - pad;
}

/**
 * Strict RFC 4648 §4 base64 with padding, in its canonical encoding: anything else is refused rather
 * than silently truncated, and a text that decodes to the same bytes as another (nonzero pad bits)
 * is refused, so a key or signature has one spelling and an edit to a stored one cannot go unseen.
 */
export function fromBase64(b64: string): Buffer {
  if (typeof b64 !== 'string' || canonicalBase64Length(b64) < 0) throw new TypeError('not padded standard base64');
  return Buffer.from(b64, 'base64');
}

export const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
