import pg from 'pg';
import { canonicalJson } from '@zizhu/crypto';
import { storedSignedParts, type BlockHeader, type SignedTransaction, type TxStatus } from '../formats/index.js';
import { LedgerError } from '../errors.js';
import { LEDGER_MIGRATIONS } from './pg-schema.js';
import type { BlockCommit, BlockRecord, CommitLease, LedgerStore, SqlClient, StoredBlock, StoredNode, StoredTx, StoredWrite } from './ledger-store.js';
import { HEX64 } from '../formats/hex.js';

export interface PgLedgerStoreOptions {
  connectionString: string;
  /** Pool size; committers, readers and projections share it. */
  poolSize?: number;
  /** Blocks per page when streaming for verification and replay. */
  pageBlocks?: number;
  /** Transactions per page (a page holds at least one block). */
  pageTxs?: number;
}

interface BlockRow {
  header: string;
  hash: string;
  checkpoint: string;
}
interface TxRow {
  channel: string;
  seq: string;
  height: string;
  /** Hex text (`encode(hash, 'hex')`): no bytea parse and re-encode per row. */
  hash: string;
  signed: string;
  status: string;
  result: string;
  leaf: string;
}

const toBlock = (r: BlockRow): StoredBlock => ({ header: JSON.parse(r.header) as BlockHeader, hash: r.hash, checkpoint: r.checkpoint, raw: r.header });
/** A stored transaction whose signed JSON is parsed only when read: verification needs the text alone. */
function toTx(r: TxRow): StoredTx {
  let signed: SignedTransaction | undefined;
  return {
    channel: r.channel,
    leafIndex: Number(r.seq),
    height: Number(r.height),
    hash: r.hash,
    get signed(): SignedTransaction {
      return (signed ??= JSON.parse(r.signed) as SignedTransaction);
    },
    rawSigned: r.signed,
    status: r.status as TxStatus,
    result: r.result,
    leaf: r.leaf,
  };
}

/**
 * A block's state read ($1 channel, $2 keys joined by chr(31) as joinFields joins them: the
 * driver's text[] literal escaped every key of blocks of thousands): one primary-key lookup per
 * key, whatever the table's statistics say. As a plain join the planner, whose row estimate for a
 * fast-growing channel lags far behind (1,040 rows estimated, 66,002 there), hashed the channel's
 * whole state for every block: 61 ms for a block of 2,000 keys at 66,000 rows, growing with the
 * table, against 5 ms for the lookups. LIMIT 1 (a key is unique) keeps the subquery from being
 * flattened back into that join.
 */
export const READ_STATE_SQL = `SELECT s.key, s.value FROM unnest(string_to_array($2, chr(31))) AS q(k)
  CROSS JOIN LATERAL (SELECT key, value FROM ledger_state WHERE channel = $1 AND key = q.k LIMIT 1) s`;
/**
 * Tree nodes by id ($1 channel, $2 leaf ends, $3 levels), for proofs: one primary-key lookup per
 * node, as READ_STATE_SQL and for the same reason (as a join, 40 nodes of a 300,000-node channel
 * whose statistics lagged took 101 ms through a hash of every node of the channel).
 */
export const READ_NODES_SQL = `SELECT n.leaf_end, n.level, n.hash FROM unnest($2::bigint[], $3::smallint[]) AS q(e, l)
  CROSS JOIN LATERAL (SELECT leaf_end, level, hash FROM ledger_tree_nodes WHERE channel = $1 AND leaf_end = q.e AND level = q.l LIMIT 1) n`;
/** A tree node in allNodes' packed page: int8 leafEnd, int2 level, 32-byte hash. */
const PACKED_NODE = 8 + 2 + 32;
const MIGRATION_LOCK = 0x7a697a68; // "zizh"

/**
 * Texts as one parameter, joined by chr(31), which the statement splits with string_to_array
 * (zz_commit_block here; read-model projections do the same).
 * What a block stores as text is canonical JSON, hex, a status or a state key (printable ASCII),
 * none of which can hold a raw control character (JSON escapes them): one that does is refused.
 */
