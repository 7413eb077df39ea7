import { sha256 } from '@zizhu/crypto';

/** RFC 9162 §2.1.1 hashing with SHA-256; the one-byte prefixes keep leaves and interior nodes apart. */

export const HASH_SIZE = 32;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** MTH({}): the root of the empty tree. */
export const EMPTY_ROOT: Buffer = sha256('');

export function leafHash(leafBytes: Uint8Array): Buffer {
  return sha256(LEAF_PREFIX, leafBytes);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return sha256(NODE_PREFIX, left, right);
}
