import { sha256 } from '@zizhu/crypto';

/** RFC 9162 §2.1.1 hashing with SHA-256; the one-byte prefixes keep leaves and interior nodes apart. */

export const HASH_SIZE = 32;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** MTH({}): the root of the empty tree. */
export const EMPTY_ROOT: Buffer = sha256('');

/** A leaf's hash, from its bytes or from its text (hashed as UTF-8, with no intermediate buffer). */
export function leafHash(leaf: Uint8Array | string): Buffer {
  return typeof leaf === 'string' ? sha256(`\u0000${leaf}`) : sha256(LEAF_PREFIX, leaf);
}

const nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE, NODE_PREFIX);

/** One reused 65-byte input and a one-shot hash: interior nodes are hashed for every leaf appended. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) return sha256(NODE_PREFIX, left, right);
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return sha256(nodeInput);
}
