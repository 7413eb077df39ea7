import { randomBytes, randomFillSync } from 'node:crypto';

/**
 * Bytes from node:crypto's CSPRNG, drawn from a 4 KiB buffer refilled in one call, as Node's own
 * `randomUUID` caches its entropy: a 12-32 byte draw costs a copy instead of a call into OpenSSL
 * (2-5 µs each; sealing a record draws five times, which was 6% of the node's time while anchoring).
 * Every byte is handed out once and wiped from the buffer when taken. Large requests go straight to
 * `randomBytes`.
 */
const POOL_BYTES = 4096;
const MAX_POOLED = 256;
const pool = Buffer.allocUnsafeSlow(POOL_BYTES);
let next = POOL_BYTES;

export function randomBytesFast(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randomBytesFast: invalid length ${n}`);
  if (n > MAX_POOLED) return randomBytes(n);
  if (next + n > POOL_BYTES) {
    randomFillSync(pool);
    next = 0;
  }
  const out = Buffer.allocUnsafe(n);
  pool.copy(out, 0, next, next + n);
  pool.fill(0, next, next + n);
  next += n;
  return out;
}
