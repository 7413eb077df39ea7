import { canonicalBase64Length, canonicalJson, fromBase64, sha256Hex } from '@zizhu/crypto';
import { blockHash, EMPTY_STATE_ROOT, GENESIS_PREV, keyIdOfBase64, leafTextOf, nextStateRoot, TX_PREFIX, type BlockHeader } from '../formats/index.js';
import { CompactRange, leafEnd, leafHash } from '../merkle/index.js';
import { verifyCheckpoint, verifierKey } from '../checkpoint/index.js';
import type { LedgerStore, StoredNode, StoredTx } from '../store/ledger-store.js';
import type { SignatureBatch, SignaturePool } from '../engine/signature-pool.js';

export interface VerifyProblem {
  height: number;
  reason: string;
}

export interface VerifyReport {
  channel: string;
  blocks: number;
  transactions: number;
  ok: boolean;
  /** The first block that does not verify. */
  problem?: VerifyProblem;
}

export interface VerifyOptions {
  consortiumId: string;
  /** Proposer node keys (keyId → C2SP key name and raw public key) whose checkpoints are trusted. */
  proposers: Map<string, { name: string; publicKey: Buffer }>;
  pool: SignaturePool;
  onProgress?: (height: number) => void;
}

class Bad extends Error {
  constructor(
    readonly height: number,
    reason: string,
  ) {
    super(reason);
  }
}

const NODE_PAGE = 20_000;
/** Blocks whose signatures may still be verifying while later blocks are checked. */
const MAX_BLOCKS_IN_FLIGHT = 16;

/**
 * Recomputes a channel from its stored rows: every transaction hash and signature, leaf, tree node,
 * Merkle root, state root, block hash, chain link and checkpoint signature. Stops at the first
 * block that does not match and names it.
 */
