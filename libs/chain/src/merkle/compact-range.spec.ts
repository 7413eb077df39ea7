import { describe, expect, it } from '@jest/globals';
import { sha256 } from '@zizhu/crypto';
import { CompactRange } from './compact-range.js';
import { EMPTY_ROOT, leafHash } from './hashes.js';
import { referenceRoot } from './reference.js';
import { leafEnd, type NodeId } from './tree-math.js';

const leaves = Array.from({ length: 40 }, (_, i) => sha256('compact-range', String(i)));

describe('CompactRange', () => {
  it('starts empty with the empty root', () => {
    const range = CompactRange.empty();
    expect(range.size).toBe(0);
    expect(range.hashes()).toEqual([]);
    expect(range.root()).toEqual(EMPTY_ROOT);
  });

  it('reports every completed node once, in (leafEnd, level) order, leaf first', () => {
    const range = CompactRange.empty();
    const seen: NodeId[] = [];
    for (const leaf of leaves.slice(0, 8)) range.append(leafHash(leaf), (node) => seen.push(node));
    expect(seen.map((n) => `${n.level}:${n.index}`)).toEqual(
      ['0:0', '0:1', '1:0', '0:2', '0:3', '1:1', '2:0', '0:4', '0:5', '1:2', '0:6', '0:7', '1:3', '2:1', '3:0'],
    );
    const order = seen.map((n) => leafEnd(n) * 64 + n.level);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('keeps the frontier of decompose(0, size) and the RFC root at every size', () => {
    const range = CompactRange.empty();
    leaves.forEach((leaf, i) => {
      range.append(leafHash(leaf));
      expect(range.root()).toEqual(referenceRoot(leaves.slice(0, i + 1)));
      expect(range.hashes()).toHaveLength(range.nodes().length);
    });
  });

  it('restores from a stored frontier and validates it', () => {
    const range = CompactRange.empty();
    for (const leaf of leaves.slice(0, 21)) range.append(leafHash(leaf));
    const restored = CompactRange.from(21, range.hashes());
    expect(restored.root()).toEqual(range.root());
    restored.append(leafHash(leaves[21]));
    expect(restored.root()).toEqual(referenceRoot(leaves.slice(0, 22)));
    expect(() => CompactRange.from(21, range.hashes().slice(1))).toThrow(RangeError);
    expect(() => CompactRange.from(-1, [])).toThrow(RangeError);
    expect(() => CompactRange.from(1, [Buffer.alloc(31)])).toThrow(TypeError);
  });

  it('clones independently and does not expose its internals', () => {
    const range = CompactRange.empty();
    for (const leaf of leaves.slice(0, 5)) range.append(leafHash(leaf));
    const copy = range.clone();
    copy.append(leafHash(leaves[5]));
    expect(range.size).toBe(5);
    expect(copy.size).toBe(6);
    expect(range.root()).toEqual(referenceRoot(leaves.slice(0, 5)));
    range.hashes()[0].fill(0);
    expect(range.root()).toEqual(referenceRoot(leaves.slice(0, 5)));
  });

  it('refuses leaf hashes that are not 32 bytes', () => {
    expect(() => CompactRange.empty().append(Buffer.alloc(33))).toThrow(TypeError);
  });
});
