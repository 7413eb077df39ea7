import { setImmediate as nextTurn } from 'node:timers/promises';
import { canonicalJson, hasNonIntegerNumber, jsonCopy, type JsonValue } from '@zizhu/crypto';
import { ContractError } from '../errors.js';
import { isContractKey, type ContractClass, type ContractContext, type ContractEvent, type Sender, type StateEntry } from '../contract/index.js';
import { leafTextOf, type TxStatus } from '../formats/index.js';
import type { ParsedTransaction } from '../formats/index.js';
import type { ConsortiumDirectory } from './directory.js';
import type { StateCache } from './state-cache.js';

export interface DeployedContract {
  cls: ContractClass;
  instance: Record<string, unknown>;
  codeHash: string;
}

/** Reads committed state that is not in the cache (the store, or replay's in-memory map). */
export interface StateSource {
  read(keys: string[]): Promise<Map<string, string>>;
  range(prefix: string, after: string | undefined, limit: number): Promise<{ key: string; value: string | null }[]>;
}

export interface ExecutedTx {
  parsed: ParsedTransaction;
  status: TxStatus;
  /** JCS text of the result: { events, value } or { error: { code, message } }. */
  result: string;
  leaf: string;
  events: ContractEvent[];
  value: JsonValue | null;
  error?: { code: string; message: string };
}

export interface BlockExecution {
  executed: ExecutedTx[];
  /** Final value per written key (canonical JSON text, or null for deleted), sorted by key. */
  writes: [string, string | null][];
  /** The same writes by key (what the next block reads while this one is written); not changed after. */
  finalWrites: ReadonlyMap<string, string | null>;
}

/** The engine's own key in a business channel's state: which system height authorised its senders. */
export const SYSTEM_HEIGHT_KEY = '~system-height';

const MAX_RANGE = 1000;

class Revert extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function checkValue(value: unknown, what: string): void {
  if (value === undefined) throw new Revert('INVALID_VALUE', `${what} is undefined`);
  if (hasNonIntegerNumber(value)) throw new Revert('INVALID_VALUE', `${what} contains a floating-point number`);
}

/**
 * Executes a block's transactions in order. Senders and contract statuses are resolved from the
 * directory synchronously, before any await, so the whole block sees one directory height.
 * A first "discovery" pass runs every transaction against what is already known to learn the keys
 * they read, so that the missing ones are fetched in one query instead of one round trip each.
 */