export function joinFields(fields: readonly string[]): string {
  const joined = fields.join('\x1f');
  // string_to_array reads '' as no field at all, and a U+001F inside a field as two.
  if (fields.length > 0 && (fields.some((f) => f.length === 0) || countOf(joined, '\x1f') !== fields.length - 1)) {
    throw new LedgerError('INVALID_BLOCK', 'a stored text is empty or holds the control character U+001F');
  }
  return joined;
}

const FIELD_SEPARATOR = Buffer.from([0x1f]);
/**
 * A block's stored signed transactions as one parameter of UTF-8 bytes, joined by U+001F as
 * joinFields joins texts (the statement decodes and splits them): written from each preimage's
 * bytes where the writer has it (storedSignedParts), so no text of ~2 KB is made per transaction
 * and kept until its block is written, nor joined and encoded again by the driver.
 */
export function signedColumn(txs: readonly StoredTx[]): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < txs.length; i++) {
    const t = txs[i];
    if (i > 0) parts.push(FIELD_SEPARATOR);
    if (t.preimage) for (const part of storedSignedParts(t.preimage, t.signed)) parts.push(part);
    else {
      const text = t.rawSigned ?? canonicalJson(t.signed);
      // string_to_array would read a lone empty field as none at all.
      if (text.length === 0) throw new LedgerError('INVALID_BLOCK', 'a stored transaction is empty');
      parts.push(Buffer.from(text, 'utf8'));
    }
  }
  const bytes = Buffer.concat(parts);
  // Canonical JSON escapes every control character: a separator more would split a transaction.
  if (countOf(bytes, '\x1f') !== Math.max(0, txs.length - 1)) throw new LedgerError('INVALID_BLOCK', 'a stored transaction holds the control character U+001F');
  return bytes;
}

/** Occurrences of a one-character text (a Buffer searches for its UTF-8 bytes). */
function countOf(text: string | Buffer, ch: string): number {
  let n = 0;
  for (let i = text.indexOf(ch); i !== -1; i = text.indexOf(ch, i + 1)) n++;
  return n;
}

/** A block's tree-node hashes as one buffer, 32 bytes each in order (zz_commit_block's $15). */
function packHashes(nodes: readonly StoredNode[]): Buffer {
  const out = Buffer.allocUnsafe(nodes.length * 32);
  for (let i = 0; i < nodes.length; i++) {
    const hash = nodes[i].hash;
    if (hash.length !== 32) throw new LedgerError('INVALID_NODE', `tree node (${nodes[i].leafEnd}, ${nodes[i].level}) has a ${hash.length}-byte hash`);
    hash.copy(out, i * 32);
  }
  return out;
}
/**
 * Transactions per page when streaming blocks (a page holds at least one block). 5,000 rather than
 * 20,000: bench ledger-verify over 100,000 transactions, 6 runs each on the Xeon, averaged 17,900
 * against 15,900 tx/s with peak RSS 429 against 500 MiB (smaller pages, presumably, leave less for
 * V8's old generation to collect); 10,000 fell between.
 */
const PAGE_TXS = 5_000;

/** LedgerStore on PostgreSQL with the plain `pg` driver. Every block is one durable transaction. */
export class PgLedgerStore implements LedgerStore {
  readonly pool: pg.Pool;
  private readonly pageBlocks: number;
  private readonly pageTxs: number;

