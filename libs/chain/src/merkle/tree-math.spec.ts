import { describe, expect, it } from '@jest/globals';
import { leafHash, nodeHash } from './hashes.js';
import { ceilLog2, decompose, foldRight, isPowerOfTwo, leafEnd, nodeFromLeafEnd, popCount, splitPoint } from './tree-math.js';

describe('tree math', () => {
  it('decomposes a tree into its perfect subtrees, largest first', () => {
    expect(decompose(0, 0)).toEqual([]);
    expect(decompose(0, 1)).toEqual([{ level: 0, index: 0 }]);
    expect(decompose(0, 7)).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    expect(decompose(8, 13)).toEqual([
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    expect(decompose(0, 2 ** 40 + 3)).toEqual([
      { level: 40, index: 0 },
      { level: 1, index: 2 ** 39 },
      { level: 0, index: 2 ** 40 + 2 },
    ]);
  });

  it('refuses ranges whose RFC pieces are not aligned subtrees', () => {
    expect(() => decompose(1, 3)).toThrow(RangeError);
    expect(() => decompose(3, 2)).toThrow(RangeError);
    expect(() => decompose(-1, 2)).toThrow(RangeError);
    expect(() => decompose(0, 2 ** 53)).toThrow(RangeError);
  });

  it('folds right: h0 ⊕ (h1 ⊕ h2)', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((s) => leafHash(Buffer.from(s)));
    expect(foldRight([a])).toEqual(a);
    expect(foldRight([a, b, c])).toEqual(nodeHash(a, nodeHash(b, c)));
    expect(() => foldRight([])).toThrow(RangeError);
  });

  it('leafEnd and nodeFromLeafEnd are inverse, and (leafEnd, level) sorts nodes in completion order', () => {
    const nodes = [];
    for (let level = 0; level <= 5; level++) for (let index = 0; index < 40; index++) nodes.push({ level, index });
    for (const node of nodes) expect(nodeFromLeafEnd(leafEnd(node), node.level)).toEqual(node);
    expect(leafEnd({ level: 3, index: 2 })).toBe(24);
    expect(leafEnd({ level: 40, index: 0 })).toBe(2 ** 40);
    expect(() => nodeFromLeafEnd(6, 2)).toThrow(RangeError);
    expect(() => nodeFromLeafEnd(0, 0)).toThrow(RangeError);
    expect(() => leafEnd({ level: 60, index: 0 })).toThrow(RangeError);

    // (leafEnd, level) is a key: no two nodes share it (completion order is checked in compact-range.spec).
    const keys = new Set(nodes.map((n) => `${leafEnd(n)}/${n.level}`));
    expect(keys.size).toBe(nodes.length);
  });

  it('integer helpers work beyond 32 bits', () => {
    expect(splitPoint(2)).toBe(1);
    expect(splitPoint(8)).toBe(4);
    expect(splitPoint(9)).toBe(8);
    expect(splitPoint(2 ** 40 + 1)).toBe(2 ** 40);
    expect(popCount(2 ** 40 + 2 ** 33 + 1)).toBe(3);
    expect(ceilLog2(1)).toBe(0);
    expect(ceilLog2(1_000_000)).toBe(20);
    expect(ceilLog2(2 ** 40)).toBe(40);
    expect(isPowerOfTwo(2 ** 40)).toBe(true);
    expect(isPowerOfTwo(2 ** 40 - 1)).toBe(false);
    expect(isPowerOfTwo(0)).toBe(false);
  });
});
