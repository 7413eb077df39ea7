import { canonicalJson, sha256, sha256Hex, type JsonValue } from '@zizhu/crypto';
import { HEX64 } from './hex.js';

/** ledger-formats §3. */
export type TxStatus = 'COMMITTED' | 'REVERTED';
export interface LogLeaf {
  out: string | null;
  status: TxStatus;
  tx: string;
}
export const leafBytes = (leaf: LogLeaf): Buffer => Buffer.from(canonicalJson(leaf), 'utf8');

/**
 * JCS text of a leaf whose `out` is the digest of an already-canonical result text. Written as a
 * template (the fields are hex and a fixed word, so JCS adds nothing): leaves are made for every
 * transaction and re-made for every transaction `ledger verify` checks.
 */
export function leafTextOf(resultText: string, status: TxStatus, tx: string): string {
  if (!HEX64.test(tx) || (status !== 'COMMITTED' && status !== 'REVERTED')) throw new TypeError('invalid leaf fields');
  return `{"out":"${sha256Hex(resultText)}","status":"${status}","tx":"${tx}"}`;
}
export const resultDigest = (result: JsonValue): string => sha256Hex(canonicalJson(result));

/** ledger-formats §6. */
export interface BlockHeader {
  channel: string;
  height: number;
  prev: string;
  treeSize: number;
  root: string;
  stateRoot: string;
  time: number;
  proposer: string;
  txCount: number;
}

export const GENESIS_PREV = '0'.repeat(64);
/** stateRoot_{-1}: the state root "before genesis". */
export const EMPTY_STATE_ROOT = '0'.repeat(64);

export const headerBytes = (header: BlockHeader): string => canonicalJson(header);
export const blockHash = (header: BlockHeader): string => sha256Hex('zizhu:block:v1\n', canonicalJson(header));

/** A state write: the new value, or null for a deletion. */
export type StateWrite = [key: string, value: JsonValue | null];

/** Hash of a stored state value: hex SHA-256 of its canonical JSON. */
export const valueHash = (value: JsonValue): string => sha256Hex(canonicalJson(value));

/** Sort writes as the state root requires (by key, UTF-16 code units, as JCS sorts). */
export const sortWrites = <T extends [string, unknown]>(writes: T[]): T[] => writes.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

/**
 * stateRoot_h = hex(SHA-256("zizhu:state:v1\n" || bytes(stateRoot_{h-1}) || SHA-256(JCS(writes_h)))),
 * writes_h = [[key, valueHashHex | null], ...] sorted by key. `writes` must already be sorted.
 */
export function nextStateRoot(prevStateRoot: string, sortedWriteHashes: [string, string | null][]): string {
  // JCS of an array of [string, string | null] pairs is JSON.stringify's text (RFC 8785 §3.2.2.2
  // serialises strings as ECMAScript does; there are no numbers or objects to order), and the
  // native one is several times faster: this runs over every write of every block.
  const digest = sha256(JSON.stringify(sortedWriteHashes));
  return sha256Hex('zizhu:state:v1\n', Buffer.from(prevStateRoot, 'hex'), digest);
}