  constructor(private readonly options: PgLedgerStoreOptions) {
    // Durability is the contract of a resolved submit: never let a server default weaken it.
    // Named statements are planned per execution: a generic plan cached while the state table was
    // small scanned the whole channel for every block's state read (p99 latency went to seconds).
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      options: '-c synchronous_commit=on -c plan_cache_mode=force_custom_plan',
    });
    // An idle client's error (server restart) must not crash the host; the next query reconnects.
    this.pool.on('error', () => undefined);
    this.pageBlocks = options.pageBlocks ?? 200;
    this.pageTxs = options.pageTxs ?? PAGE_TXS;
  }

  async migrate(): Promise<void> {
    const client = await this.checkout();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await client.query(
        'CREATE TABLE IF NOT EXISTS zizhu_chain_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const done = new Set((await client.query<{ version: number }>('SELECT version FROM zizhu_chain_migrations')).rows.map((r) => r.version));
      for (const m of LEDGER_MIGRATIONS) {
        if (done.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO zizhu_chain_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
          await client.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK');
          throw e;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      client.done();
    }
  }

  /**
   * A pooled client held across several queries. pg-pool takes its idle 'error' listener off a
   * checked-out client, and pg emits 'error' on the client when its connection dies (besides
   * failing the pending query): without a listener of ours, a database going away mid-block would
   * crash the host. `done(true)` destroys the client instead of returning it to the pool.
   */
  private async checkout(): Promise<pg.PoolClient & { done(destroy?: boolean): void }> {
    const client = await this.pool.connect();
    const swallow = () => undefined;
    client.on('error', swallow);
    return Object.assign(client, {
      done(destroy?: boolean) {
        // A destroyed client keeps the listener: a late error on its dying connection is no news.
        if (destroy) client.release(true);
        else {
          client.removeListener('error', swallow);
          client.release();
        }
      },
    });
  }

  async channels(): Promise<string[]> {
    const r = await this.pool.query<{ channel: string }>('SELECT channel FROM ledger_blocks WHERE height = 0 ORDER BY channel');
    return r.rows.map((x) => x.channel);
  }

  async head(channel: string): Promise<StoredBlock | undefined> {
    const r = await this.pool.query<BlockRow>({
      name: 'zz_head',
      text: 'SELECT header, hash, checkpoint FROM ledger_blocks WHERE channel = $1 ORDER BY height DESC LIMIT 1',
      values: [channel],
    });
    return r.rows[0] ? toBlock(r.rows[0]) : undefined;
  }

  async block(channel: string, height: number): Promise<BlockRecord | undefined> {
    for await (const b of this.blocks(channel, height, height)) return b;
    return undefined;
  }

  async *blocks(channel: string, fromHeight: number, toHeight = Number.MAX_SAFE_INTEGER): AsyncIterable<BlockRecord> {
    // The next page is fetched while the caller works through the current one. The first page is
    // small, so that the caller (and a verifier's signature workers) start without waiting for a full one.
    const fetch = (from: number, maxTxs = this.pageTxs) => (from <= toHeight ? this.page(channel, from, Math.min(toHeight, from + this.pageBlocks - 1), maxTxs) : undefined);
    let pending = fetch(fromHeight, Math.ceil(this.pageTxs / 8));
    while (pending) {
      const { blocks, next } = await pending;
      pending = next === undefined ? undefined : fetch(next);
      // A prefetch abandoned because the caller stopped must not surface as an unhandled rejection.
      pending?.catch(() => undefined);
      for (const b of blocks) yield b;
    }
  }

  /**
   * Blocks [from, to] with their transactions and writes, cut after `maxTxs` transactions so a page
   * of large blocks stays small in memory; `next` is where the following page starts.
   */
  private async page(channel: string, from: number, to: number, maxTxs: number): Promise<{ blocks: BlockRecord[]; next?: number }> {
    const rows = (
      await this.pool.query<BlockRow & { height: string }>(
        'SELECT height, header, hash, checkpoint FROM ledger_blocks WHERE channel = $1 AND height BETWEEN $2 AND $3 ORDER BY height',
        [channel, from, to],
      )
    ).rows;
    if (rows.length === 0) return { blocks: [] };
    const headers = rows.map(toBlock);
    let take = 0;
    let txCount = 0;
    while (take < headers.length && (take === 0 || txCount + headers[take].header.txCount <= maxTxs)) txCount += headers[take++].header.txCount;
    const included = headers.slice(0, take);
    const first = included[0];
    const lastBlock = included[included.length - 1];
    const fromSeq = first.header.treeSize - first.header.txCount;
    const [txs, writes] = await Promise.all([
      this.pool.query<TxRow>(
        "SELECT channel, seq, height, encode(hash, 'hex') AS hash, signed, status, result, leaf FROM ledger_txs WHERE channel = $1 AND seq >= $2 AND seq < $3 ORDER BY seq",
        [channel, fromSeq, lastBlock.header.treeSize],
      ),
      this.pool.query<{ height: string; key: string; value: string | null }>(
        'SELECT height, key, value FROM ledger_writes WHERE channel = $1 AND height BETWEEN $2 AND $3 ORDER BY height, key',
        [channel, first.header.height, lastBlock.header.height],
      ),
    ]);
    const blocks: BlockRecord[] = [];
    let ti = 0;
    let wi = 0;
    for (const block of included) {
      const h = block.header.height;
      const blockTxs: StoredTx[] = [];
      while (ti < txs.rows.length && Number(txs.rows[ti].height) === h) blockTxs.push(toTx(txs.rows[ti++]));
      // Rows that belong to no block in sequence are caught by verification through txCount.
      while (ti < txs.rows.length && Number(txs.rows[ti].height) < h) ti++;
      const blockWrites: StoredWrite[] = [];
      while (wi < writes.rows.length && Number(writes.rows[wi].height) === h) {
        const w = writes.rows[wi++];
        blockWrites.push({ key: w.key, value: w.value });
      }
      blocks.push({ ...block, txs: blockTxs, writes: blockWrites });
    }
    const cut = take < headers.length;
    const more = cut || rows.length === to - from + 1;
    return { blocks, next: more ? lastBlock.header.height + 1 : undefined };
  }

  async transaction(hash: string): Promise<StoredTx | undefined> {
    if (!HEX64.test(hash)) return undefined;
    const r = await this.pool.query<TxRow>({
      name: 'zz_tx',
      text: "SELECT channel, seq, height, encode(hash, 'hex') AS hash, signed, status, result, leaf FROM ledger_txs WHERE hash = $1",
      values: [Buffer.from(hash, 'hex')],
    });
    return r.rows[0] ? toTx(r.rows[0]) : undefined;
  }

  async transactions(hashes: readonly string[]): Promise<Map<string, StoredTx>> {
    const wanted = [...new Set(hashes.filter((h) => HEX64.test(h)))];
    const found = new Map<string, StoredTx>();
    if (wanted.length === 0) return found;
    // One lookup by the hash index per hash, as READ_STATE_SQL and for the same reason.
    const r = await this.pool.query<TxRow>({
      name: 'zz_txs',
      text: `SELECT t.channel, t.seq, t.height, encode(t.hash, 'hex') AS hash, t.signed, t.status, t.result, t.leaf FROM unnest($1::text[]) AS q(h)
             CROSS JOIN LATERAL (SELECT * FROM ledger_txs WHERE hash = decode(q.h, 'hex') LIMIT 1) t`,
      values: [wanted],
    });
    for (const row of r.rows) found.set(row.hash, toTx(row));
    return found;
  }

  async nodes(channel: string, ids: { leafEnd: number; level: number }[]): Promise<Map<string, Buffer>> {
    const r = await this.pool.query<{ leaf_end: string; level: number; hash: Buffer }>({
      name: 'zz_nodes',
      text: READ_NODES_SQL,
      values: [channel, ids.map((i) => i.leafEnd), ids.map((i) => i.level)],
    });
    return new Map(r.rows.map((row) => [`${row.leaf_end}/${row.level}`, row.hash]));
  }

  async allNodes(channel: string, fromLeafEnd: number, limit: number): Promise<StoredNode[]> {
    // One bytea for the page (per node: int8 leafEnd, int2 level, 32-byte hash), not one row, string
    // and Buffer per node: verification reads two nodes a transaction, and those objects were
    // most of what its main thread allocated and collected. A hash that is not 32 bytes (only an
    // edit makes one) is packed as level -1 and zeros, which match no computed node.
    const r = await this.pool.query<{ nodes: Buffer | null }>(
      `SELECT string_agg(int8send(leaf_end) || CASE WHEN octet_length(hash) = 32 THEN int2send(level) || hash ELSE int2send(-1::smallint) || $4::bytea END,
                         ''::bytea ORDER BY leaf_end, level) AS nodes
         FROM (SELECT leaf_end, level, hash FROM ledger_tree_nodes WHERE channel = $1 AND leaf_end >= $2 ORDER BY leaf_end, level LIMIT $3) n`,
      [channel, fromLeafEnd, limit, Buffer.alloc(32)],
    );
    const packed = r.rows[0]?.nodes;
    const nodes: StoredNode[] = [];
    for (let at = 0; packed && at < packed.length; at += PACKED_NODE) {
      nodes.push({ leafEnd: packed.readUInt32BE(at) * 2 ** 32 + packed.readUInt32BE(at + 4), level: packed.readInt16BE(at + 8), hash: packed.subarray(at + 10, at + PACKED_NODE) });
    }
    return nodes;
  }

  async readState(channel: string, keys: string[]): Promise<Map<string, string>> {
    // A text that cannot be joined (empty, or holding U+001F) is no state key, so it has no value.
    const joinable = keys.filter((k) => k.length > 0 && !k.includes('\x1f'));
    if (joinable.length === 0) return new Map();
    const r = await this.pool.query<{ key: string; value: string }>({ name: 'zz_state_joined', text: READ_STATE_SQL, values: [channel, joinFields(joinable)] });
    return new Map(r.rows.map((row) => [row.key, row.value]));
  }

  async rangeState(channel: string, prefix: string, after: string | undefined, limit: number): Promise<StoredWrite[]> {
    const from = after !== undefined && after > prefix ? after : prefix;
    const r = await this.pool.query<{ key: string; value: string }>(
      // Keys are printable ASCII (< 0x7f) in "C" collation, so [prefix, prefix || 0x7f) is exactly the prefix's range.
      `SELECT key, value FROM ledger_state WHERE channel = $1 AND key >= $2 AND ($3::text IS NULL OR key > $3)
         AND key < $4 || chr(127) ORDER BY key LIMIT $5`,
      [channel, from, after ?? null, prefix, limit],
    );
    return r.rows.map((row) => ({ key: row.key, value: row.value }));
  }

  async scanState(channel: string, prefix: string): Promise<[string, string][]> {
    const r = await this.pool.query<{ key: string; value: string }>(
      'SELECT key, value FROM ledger_state WHERE channel = $1 AND key >= $2 AND key < $2 || chr(127) ORDER BY key',
      [channel, prefix],
    );
    return r.rows.map((row) => [row.key, row.value]);
  }

  async recentNonces(channel: string, sinceTime: number): Promise<{ digest: Buffer; ts: number }[]> {
    // Digests computed by the server: only 12 bytes a transaction cross the wire at startup.
    const r = await this.pool.query<{ d: Buffer; ts: string }>(
      `SELECT substring(sha256(convert_to((e ->> 'signer') || ':' || (e ->> 'nonce'), 'UTF8')) FROM 1 FOR 12) AS d, (e ->> 'ts') AS ts
         FROM (SELECT (t.signed::jsonb) -> 'envelope' AS e FROM ledger_txs t
                WHERE t.channel = $1
                  AND t.height >= coalesce((SELECT min(height) FROM ledger_blocks WHERE channel = $1 AND time >= $2), 9223372036854775807)) q`,
      [channel, sinceTime],
    );
    return r.rows.map((row) => ({ digest: row.d, ts: Number(row.ts) }));
  }

  async commitBlock(commit: BlockCommit, project?: (sql: SqlClient) => Promise<void>): Promise<void> {
    const { block, txs, nodes, writes } = commit;
    const channel = block.header.channel;
    txs.forEach((t, i) => {
      if (t.leafIndex !== txs[0].leafIndex + i || !HEX64.test(t.hash)) throw new LedgerError('INVALID_BLOCK', `transaction ${i} of block ${block.header.height}: leaf ${t.leafIndex}, hash ${t.hash}`);
    });
    const client = await this.checkout();
    let failed = false;
    try {
      await client.query('BEGIN');
      // The whole block is one statement (data-modifying CTEs), not six: under load the main thread
      // reaches each answer only between its other work (executing the next block, serving
      // requests), so every round trip of a block's commit held up the one after it.
      await client.query({
        name: 'zz_commit_block',
        text: `WITH blk AS (
                 INSERT INTO ledger_blocks (channel, height, hash, header, checkpoint, time) VALUES ($1, $2, $3, $4, $5, $6)
               ), txs AS (
                 -- Each text column as one parameter, its fields joined by chr(31) (see joinFields;
                 -- the signed transactions as UTF-8 bytes so joined, see signedColumn):
                 -- a JSON document escaped every quote of the JSON texts inside it, and PostgreSQL
                 -- unescaped them again; the driver's text[] escaping was slower still. Hashes are
                 -- packed bytes: substring of a bytea is direct, of UTF-8 text a walk from its start.
                 INSERT INTO ledger_txs (channel, seq, height, hash, signed, status, result, leaf)
                 SELECT $1, $7::bigint + t.o - 1, $2, substring($8::bytea FROM (t.o::int - 1) * 32 + 1 FOR 32), t.sg, t.st, t.r, t.l
                   FROM unnest(string_to_array($9, chr(31)), string_to_array(convert_from($10::bytea, 'UTF8'), chr(31)), string_to_array($11, chr(31)), string_to_array($12, chr(31)))
                        WITH ORDINALITY AS t(st, sg, r, l, o)
               ), nodes AS (
                 -- The hashes as one bytea, 32 bytes each in order: a bytea[] parameter cost the
                 -- driver an escaped hex string per node, two nodes a transaction.
                 INSERT INTO ledger_tree_nodes (channel, leaf_end, level, hash)
                 SELECT $1, e, l, substring($15::bytea FROM (i::int - 1) * 32 + 1 FOR 32)
                   FROM unnest($13::bigint[], $14::smallint[]) WITH ORDINALITY AS t(e, l, i)
               ), w AS MATERIALIZED (
                 -- Keys and values joined alike, a deletion written as '-' (no JSON text is that).
                 SELECT t.k, t.v FROM unnest(string_to_array($16, chr(31)), string_to_array($17, chr(31), '-')) AS t(k, v)
               ), logged AS (
                 INSERT INTO ledger_writes (channel, height, key, value) SELECT $1, $2, k, v FROM w
               ), put AS (
                 INSERT INTO ledger_state (channel, key, value) SELECT $1, k, v FROM w WHERE v IS NOT NULL
                 ON CONFLICT (channel, key) DO UPDATE SET value = EXCLUDED.value
               ), deleted AS (
                 DELETE FROM ledger_state s USING w WHERE w.v IS NULL AND s.channel = $1 AND s.key = w.k
               )
               SELECT 1`,
        values: [
          channel,
          block.header.height,
          block.hash,
          canonicalJson(block.header),
          block.checkpoint,
          block.header.time,
          txs.length > 0 ? txs[0].leafIndex : 0,
          Buffer.from(txs.map((t) => t.hash).join(''), 'hex'),
          joinFields(txs.map((t) => t.status)),
          signedColumn(txs),
          joinFields(txs.map((t) => t.result)),
          joinFields(txs.map((t) => t.leaf)),
          nodes.map((n) => n.leafEnd),
          nodes.map((n) => n.level),
          packHashes(nodes),
          joinFields(writes.map((w) => w.key)),
          joinFields(writes.map((w) => w.value ?? '-')),
        ],
      });
      if (project) await project(client);
      await client.query('COMMIT');
    } catch (e) {
      failed = true;
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      // A client whose transaction failed mid-way may be broken; do not return it to the pool.
      client.done(failed);
    }
  }

  async acquireCommitLease(channel: string): Promise<CommitLease | undefined> {
    const client = new pg.Client({ connectionString: this.options.connectionString });
    let lostReject!: (e: Error) => void;
    const lost = new Promise<never>((_, reject) => (lostReject = reject));
    lost.catch(() => undefined);
    client.on('error', (e) => lostReject(new LedgerError('LEASE_LOST', `commit lease for channel ${channel} lost: ${e.message}`)));
    client.on('end', () => lostReject(new LedgerError('LEASE_LOST', `commit lease for channel ${channel} lost: connection ended`)));
    await client.connect();
    const r = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtext('zizhu:commit:' || $1)) AS ok", [channel]);
    if (!r.rows[0].ok) {
      await client.end();
      return undefined;
    }
    return {
      lost,
      release: async () => {
        client.removeAllListeners('end');
        client.removeAllListeners('error');
        client.on('error', () => undefined);
        await client.end().catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
