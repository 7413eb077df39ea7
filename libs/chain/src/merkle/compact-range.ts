import { EMPTY_ROOT, HASH_SIZE, nodeHash } from './hashes.js';
import { assertTreeSize, decompose, foldRight, popCount, type NodeId } from './tree-math.js';

/** Called for every perfect node an append completes, leaf first, then each merged parent. */
export type OnNode = (node: NodeId, hash: Buffer) => void;

/**
 * The right frontier of a tree: the hashes of the perfect subtrees decompose(0, size), largest
 * first. It is all a writer needs to append leaves and compute roots without reading the store.
 */
export class CompactRange {
  private constructor(
    private treeSize: number,
    private readonly frontier: Buffer[],
  ) {}

  static empty(): CompactRange {
    return new CompactRange(0, []);
  }

  /** Restores a frontier read back from storage; the count must match the size's one bits. */
  static from(size: number, hashes: readonly Buffer[]): CompactRange {
    assertTreeSize(size);
    if (hashes.length !== popCount(size)) {
      throw new RangeError(`a tree of size ${size} has ${popCount(size)} frontier hashes, got ${hashes.length}`);
    }
    for (const h of hashes) {
      if (!Buffer.isBuffer(h) || h.length !== HASH_SIZE) throw new TypeError('frontier hashes must be 32-byte Buffers');
    }
    return new CompactRange(size, hashes.map((h) => Buffer.from(h)));
  }

  get size(): number {
    return this.treeSize;
  }

  /** Copies of the frontier hashes, largest subtree first. */
  hashes(): Buffer[] {
    return this.frontier.map((h) => Buffer.from(h));
  }

  /** The nodes whose hashes hashes() returns, in the same order. */
  nodes(): NodeId[] {
    return decompose(0, this.treeSize);
  }

  root(): Buffer {
    return this.treeSize === 0 ? Buffer.from(EMPTY_ROOT) : foldRight(this.frontier);
  }

  append(leafHash: Buffer, onNode?: OnNode): void {
    if (!Buffer.isBuffer(leafHash) || leafHash.length !== HASH_SIZE) throw new TypeError('leaf hash must be a 32-byte Buffer');
    assertTreeSize(this.treeSize + 1);
    let hash: Buffer = Buffer.from(leafHash);
    let node: NodeId = { level: 0, index: this.treeSize };
    onNode?.(node, hash);
    // A right child (odd index) completes its parent with the frontier's last, equal-sized subtree.
    while (node.index % 2 === 1) {
      hash = nodeHash(this.frontier.pop() as Buffer, hash);
      node = { level: node.level + 1, index: (node.index - 1) / 2 };
      onNode?.(node, hash);
    }
    this.frontier.push(hash);
    this.treeSize++;
  }

  clone(): CompactRange {
    return new CompactRange(this.treeSize, this.frontier.map((h) => Buffer.from(h)));
  }
}
