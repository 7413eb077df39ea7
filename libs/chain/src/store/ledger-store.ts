import type { BlockHeader, SignedTransaction, TxStatus } from '../formats/index.js';

/** The minimal SQL surface a projection gets: the block's own database transaction. */
export interface SqlClient {
  query<R extends Record<string, unknown> = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

export interface StoredBlock {
  header: BlockHeader;
  hash: string;
  checkpoint: string;
  /** The header exactly as stored (canonical JSON), when read back from a store. */
  raw?: string;
}

export interface StoredTx {
  channel: string;
  leafIndex: number;
  height: number;
  hash: string;
  signed: SignedTransaction;
  /** The signed transaction exactly as stored (canonical JSON), when read back from a store. */
  rawSigned?: string;
  /** The preimage its signature covers, when the writer has it: the stored text is written from its bytes. */
  preimage?: Buffer;
  status: TxStatus;
  /** JCS text of the transaction result (its digest is the leaf's `out`). */
  result: string;
  /** JCS text of the log leaf. */
  leaf: string;
}

/** A stored perfect Merkle subtree, keyed by (leafEnd, level) so rows sort in completion order. */
export interface StoredNode {
  leafEnd: number;
  level: number;
  hash: Buffer;
}

/** A state write as stored: the value's canonical JSON text, or null for a deletion. */
export interface StoredWrite {
  key: string;
  value: string | null;
}

export interface BlockCommit {
  block: StoredBlock;
  txs: StoredTx[];
  nodes: StoredNode[];
  /** Sorted by key. */
  writes: StoredWrite[];
}

/** Everything of one block, as `ledger verify` and replay read it. */
export interface BlockRecord extends StoredBlock {
  txs: StoredTx[];
  writes: StoredWrite[];
}

export interface CommitLease {
  release(): Promise<void>;
  /** Rejects when the lease is lost (the connection holding it died). */
  readonly lost: Promise<never>;
}

/** Where a ledger lives. The engine depends on this interface only; see PgLedgerStore. */
export interface LedgerStore {
  migrate(): Promise<void>;
  channels(): Promise<string[]>;
  head(channel: string): Promise<StoredBlock | undefined>;
  block(channel: string, height: number): Promise<BlockRecord | undefined>;
  /** Blocks [fromHeight, toHeight] in order, in pages, for verification and replay. */
  blocks(channel: string, fromHeight: number, toHeight?: number): AsyncIterable<BlockRecord>;
  transaction(hash: string): Promise<StoredTx | undefined>;
  /** Stored transactions by hash (lowercase hex), in one query; those not stored are absent from the map. */
  transactions(hashes: readonly string[]): Promise<Map<string, StoredTx>>;
  /** Nodes by (leafEnd, level); missing ones are absent from the map (key `${leafEnd}/${level}`). */
  nodes(channel: string, ids: { leafEnd: number; level: number }[]): Promise<Map<string, Buffer>>;
  /** All stored nodes in completion order, for verification. */
  allNodes(channel: string, fromLeafEnd: number, limit: number): Promise<StoredNode[]>;
  readState(channel: string, keys: string[]): Promise<Map<string, string>>;
  rangeState(channel: string, prefix: string, after: string | undefined, limit: number): Promise<StoredWrite[]>;
  scanState(channel: string, prefix: string): Promise<[string, string][]>;
  /** Nonce uses (first 12 bytes of SHA-256(signer ":" nonce), and the envelope ts) of transactions in blocks timed at or after `sinceTime`. */
  recentNonces(channel: string, sinceTime: number): Promise<{ digest: Buffer; ts: number }[]>;
  /** Writes one block atomically and durably, with the host's projections in the same transaction. */
  commitBlock(commit: BlockCommit, project?: (sql: SqlClient) => Promise<void>): Promise<void>;
  acquireCommitLease(channel: string): Promise<CommitLease | undefined>;
  close(): Promise<void>;
}
