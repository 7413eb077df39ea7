import { EMPTY_ROOT, HASH_SIZE, nodeHash } from './hashes.js';
import { assertTreeSize, decompose, foldRight, isPowerOfTwo, nodeKey, splitPoint, type NodeId } from './tree-math.js';

/**
 * A proof plan: for each proof element, in RFC 9162 order, the perfect nodes whose right fold is
 * that element. Planning is pure arithmetic so a store can fetch every node in one batched read.
 *
 * Cost: the recursion below descends one level per element, so a plan has at most ceil(log2 n)
 * elements (+1 for a consistency proof's final MTH(D[0:m])). Only one element can span several
 * nodes: the first time the recursion keeps the left subtree it hashes the right remainder
 * D[k:n], whose pieces are the one bits of n-k (< ceil(log2 n)); from then on every subtree is
 * perfect. So a plan reads at most 2*ceil(log2 n) + 1 distinct nodes, all with leafEnd <= n
 * (for n = 1,000,000 the worst plans read 25 nodes for inclusion and 26 for consistency).
 */
export type ProofPlan = NodeId[][];

/** RFC 9162 §2.1.3.1 PATH(m, D[n]) for m = leafIndex, n = treeSize. */
export function inclusionProofPlan(leafIndex: number, treeSize: number): ProofPlan {
  assertTreeSize(treeSize);
  assertTreeSize(leafIndex, 'leaf index');
  if (leafIndex >= treeSize) throw new RangeError(`leaf index ${leafIndex} is outside a tree of size ${treeSize}`);
  // Walk the recursion top-down over the subtree [start, start + n); PATH lists elements bottom-up.
  const topDown: ProofPlan = [];
  let m = leafIndex;
  let start = 0;
  let n = treeSize;
  while (n > 1) {
    const k = splitPoint(n);
    if (m < k) {
      topDown.push(decompose(start + k, start + n));
      n = k;
    } else {
      topDown.push(decompose(start, start + k));
      m -= k;
      start += k;
      n -= k;
    }
  }
  return topDown.reverse();
}

/**
 * RFC 9162 §2.1.4.1 PROOF(m, D[n]) = SUBPROOF(m, D[n], true). The RFC defines it for 0 < m < n;
 * here m = 0 and m = n give the empty proof (both are consistent with any later tree).
 */
export function consistencyProofPlan(m: number, n: number): ProofPlan {
  assertTreeSize(m, 'first tree size');
  assertTreeSize(n, 'second tree size');
  if (m > n) throw new RangeError(`first tree size ${m} exceeds second tree size ${n}`);
  if (m === 0 || m === n) return [];
  const topDown: ProofPlan = [];
  let start = 0;
  let size = n;
  let sub = m;
  let whole = true; // the RFC's b: still on the left edge, where MTH(D[0:m]) is known to the verifier
  while (sub !== size) {
    const k = splitPoint(size);
    if (sub <= k) {
      topDown.push(decompose(start + k, start + size));
      size = k;
    } else {
      topDown.push(decompose(start, start + k));
      sub -= k;
      start += k;
      size -= k;
      whole = false;
    }
  }
  // SUBPROOF(m, D[m], false) = {MTH(D[m])}: the recursion only stops on a perfect subtree.
  const tail = whole ? [] : [decompose(start, start + size)];
  return [...tail, ...topDown.reverse()];
}

/** The distinct nodes a plan reads, in first-use order (for one batched read). */
export function planNodes(plan: ProofPlan): NodeId[] {
  const seen = new Map<string, NodeId>();
  for (const element of plan) for (const node of element) if (!seen.has(nodeKey(node))) seen.set(nodeKey(node), node);
  return [...seen.values()];
}

/** Turns a plan into proof hashes, given the stored hash of every node it names. */
export function assembleProof(plan: ProofPlan, lookup: (node: NodeId) => Buffer): Buffer[] {
  return plan.map((element) => foldRight(element.map(lookup)));
}

const isHash = (b: unknown): b is Buffer => Buffer.isBuffer(b) && b.length === HASH_SIZE;
const isSize = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

/**
 * RFC 9162 §2.1.3.2: the root that `proof` leads to from `leafHash` at `leafIndex` in a tree of
 * `treeSize`, or null when the proof cannot belong to that position (wrong length or shape).
 */
export function rootFromInclusion(leafHash: Buffer, leafIndex: number, treeSize: number, proof: readonly Buffer[]): Buffer | null {
  if (!isSize(leafIndex) || !isSize(treeSize) || leafIndex >= treeSize) return null;
  if (!isHash(leafHash) || !proof.every(isHash)) return null;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

export function verifyInclusion(leafHash: Buffer, leafIndex: number, treeSize: number, proof: readonly Buffer[], root: Buffer): boolean {
  if (!isHash(root)) return false;
  const computed = rootFromInclusion(leafHash, leafIndex, treeSize, proof);
  return computed !== null && computed.equals(root);
}

/**
 * RFC 9162 §2.1.4.2 for 0 < m < n. Edge cases: m = n needs an empty proof and equal roots;
 * m = 0 needs an empty proof and rootM = EMPTY_ROOT (the only root a size-0 tree has), and is then
 * consistent with any rootN. Every hash must be 32 bytes.
 */
export function verifyConsistency(m: number, n: number, proof: readonly Buffer[], rootM: Buffer, rootN: Buffer): boolean {
  if (!isSize(m) || !isSize(n) || m > n) return false;
  if (!isHash(rootM) || !isHash(rootN) || !proof.every(isHash)) return false;
  if (m === 0) return proof.length === 0 && rootM.equals(EMPTY_ROOT);
  if (m === n) return proof.length === 0 && rootM.equals(rootN);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(m) ? [rootM, ...proof] : [...proof];
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(rootM) && sr.equals(rootN);
}
