import { describe, it, expect } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { NonceWindow, nonceDigest } from './nonce-window.js';

describe('NonceWindow', () => {
  const skew = 5 * 60_000;
  const t0 = 1_763_712_000_000;

  it('refuses a second use of the same (signer, nonce) and accepts other pairs', () => {
    const w = new NonceWindow(skew);
    const signer = 'ab'.repeat(32);
    expect(w.add(nonceDigest(signer, '00'.repeat(16)), t0, t0)).toBe(true);
    expect(w.add(nonceDigest(signer, '00'.repeat(16)), t0 + 1000, t0 + 1000)).toBe(false);
    expect(w.add(nonceDigest('cd'.repeat(32), '00'.repeat(16)), t0, t0)).toBe(true);
    expect(w.add(nonceDigest(signer, '01'.repeat(16)), t0, t0)).toBe(true);
  });

  it('keeps 100,000 uses exactly (growth keeps every entry)', () => {
    const w = new NonceWindow(skew);
    const digests = Array.from({ length: 100_000 }, () => randomBytes(12));
    for (const d of digests) expect(w.add(d, t0, t0)).toBe(true);
    expect(w.size).toBe(100_000);
    for (const d of digests.slice(0, 1000)) expect(w.has(d)).toBe(true);
    expect(w.has(randomBytes(12))).toBe(false);
  });

  it('forgets a use only once no replay of it could pass the clock check', () => {
    const w = new NonceWindow(skew);
    const d = randomBytes(12);
    w.add(d, t0, t0);
    // A replay is possible while now ≤ ts + skew: still remembered then.
    w.add(randomBytes(12), t0 + skew, t0 + skew);
    expect(w.has(d)).toBe(true);
    // Well after ts + skew (its minute bucket is past): forgotten, memory returned.
    w.add(randomBytes(12), t0 + skew + 2 * 60_000, t0 + skew + 2 * 60_000);
    expect(w.has(d)).toBe(false);
  });

  it('deletes a use (an order that failed may be submitted again)', () => {
    const w = new NonceWindow(skew);
    const a = randomBytes(12);
    const b = randomBytes(12);
    w.add(a, t0, t0);
    w.add(b, t0, t0);
    w.delete(a);
    expect(w.has(a)).toBe(false);
    expect(w.has(b)).toBe(true);
  });
});