export async function verifyChannel(store: LedgerStore, channel: string, opts: VerifyOptions): Promise<VerifyReport> {
  const trusted = new Map([...opts.proposers].map(([keyId, p]) => [keyId, verifierKey(p.name, p.publicKey)]));
  let prev: BlockHeader | undefined;
  let prevHash = GENESIS_PREV;
  let stateRoot = EMPTY_STATE_ROOT;
  const frontier = CompactRange.empty();
  let blocks = 0;
  let transactions = 0;
  // Stored tree nodes, streamed in completion order and compared with the recomputed ones; the
  // next page is read while this one is compared.
  let stored: StoredNode[] = [];
  let storedAt = 0;
  const readNodes = async (from: number): Promise<{ nodes: StoredNode[]; next: number }> => {
    const nodes = await store.allNodes(channel, from, NODE_PAGE);
    if (nodes.length < NODE_PAGE) return { nodes, next: -1 };
    // Rows of the last leafEnd may continue on the next page: re-read that leafEnd entirely.
    const lastEnd = nodes[nodes.length - 1].leafEnd;
    const cut = nodes.findIndex((n) => n.leafEnd === lastEnd);
    return cut > 0 ? { nodes: nodes.slice(0, cut), next: lastEnd } : { nodes, next: lastEnd + 1 };
  };
  let nextNodes: Promise<{ nodes: StoredNode[]; next: number }> | undefined = readNodes(0);
  // Abandoned when a block fails first: its rejection must not go unhandled.
  nextNodes.catch(() => undefined);
  const nextStoredNode = async (): Promise<StoredNode | undefined> => {
    if (storedAt >= stored.length) {
      if (!nextNodes) return undefined;
      const page = await nextNodes;
      nextNodes = page.next < 0 ? undefined : readNodes(page.next);
      nextNodes?.catch(() => undefined);
      stored = page.nodes;
      storedAt = 0;
      if (stored.length === 0) return undefined;
    }
    return stored[storedAt++];
  };

  const inFlight: { height: number; hashes: string[]; results: Promise<Uint8Array> }[] = [];
  const settleOldest = async (): Promise<void> => {
    const oldest = inFlight.shift()!;
    const bad = (await oldest.results).indexOf(0);
    if (bad >= 0) throw new Bad(oldest.height, `transaction ${bad} (${oldest.hashes[bad]}): signature does not verify`);
  };

  try {
    for await (const block of store.blocks(channel, 0)) {
      const h = block.header;
      const height = h.height;
      const fail = (reason: string): never => {
        throw new Bad(height, reason);
      };
      if (h.channel !== channel) fail(`header names channel ${h.channel}`);
      if (height !== (prev ? prev.height + 1 : 0)) fail(`expected height ${prev ? prev.height + 1 : 0}`);
      if (block.raw !== undefined && block.raw !== canonicalJson(h)) fail('stored header is not canonical JSON');
      if (blockHash(h) !== block.hash) fail('block hash does not match the header');
      if (h.prev !== prevHash) fail('prev does not link to the previous block');
      if (prev && h.time < prev.time) fail('block time goes backwards');
      if (h.txCount !== block.txs.length) fail(`header counts ${h.txCount} transactions, ${block.txs.length} stored`);
      if (h.treeSize !== frontier.size + h.txCount) fail('tree size does not follow from the transaction count');
      if (height === 0 && h.txCount !== 0) fail('genesis has transactions');

      const signatures = opts.pool.batch();
      const computed: StoredNode[] = [];
      for (const [i, tx] of block.txs.entries()) {
        const where = `transaction ${i} (${tx.hash})`;
        if (tx.leafIndex !== frontier.size) fail(`${where} has leaf index ${tx.leafIndex}, expected ${frontier.size}`);
        const problem = checkStoredTransaction(tx, channel, signatures);
        if (problem) fail(`${where}: ${problem}`);
        // The result's bytes are bound by the leaf's `out`, so any edit shows up as a leaf or root mismatch.
        if ((tx.status === 'REVERTED') !== tx.result.startsWith('{"error":')) fail(`${where}: status ${tx.status} does not match its result`);
        let leaf: string;
        try {
          leaf = leafTextOf(tx.result, tx.status, tx.hash);
        } catch {
          return fail(`${where}: invalid status or hash`);
        }
        if (leaf !== tx.leaf) fail(`${where}: stored leaf does not match the transaction`);
        frontier.append(leafHash(leaf), (node, hash) => computed.push({ leafEnd: leafEnd(node), level: node.level, hash }));
      }
      if (frontier.root().toString('hex') !== h.root) fail('Merkle root does not match the leaves');
      for (const node of computed) {
        const s = await nextStoredNode();
        if (!s || s.leafEnd !== node.leafEnd || s.level !== node.level || !s.hash.equals(node.hash)) {
          fail(`stored tree node (level ${node.level}, ending at leaf ${node.leafEnd}) does not match`);
        }
      }

      // Values are hashed into the state root as stored, so an edited byte changes the root.
      let last = '';
      const writeHashes: [string, string | null][] = [];
      for (const w of block.writes) {
        if (w.key <= last && last !== '') fail('state writes are not sorted');
        last = w.key;
        writeHashes.push([w.key, w.value === null ? null : sha256Hex(w.value)]);
      }
      stateRoot = nextStateRoot(stateRoot, writeHashes);
      if (stateRoot !== h.stateRoot) fail('state root does not match the block writes');

      const proposer = trusted.get(h.proposer);
      if (!proposer) fail(`proposer ${h.proposer} is not a trusted node`);
      let cp;
      try {
        cp = verifyCheckpoint(block.checkpoint, [proposer!]).checkpoint;
      } catch (e) {
        return fail(`checkpoint does not verify: ${(e as Error).message}`);
      }
      if (
        cp.origin !== `zizhu/${opts.consortiumId}/${channel}` ||
        cp.treeSize !== h.treeSize ||
        cp.root.toString('hex') !== h.root ||
        cp.height !== height ||
        cp.blockHash !== block.hash ||
        cp.time !== h.time
      ) {
        fail('checkpoint body does not match the block');
      }
      // Signatures are checked on worker threads while later blocks are hashed; results are
      // collected in block order, so the first bad block is still the one named.
      inFlight.push({ height, hashes: block.txs.map((t) => t.hash), results: signatures.verify() });
      if (inFlight.length > MAX_BLOCKS_IN_FLIGHT) await settleOldest();

      prev = h;
      prevHash = block.hash;
      blocks++;
      transactions += block.txs.length;
      opts.onProgress?.(height);
    }
    while (inFlight.length > 0) await settleOldest();
    if (await nextStoredNode()) throw new Bad(prev?.height ?? 0, 'tree nodes are stored beyond the last block');
    if (!prev) return { channel, blocks, transactions, ok: false, problem: { height: 0, reason: 'channel has no genesis block' } };
    return { channel, blocks, transactions, ok: true };
  } catch (e) {
    if (e instanceof Bad) {
      // Earlier blocks' signatures may still be pending: the first bad block is the earliest one.
      for (const f of inFlight) {
        if (f.height >= e.height) break;
        const bad = (await f.results).indexOf(0);
        if (bad >= 0) return { channel, blocks, transactions, ok: false, problem: { height: f.height, reason: `transaction ${bad} (${f.hashes[bad]}): signature does not verify` } };
      }
      return { channel, blocks, transactions, ok: false, problem: { height: e.height, reason: e.message } };
    }
    throw e;
  }
}