export async function executeBlock(args: {
  channel: string;
  systemChannel: string;
  height: number;
  time: number;
  txs: ParsedTransaction[];
  contracts: Map<string, DeployedContract>;
  directory: ConsortiumDirectory;
  cache: StateCache;
  source: StateSource;
  /**
   * The final writes of the block before this one while it is still being written (pipelined
   * execution): read before the cache and the store, which do not have them yet.
   */
  pending?: ReadonlyMap<string, string | null>;
}): Promise<BlockExecution> {
  const { channel, txs, contracts, directory, cache, source } = args;
  const pending = args.pending ?? new Map<string, string | null>();
  const channelInfo = directory.channel(channel);
  const systemHeight = directory.height;
  const plan = txs.map((parsed) => {
    const env = parsed.signed.envelope;
    const sender = directory.signer(env.signer);
    const deployed = contracts.get(env.contract);
    let refusal: Revert | undefined;
    if (!sender || !channelInfo?.members.includes(sender.org)) refusal = new Revert('SIGNER_REVOKED', 'the signing key is no longer active on this channel');
    else if (!deployed || !channelInfo.contracts.includes(env.contract)) refusal = new Revert('UNKNOWN_CONTRACT', `contract ${env.contract} is not deployed on ${channel}`);
    else if (directory.contract(env.contract, deployed.codeHash) !== 'ACTIVE') refusal = new Revert('CONTRACT_DISABLED', `contract ${env.contract} is frozen or revoked`);
    const senderView: Sender | undefined = sender ? { keyId: sender.keyId, org: sender.org, orgKind: sender.orgKind, roles: sender.roles } : undefined;
    return { parsed, sender: senderView, deployed, refusal, reads: refusal ? undefined : declaredReads(deployed!, env.method, env.args, senderView!) };
  });

  const blockWrites = new Map<string, string | null>();
  const lookup = (key: string): string | null | undefined => (blockWrites.has(key) ? blockWrites.get(key) : pending.has(key) ? pending.get(key) : cache.get(key));

  // Discovery: unknown keys read as absent; nothing is kept but the keys. A call that declares its
  // reads is not run for this.
  const missing = new Set<string>();
  for (const p of plan) {
    if (p.refusal || !p.sender || !p.deployed) continue;
    if (p.reads) {
      for (const key of p.reads) if (lookup(key) === undefined) missing.add(key);
      continue;
    }
    await runOne(
      p.parsed,
      p.sender,
      p.deployed,
      (key) => {
        const v = lookup(key);
        if (v === undefined) missing.add(key);
        return v ?? null;
      },
      true,
    ).catch(() => undefined);
  }
  if (missing.size > 0) {
    const keys = [...missing];
    const found = await source.read(keys);
    for (const k of keys) cache.set(k, found.get(k) ?? null);
  }

  const executed: ExecutedTx[] = [];
  for (let i = 0; i < plan.length; i++) {
    const p = plan[i];
    // A block of thousands of calls runs for tens of milliseconds without reaching the event loop
    // (contract calls await only settled promises): let I/O through now and then, above all the
    // answers to the previous block's commit, which is written meanwhile and gates the next one.
    if (i > 0 && i % YIELD_EVERY === 0) await nextTurn();
    const readThrough = async (key: string): Promise<string | null> => {
      const v = lookup(key);
      if (v !== undefined) return v;
      const found = (await source.read([key])).get(key) ?? null;
      cache.set(key, found);
      return found;
    };
    let outcome: Awaited<ReturnType<typeof runOne>> | Revert;
    if (p.refusal) outcome = p.refusal;
    else {
      try {
        outcome = await runOne(p.parsed, p.sender!, p.deployed!, readThrough);
      } catch (e) {
        outcome = e instanceof ContractError || e instanceof Revert ? new Revert(e.code, e.message) : new Revert('CONTRACT_FAILURE', (e as Error)?.message ?? String(e));
      }
    }
    const hash = p.parsed.hash;
    if (outcome instanceof Revert) {
      const error = { code: outcome.code, message: outcome.message };
      const result = canonicalJson({ error });
      executed.push({ parsed: p.parsed, status: 'REVERTED', result, leaf: leafText(result, 'REVERTED', hash), events: [], value: null, error });
    } else {
      for (const [k, v] of outcome.writes) blockWrites.set(k, v);
      const resultObj = { events: outcome.events as unknown as JsonValue, value: outcome.value };
      const result = canonicalJson(resultObj);
      executed.push({ parsed: p.parsed, status: 'COMMITTED', result, leaf: leafText(result, 'COMMITTED', hash), events: outcome.events, value: outcome.value });
    }
  }

  if (channel !== args.systemChannel) {
    const recorded = lookup(SYSTEM_HEIGHT_KEY) ?? (await readRecorded(source, cache));
    const now = String(systemHeight);
    if (recorded !== now) blockWrites.set(SYSTEM_HEIGHT_KEY, now);
  }

  const writes = [...blockWrites.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { executed, writes, finalWrites: blockWrites };

  async function runOne(
    parsed: ParsedTransaction,
    sender: Sender,
    deployed: DeployedContract,
    read: (key: string) => string | null | Promise<string | null>,
    /** Only learning which keys are read: nothing is kept, so nothing needs canonical bytes. */
    discovery = false,
  ): Promise<{ value: JsonValue | null; events: ContractEvent[]; writes: Map<string, string | null> }> {
    const env = parsed.signed.envelope;
    const txWrites = new Map<string, string | null>();
    const events: ContractEvent[] = [];
    const key = (k: string): string => {
      if (typeof k !== 'string' || !isContractKey(k)) throw new Revert('INVALID_KEY', `invalid state key ${JSON.stringify(k)}`);
      return k;
    };
    const current = async (k: string): Promise<string | null> => (txWrites.has(k) ? txWrites.get(k)! : await read(k));
    const ctx: ContractContext = {
      channel,
      sender,
      block: { height: args.height, time: args.time },
      tx: { hash: parsed.hash, nonce: env.nonce, ts: env.ts },
      state: {
        async get<T extends JsonValue = JsonValue>(k: string) {
          const v = await current(key(k));
          return v === null ? undefined : (JSON.parse(v) as T);
        },
        put(k: string, value: JsonValue) {
          if (discovery) {
            txWrites.set(key(k), JSON.stringify(value) ?? null);
            return;
          }
          checkValue(value, `value of ${k}`);
          txWrites.set(key(k), canonicalJson(value));
        },
        del(k: string) {
          txWrites.set(key(k), null);
        },
        async range<T extends JsonValue = JsonValue>(prefix: string, opts: { after?: string; limit?: number } = {}) {
          if (typeof prefix !== 'string' || (prefix !== '' && !isContractKey(prefix))) throw new Revert('INVALID_KEY', 'invalid range prefix');
          const limit = Math.min(Math.max(1, opts.limit ?? 100), MAX_RANGE);
          // Not yet in the store: the block being written, this block's earlier transactions, this one's.
          const unstored = new Map<string, string | null>();
          for (const src of [pending, blockWrites, txWrites]) for (const [k, v] of src) if (k.startsWith(prefix) && (opts.after === undefined || k > opts.after)) unstored.set(k, v);
          const stored = await source.range(prefix, opts.after, limit + unstored.size);
          const merged = new Map<string, string | null>();
          for (const s of stored) merged.set(s.key, s.value);
          for (const [k, v] of unstored) merged.set(k, v);
          const out: StateEntry<T>[] = [];
          for (const k of [...merged.keys()].sort()) {
            const v = merged.get(k);
            if (k[0] === '~' || v === null || v === undefined) continue;
            out.push({ key: k, value: JSON.parse(v) as T });
            if (out.length >= limit) break;
          }
          return out;
        },
      },
      emit(type: string, data: JsonValue = null) {
        if (typeof type !== 'string' || type.length === 0 || type.length > 128) throw new Revert('INVALID_EVENT', 'event type must be a short string');
        if (discovery) return;
        checkValue(data, `event ${type}`);
        // A private copy (the contract may change its object later); canonical bytes come once, with the result.
        events.push({ type, data: jsonCopy(data) });
      },
    };
    const method = deployed.instance[env.method] as (c: ContractContext, a: unknown) => unknown;
    if (typeof method !== 'function' || !Object.hasOwn(deployed.cls.methods, env.method)) throw new Revert('UNKNOWN_METHOD', `unknown method ${env.method}`);
    // Arguments are handed over as a private deep copy, so a contract cannot alter the logged envelope.
    const value = (await method.call(deployed.instance, ctx, jsonCopy(env.args))) as JsonValue | undefined;
    if (discovery || value === undefined) return { value: null, events, writes: txWrites };
    checkValue(value, 'result');
    return { value: jsonCopy(value), events, writes: txWrites };
  }
}

/** The keys a call declares it reads (ContractClass.reads), if it declares them and they are keys. */
function declaredReads(deployed: DeployedContract, method: string, args: { [key: string]: JsonValue }, sender: Sender): readonly string[] | undefined {
  if (!deployed.cls.reads || !Object.hasOwn(deployed.cls.methods, method)) return undefined;
  let keys: readonly string[] | undefined;
  try {
    keys = deployed.cls.reads(method, args, sender);
  } catch {
    // Arguments the call itself will refuse: it is run to discover its reads instead.
    return undefined;
  }
  return Array.isArray(keys) && keys.every((k) => typeof k === 'string' && isContractKey(k)) ? keys : undefined;
}

async function readRecorded(source: StateSource, cache: StateCache): Promise<string | null> {
  const v = (await source.read([SYSTEM_HEIGHT_KEY])).get(SYSTEM_HEIGHT_KEY) ?? null;
  cache.set(SYSTEM_HEIGHT_KEY, v);
  return v;
}

const leafText = leafTextOf;

/** Calls executed between two turns of the event loop. */
const YIELD_EVERY = 200;
