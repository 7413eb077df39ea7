import { nodeHash } from './hashes.js';

/**
 * A perfect (complete, aligned) subtree: level `level` covers the 2^level leaves
 * [index * 2^level, (index + 1) * 2^level). Only such nodes are ever stored.
 */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

// Levels beyond 52 cannot address leaves with exact JS numbers.
const MAX_LEVEL = 52;

/** Throws unless `n` is a tree size or leaf position: a non-negative safe integer. */
export function assertTreeSize(n: number, what = 'tree size'): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative safe integer, got ${n}`);
}

export function assertNodeId(node: NodeId): void {
  if (!Number.isInteger(node.level) || node.level < 0 || node.level > MAX_LEVEL) {
    throw new RangeError(`node level must be an integer in [0, ${MAX_LEVEL}], got ${node.level}`);
  }
  assertTreeSize(node.index, 'node index');
  assertTreeSize(leafEndUnchecked(node), 'node leaf end');
}

/** Number of leaves under a node of this level. */
export const width = (level: number): number => 2 ** level;

/** First leaf covered by the node. */
export const leafStart = (node: NodeId): number => node.index * width(node.level);

const leafEndUnchecked = (node: NodeId): number => (node.index + 1) * width(node.level);

/**
 * One past the last leaf covered by the node. Together with the level it is a bijective key, and
 * sorting by (leafEnd, level) lists nodes in the order appends complete them.
 */
export function leafEnd(node: NodeId): number {
  assertNodeId(node);
  return leafEndUnchecked(node);
}

/** Inverse of leafEnd: the node of `level` whose range ends at `end`. */
export function nodeFromLeafEnd(end: number, level: number): NodeId {
  if (!Number.isInteger(level) || level < 0 || level > MAX_LEVEL) throw new RangeError(`bad node level ${level}`);
  assertTreeSize(end, 'leaf end');
  const w = width(level);
  if (end === 0 || end % w !== 0) throw new RangeError(`no node of level ${level} ends at leaf ${end}`);
  return { level, index: end / w - 1 };
}

/** A stable string key for maps and de-duplication. */
export const nodeKey = (node: NodeId): string => `${node.level}:${node.index}`;

/** Largest power of two strictly below n (n >= 2): where RFC 9162 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  if (!(n >= 2)) throw new RangeError(`a tree of ${n} leaves has no split point`);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  if (!(n >= 1)) return false;
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}

/** Number of one bits of a non-negative safe integer (bitwise operators stop at 32 bits). */
export function popCount(n: number): number {
  let count = 0;
  for (let v = n; v > 0; v = Math.floor(v / 2)) count += v % 2;
  return count;
}

/** ceil(log2 n) for n >= 1. */
export function ceilLog2(n: number): number {
  let bits = 0;
  for (let k = 1; k < n; k *= 2) bits++;
  return bits;
}

/**
 * The perfect subtrees that tile [start, end) the way RFC 9162 splits that range: one piece per one
 * bit of the length, left to right, largest first (MTH of the range = foldRight of their hashes).
 * Every range that an RFC proof or root hashes has all these pieces aligned; any other range throws,
 * because its pieces would not be stored nodes.
 */
export function decompose(start: number, end: number): NodeId[] {
  assertTreeSize(start, 'range start');
  assertTreeSize(end, 'range end');
  if (start > end) throw new RangeError(`empty-or-negative range [${start}, ${end})`);
  const nodes: NodeId[] = [];
  let remaining = end - start;
  let level = 0;
  while (width(level + 1) <= remaining) level++;
  let pos = start;
  for (; remaining > 0; level--) {
    const w = width(level);
    if (w > remaining) continue;
    if (pos % w !== 0) throw new RangeError(`range [${start}, ${end}) does not split into aligned subtrees`);
    nodes.push({ level, index: pos / w });
    pos += w;
    remaining -= w;
  }
  return nodes;
}

/** MTH of a range from the hashes of its decompose() pieces: h0 ⊕ (h1 ⊕ (h2 ⊕ ...)). */
export function foldRight(hashes: readonly Buffer[]): Buffer {
  if (hashes.length === 0) throw new RangeError('cannot fold an empty list of hashes');
  let acc = hashes[hashes.length - 1];
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i], acc);
  return acc;
}