const KEY_AT = ',"publicKey":"'.length;
const SIG_AT = KEY_AT + 44 + '","signature":"'.length;
/** Length of the fixed end of a stored signed transaction: ,"publicKey":"<44>","signature":"<88>"} */
const TAIL_LENGTH = SIG_AT + 88 + '"}'.length;

/**
 * Where the key's and the signature's text start, if `raw` ends exactly in the fixed tail with
 * both in canonical base64 (the one spelling of their bytes, as fromBase64 requires at submit:
 * else an edit of their unused bits would decode to the same bytes and go unseen); else -1.
 * Checked by hand: a sticky regular expression cost 1.8 µs a transaction.
 */
function tailAt(raw: string): number {
  const at = raw.length - TAIL_LENGTH;
  if (at <= 0 || !raw.startsWith(',"publicKey":"', at) || !raw.startsWith('","signature":"', at + KEY_AT + 44) || !raw.endsWith('"}')) return -1;
  return canonicalBase64Length(raw, at + KEY_AT, at + KEY_AT + 44) === 32 && canonicalBase64Length(raw, at + SIG_AT, at + SIG_AT + 88) === 64 ? at : -1;
}

/**
 * Checks a stored transaction without re-serialising it: the stored text must be exactly
 * {"envelope":E,"publicKey":P,"signature":S}, "zizhu:tx:v1\n" || E must hash to the stored hash,
 * and the envelope must name this channel and a signer matching the key. E's bytes are what the
 * signature covers, so they need no re-canonicalisation (that would take a hash collision).
 * The signature joins `signatures` (its preimage is written there once, and hashed from there);
 * returns what is wrong, if anything.
 */
function checkStoredTransaction(tx: StoredTx, channel: string, signatures: SignatureBatch): string | undefined {
  const raw = tx.rawSigned ?? canonicalJson(tx.signed);
  const tail = tailAt(raw);
  if (tail < 0 || !raw.startsWith('{"envelope":{')) return 'the stored transaction is not a signed envelope';
  const envelopeText = raw.slice('{"envelope":'.length, tail);
  const publicKey = raw.slice(tail + KEY_AT, tail + KEY_AT + 44);
  const preimage = signatures.add(publicKey, raw.slice(tail + SIG_AT, tail + SIG_AT + 88), TX_PREFIX, envelopeText);
  if (sha256Hex(preimage) !== tx.hash) return 'the envelope does not hash to the stored transaction hash';
  // In canonical text the top-level channel and signer follow `args` and only fixed-format values
  // come after them, so their last occurrences are the top-level ones (nested keys in args come first).
  const channelOf = stringField(envelopeText, 'channel');
  const signerOf = stringField(envelopeText, 'signer');
  if (channelOf !== channel) return `the envelope names channel ${String(channelOf)}`;
  if (keyIdOfBase64(publicKey) !== signerOf) return 'the public key does not match the signer key id';
  return undefined;
}

function stringField(text: string, name: string): string | undefined {
  const marker = `,"${name}":"`;
  const at = text.lastIndexOf(marker);
  if (at < 0) return undefined;
  const start = at + marker.length;
  const end = text.indexOf('"', start);
  return end < 0 ? undefined : text.slice(start, end);
}

/** The proposer keys a ledger's genesis names (system channel, height 0: `node/<keyId>` writes). */
export async function genesisProposers(store: LedgerStore, systemChannel = 'system'): Promise<{ consortiumId: string; proposers: Map<string, { name: string; publicKey: Buffer }> }> {
  const genesis = await store.block(systemChannel, 0);
  if (!genesis) throw new Error(`no ${systemChannel} channel genesis in this ledger`);
  const proposers = new Map<string, { name: string; publicKey: Buffer }>();
  let consortiumId = '';
  for (const w of genesis.writes) {
    if (w.value === null) continue;
    const v = JSON.parse(w.value) as Record<string, string>;
    if (w.key.startsWith('node/')) proposers.set(v.keyId, { name: v.name, publicKey: fromBase64(v.publicKey) });
    if (w.key === 'consortium') consortiumId = v.id;
  }
  return { consortiumId, proposers };
}
