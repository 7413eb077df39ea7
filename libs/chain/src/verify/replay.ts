import { canonicalJson, sha256Hex, type JsonValue } from '@zizhu/crypto';
import { EMPTY_STATE_ROOT, nextStateRoot, parseSignedTransaction, type ParsedTransaction } from '../formats/index.js';
import { contractCodeHash, type ContractClass } from '../contract/index.js';
import type { ConsortiumDirectory } from '../engine/directory.js';
import { executeBlock, SYSTEM_HEIGHT_KEY, type DeployedContract, type StateSource } from '../engine/executor.js';
import { StateCache } from '../engine/state-cache.js';
import type { BlockRecord, LedgerStore } from '../store/ledger-store.js';

export interface ReplayReport {
  channel: string;
  blocks: number;
  transactions: number;
  ok: boolean;
  mismatch?: { height: number; reason: string };
  /** The rebuilt state's entry count. */
  stateEntries: number;
  /** SHA-256 of JCS([[key, value], ...]) over the rebuilt state sorted by key: compare with the live state. */
  stateDigest: string;
}

/** Digest of a state as [[key, canonical value text], ...] sorted by key (see ReplayReport.stateDigest). */
export function stateDigest(entries: Iterable<[string, string | null]>): string {
  const live = [...entries].filter((e): e is [string, string] => e[1] !== null).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return sha256Hex(canonicalJson(live));
}

export interface ReplayOptions {
  contracts: ContractClass[];
  /** A fresh directory, fed the system channel's writes as replay reaches each height. */
  directory: ConsortiumDirectory;
  systemChannel?: string;
  onProgress?: (height: number) => void;
}

/**
 * Rebuilds a channel's state from genesis by re-executing every logged transaction with the
 * contracts, in memory, and compares each block's writes, results and state root with the log.
 */
export async function replayChannel(store: LedgerStore, channel: string, opts: ReplayOptions): Promise<ReplayReport> {
  const systemChannel = opts.systemChannel ?? 'system';
  const contracts = new Map<string, DeployedContract>(
    opts.contracts.map((cls) => [cls.contractName, { cls, instance: new cls() as Record<string, unknown>, codeHash: contractCodeHash(cls) }]),
  );
  const state = new StateCache(Number.POSITIVE_INFINITY);
  const source: StateSource = {
    read: async () => new Map(),
    range: async (prefix, after, limit) => {
      const keys: string[] = [];
      for (const [k, v] of state.entries()) if (v !== null && k.startsWith(prefix) && (after === undefined || k > after)) keys.push(k);
      return keys
        .sort()
        .slice(0, limit)
        .map((key) => ({ key, value: state.get(key) ?? null }));
    },
  };

  // The system channel feeds the directory block by block; a business channel's blocks say which
  // system height authorised their senders (the engine's ~system-height write).
  const systemBlocks = channel === systemChannel ? undefined : store.blocks(systemChannel, 0)[Symbol.asyncIterator]();
  let systemNext: BlockRecord | undefined;
  const advanceSystem = async (to: number): Promise<void> => {
    if (!systemBlocks) return;
    while (opts.directory.height < to) {
      if (!systemNext) {
        const r = await systemBlocks.next();
        if (r.done) throw new Error(`system channel ends before height ${to}`);
        systemNext = r.value;
      }
      opts.directory.apply(systemNext.header.height, systemNext.writes.map((w) => [w.key, w.value === null ? null : (JSON.parse(w.value) as JsonValue)]));
      systemNext = undefined;
    }
  };

  let stateRoot = EMPTY_STATE_ROOT;
  let blocks = 0;
  let transactions = 0;
  for await (const block of store.blocks(channel, 0)) {
    const h = block.header;
    const mismatch = (reason: string): ReplayReport => ({
      channel,
      blocks,
      transactions,
      ok: false,
      mismatch: { height: h.height, reason },
      stateEntries: countState(state),
      stateDigest: stateDigest(state.entries()),
    });
    let writes: [string, string | null][];
    if (h.height === 0) {
      writes = block.writes.map((w) => [w.key, w.value]);
    } else {
      const recorded = block.writes.find((w) => w.key === SYSTEM_HEIGHT_KEY);
      if (recorded?.value) await advanceSystem(Number(JSON.parse(recorded.value)));
      let txs: ParsedTransaction[];
      try {
        txs = block.txs.map((t) => parseSignedTransaction(t.signed));
      } catch (e) {
        return mismatch(`a logged transaction is malformed: ${(e as Error).message}`);
      }
      const result = await executeBlock({
        channel,
        systemChannel,
        height: h.height,
        time: h.time,
        txs,
        contracts,
        directory: opts.directory,
        cache: state,
        source,
      });
      for (const [i, tx] of result.executed.entries()) {
        const logged = block.txs[i];
        if (tx.status !== logged.status || tx.result !== logged.result) {
          return mismatch(`transaction ${logged.hash}: replay gives ${tx.status} ${tx.result}, the log has ${logged.status} ${logged.result}`);
        }
      }
      writes = result.writes;
      const stored = canonicalJson(block.writes.map((w) => [w.key, w.value]));
      if (canonicalJson(writes) !== stored) return mismatch('replayed state writes differ from the logged writes');
    }
    stateRoot = nextStateRoot(stateRoot, writes.map(([k, v]) => [k, v === null ? null : sha256Hex(v)]));
    if (stateRoot !== h.stateRoot) return mismatch(`state root ${stateRoot} differs from the header's ${h.stateRoot}`);
    for (const [k, v] of writes) state.set(k, v);
    if (channel === systemChannel) opts.directory.apply(h.height, writes.map(([k, v]) => [k, v === null ? null : (JSON.parse(v) as JsonValue)]));
    blocks++;
    transactions += block.txs.length;
    opts.onProgress?.(h.height);
  }
  return {
    channel,
    blocks,
    transactions,
    ok: blocks > 0,
    stateEntries: countState(state),
    stateDigest: stateDigest(state.entries()),
    ...(blocks === 0 ? { mismatch: { height: 0, reason: 'no genesis block' } } : {}),
  };
}

function countState(state: StateCache): number {
  let n = 0;
  for (const [, v] of state.entries()) if (v !== null) n++;
  return n;
}
