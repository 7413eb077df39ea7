import { sha256 } from '@zizhu/crypto';

/** 96 bits of SHA-256(signer ":" nonce): the identity of a nonce use, as SQL computes it too. */
export function nonceDigest(signer: string, nonce: string): Buffer {
  return sha256(`${signer}:${nonce}`).subarray(0, 12);
}

/**
 * An open-addressing set of 96-bit digests in one Uint32Array (12 bytes a slot, load ≤ 1/2):
 * a Map of 97-character strings costs ~170 bytes an entry, this ~24.
 */
class DigestSet {
  private slots: Uint32Array;
  private count = 0;

  constructor(capacity = 1024) {
    this.slots = new Uint32Array(capacity * 3);
  }

  get size(): number {
    return this.count;
  }

  /** Adds the digest; false when it was already there. */
  add(d: Buffer): boolean {
    if ((this.count + 1) * 2 > this.slots.length / 3) this.grow();
    return this.insert(d.readUInt32LE(0) || 1, d.readUInt32LE(4), d.readUInt32LE(8));
  }

  has(d: Buffer): boolean {
    const a = d.readUInt32LE(0) || 1;
    const b = d.readUInt32LE(4);
    const c = d.readUInt32LE(8);
    const cap = this.slots.length / 3;
    for (let i = a % cap; ; i = (i + 1) % cap) {
      const s = i * 3;
      if (this.slots[s] === 0) return false;
      if (this.slots[s] === a && this.slots[s + 1] === b && this.slots[s + 2] === c) return true;
    }
  }

  delete(d: Buffer): void {
    // Rebuild without it: deletions are rare (a refused or failed order), tables are small then.
    const keep: [number, number, number][] = [];
    const a = d.readUInt32LE(0) || 1;
    const b = d.readUInt32LE(4);
    const c = d.readUInt32LE(8);
    for (let s = 0; s < this.slots.length; s += 3) {
      if (this.slots[s] !== 0 && !(this.slots[s] === a && this.slots[s + 1] === b && this.slots[s + 2] === c)) keep.push([this.slots[s], this.slots[s + 1], this.slots[s + 2]]);
    }
    if (keep.length === this.count) return;
    this.slots = new Uint32Array(this.slots.length);
    this.count = 0;
    for (const [x, y, z] of keep) this.insert(x, y, z);
  }

  private insert(a: number, b: number, c: number): boolean {
    const cap = this.slots.length / 3;
    for (let i = a % cap; ; i = (i + 1) % cap) {
      const s = i * 3;
      if (this.slots[s] === 0) {
        this.slots[s] = a;
        this.slots[s + 1] = b;
        this.slots[s + 2] = c;
        this.count++;
        return true;
      }
      if (this.slots[s] === a && this.slots[s + 1] === b && this.slots[s + 2] === c) return false;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.count = 0;
    for (let s = 0; s < old.length; s += 3) if (old[s] !== 0) this.insert(old[s], old[s + 1], old[s + 2]);
  }
}

const BUCKET_MS = 60_000;

/**
 * The (signer, nonce) pairs a channel has accepted, kept only as long as a replay could pass the
 * clock check: a transaction is accepted while |ts - now| ≤ skew, so its nonce is remembered in the
 * bucket of its ts minute until that minute is more than `skew` in the past.
 */
export class NonceWindow {
  private readonly buckets = new Map<number, DigestSet>();

  constructor(private readonly skewMs: number) {}

  get size(): number {
    let n = 0;
    for (const b of this.buckets.values()) n += b.size;
    return n;
  }

  has(digest: Buffer): boolean {
    for (const b of this.buckets.values()) if (b.has(digest)) return true;
    return false;
  }

  /** Records a use; false if it was already recorded. */
  add(digest: Buffer, ts: number, now: number): boolean {
    if (this.has(digest)) return false;
    this.prune(now);
    const key = Math.floor(ts / BUCKET_MS);
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = new DigestSet()));
    return bucket.add(digest);
  }

  delete(digest: Buffer): void {
    for (const b of this.buckets.values()) if (b.has(digest)) b.delete(digest);
  }

  private prune(now: number): void {
    for (const key of this.buckets.keys()) if ((key + 1) * BUCKET_MS < now - this.skewMs) this.buckets.delete(key);
  }
}
