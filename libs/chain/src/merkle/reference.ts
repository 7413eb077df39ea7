import { sha256 } from '@zizhu/crypto';

/**
 * RFC 9162 §2.1 transcribed literally (recursion over the leaf list, hashing everything from
 * scratch). Slow on purpose and used only by tests as the oracle for the stored-node code.
 */

const hashLeaf = (d: Uint8Array): Buffer => sha256(Buffer.from([0x00]), d);
const hashChildren = (l: Uint8Array, r: Uint8Array): Buffer => sha256(Buffer.from([0x01]), l, r);

/** The largest power of two smaller than n (n > 1). */
function k(n: number): number {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
}

/** §2.1.1 MTH(D[n]). */
export function referenceRoot(d: readonly Uint8Array[]): Buffer {
  const n = d.length;
  if (n === 0) return sha256('');
  if (n === 1) return hashLeaf(d[0]);
  return hashChildren(referenceRoot(d.slice(0, k(n))), referenceRoot(d.slice(k(n))));
}

/** §2.1.3.1 PATH(m, D[n]). */
export function referencePath(m: number, d: readonly Uint8Array[]): Buffer[] {
  const n = d.length;
  if (m < 0 || m >= n) throw new RangeError('PATH needs 0 <= m < n');
  if (n === 1) return [];
  if (m < k(n)) return [...referencePath(m, d.slice(0, k(n))), referenceRoot(d.slice(k(n)))];
  return [...referencePath(m - k(n), d.slice(k(n))), referenceRoot(d.slice(0, k(n)))];
}

/** §2.1.4.1 SUBPROOF(m, D[n], b). */
function subproof(m: number, d: readonly Uint8Array[], b: boolean): Buffer[] {
  const n = d.length;
  if (m === n) return b ? [] : [referenceRoot(d)];
  if (m <= k(n)) return [...subproof(m, d.slice(0, k(n)), b), referenceRoot(d.slice(k(n)))];
  return [...subproof(m - k(n), d.slice(k(n)), false), referenceRoot(d.slice(0, k(n)))];
}

/** §2.1.4.1 PROOF(m, D[n]) = SUBPROOF(m, D[n], true), defined for 0 < m <= n. */
export function referenceConsistency(m: number, d: readonly Uint8Array[]): Buffer[] {
  if (m <= 0 || m > d.length) throw new RangeError('PROOF needs 0 < m <= n');
  return subproof(m, d, true);
}
