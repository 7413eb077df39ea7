import { describe, expect, it } from '@jest/globals';
import { randomBytesFast } from './random.js';

describe('randomBytesFast (CSPRNG bytes from a refilled buffer)', () => {
  it('gives the lengths asked for, pooled or not, and refuses invalid ones', () => {
    for (const n of [0, 1, 12, 16, 32, 256, 257, 5000]) expect(randomBytesFast(n)).toHaveLength(n);
    expect(() => randomBytesFast(-1)).toThrow(RangeError);
    expect(() => randomBytesFast(1.5)).toThrow(RangeError);
  });

  it('never hands out the same bytes twice, across many refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(randomBytesFast(16).toString('hex')); // ~78 refills
    expect(seen.size).toBe(20_000);
  });

  it('draws independent buffers: changing one leaves the next draw alone', () => {
    const a = randomBytesFast(32);
    const copy = Buffer.from(a);
    a.fill(0);
    const b = randomBytesFast(32);
    expect(b.equals(Buffer.alloc(32))).toBe(false);
    expect(b.equals(copy)).toBe(false);
  });

  it('looks uniform: each bit set about half the time over 64 KiB (a coarse sanity check, not a test of the CSPRNG)', () => {
    let ones = 0;
    let bits = 0;
    for (let i = 0; i < 4096; i++) {
      for (const byte of randomBytesFast(16)) {
        for (let k = 0; k < 8; k++) ones += (byte >> k) & 1;
        bits += 8;
      }
    }
    // 524,288 bits: the standard deviation of the count is ~362; 10 of them is far beyond chance.
    expect(Math.abs(ones - bits / 2)).toBeLessThan(3620);
  });
});
