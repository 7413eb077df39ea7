import { randomBytes } from 'node:crypto';
import { Chain, PgLedgerStore, signTransaction, type ChainConfig, type ContractClass, type SignedTransaction, type TxReceipt } from '@zizhu/chain';
import { SystemContract, SystemDirectory, genesisChannels, type GenesisDocument } from '@zizhu/contract-system';
import { NotaryContract } from '@zizhu/contract-sample';
import { Ed25519Signer, canonicalJson, generateEd25519, toBase64, type Keystore } from '@zizhu/crypto';
import { createDevConsortium } from '@zizhu/cli';
import { immediate, log } from './support.js';

export const CONTRACTS: ContractClass[] = [SystemContract, NotaryContract];

/** Business channels the benchmarks use: `bench-1` … `bench-4`, each with the three member orgs and the notary contract. */
export const CHANNELS = ['bench-1', 'bench-2', 'bench-3', 'bench-4'];
const MEMBERS = ['bank-a', 'regulator', 'platform-a'];

export interface Consortium {
  genesis: GenesisDocument;
  keystore: Keystore;
  /** Org admin signers (they register the user keys). */
  admins: Map<string, Ed25519Signer>;
  /** User keys ("clerks") spread over the member orgs; what the benchmark traffic is signed with. */
  users: Ed25519Signer[];
}

/** A consortium of three member orgs and `userKeys` user keys (registered per database by `registerUsers`). */
export async function benchConsortium(userKeys: number): Promise<Consortium> {
  const { genesis, keystore } = await createDevConsortium({
    consortium: 'bench',
    orgs: [
      { id: 'bank-a', name: 'Bank A', kind: 'BANK' },
      { id: 'regulator', name: 'Regulator', kind: 'REGULATOR' },
      { id: 'platform-a', name: 'Platform A', kind: 'PLATFORM' },
    ],
    channels: CHANNELS.map((name) => ({ name, members: MEMBERS, contracts: ['notary'] })),
    contracts: [NotaryContract],
    scryptN: 1024,
  });
  const admins = new Map(MEMBERS.map((org) => [org, keystore.signer(`${org}/admin`)]));
  const users = Array.from({ length: userKeys }, () => new Ed25519Signer(generateEd25519().privateKey));
  return { genesis, keystore, admins, users };
}

/** Durations (ms) of the store calls the engine makes per block, measured by wrapping the store. */
export interface StoreTimings {
  /** PgLedgerStore.commitBlock: BEGIN … COMMIT of one block. */
  commit: number[];
  /** PgLedgerStore.readState: the one read of state keys a block's transactions need and the cache lacks. */
  read: number[];
}

export const newTimings = (): StoreTimings => ({ commit: [], read: [] });

export interface OpenOptions {
  timings?: StoreTimings;
}

/**
 * Opens the engine on a database and creates the genesis channels. With `timings`, the store's
 * commitBlock and readState calls are timed by wrappers around the store object; the engine's code
 * is not changed.
 */
export async function openChain(url: string, consortium: Consortium, config: Partial<ChainConfig>, opts: OpenOptions = {}): Promise<Chain> {
  const store = new PgLedgerStore({ connectionString: url });
  const timings = opts.timings;
  if (timings) {
    const commit = store.commitBlock.bind(store);
    store.commitBlock = async (...a: Parameters<PgLedgerStore['commitBlock']>) => {
      const t0 = performance.now();
      try {
        return await commit(...a);
      } finally {
        timings.commit.push(performance.now() - t0);
      }
    };
    const read = store.readState.bind(store);
    store.readState = async (...a: Parameters<PgLedgerStore['readState']>) => {
      const t0 = performance.now();
      try {
        return await read(...a);
      } finally {
        timings.read.push(performance.now() - t0);
      }
    };
  }
  const chain = await Chain.open({
    store,
    directory: new SystemDirectory(),
    contracts: CONTRACTS,
    node: { name: consortium.genesis.nodes[0].name, signer: consortium.keystore.signer('node') },
    config,
  });
  for (const ch of genesisChannels(consortium.genesis)) await chain.createChannel(ch.name, ch);
  return chain;
}

/** Registers every user key through the system contract (`registerKey`, signed by its org's admin). */
export async function registerUsers(chain: Chain, consortium: Consortium): Promise<void> {
  const orgs = [...consortium.admins.keys()];
  const receipts = await Promise.all(
    consortium.users.map((u, i) => {
      const admin = consortium.admins.get(orgs[i % orgs.length])!;
      return chain.submit(
        signTransaction(
          { channel: 'system', contract: 'system', method: 'registerKey', args: { publicKey: toBase64(u.publicKey), roles: ['clerk'], label: `bench clerk ${i}` }, ts: Date.now() },
          admin,
        ),
      );
    }),
  );
  const bad = receipts.filter((r) => r.status !== 'COMMITTED');
  if (bad.length > 0) throw new Error(`registerKey reverted: ${JSON.stringify(bad[0].error)}`);
}

/**
 * Builds signed `notary.record` transactions: distinct ids, a random 32-byte digest, a title, a
 * reference and an amount (~210 bytes of arguments in canonical JSON), signed round-robin by the
 * user keys, `ts` = now.
 */
export class RecordFactory {
  private n = 0;
  private readonly tag = randomBytes(4).toString('hex');
  private pool = Buffer.alloc(0);
  private poolAt = 0;
  /** Time spent signing, ms. */
  signMs = 0;

  constructor(private readonly users: Ed25519Signer[]) {}

  next(channel: string): SignedTransaction {
    const t0 = performance.now();
    const i = this.n++;
    if (this.poolAt + 32 > this.pool.length) {
      this.pool = randomBytes(32 * 4096);
      this.poolAt = 0;
    }
    const digest = this.pool.toString('hex', this.poolAt, this.poolAt + 32);
    this.poolAt += 32;
    const args = {
      id: `inv-${this.tag}-${i.toString().padStart(8, '0')}`,
      digest,
      title: `Commercial invoice ${i % 97}/2026 for freight services, lot ${i % 1013}`,
      reference: `PO-${(i * 7919) % 1_000_000}-${this.tag}`,
      amount: String(1000 + ((i * 104729) % 9_000_000)),
    };
    const tx = signTransaction({ channel, contract: 'notary', method: 'record', args, ts: Date.now() }, this.users[i % this.users.length]);
    this.signMs += performance.now() - t0;
    return tx;
  }

  /** Bytes of one typical `record` call's arguments (canonical JSON). */
  sampleArgsBytes(): number {
    return Buffer.byteLength(canonicalJson(this.next('bench-1').envelope.args));
  }
}

/** Pre-signs `count` records spread round-robin over `channels`. */
export function preSign(factory: RecordFactory, channels: string[], count: number): (SignedTransaction | undefined)[] {
  const out = new Array<SignedTransaction | undefined>(count);
  for (let i = 0; i < count; i++) out[i] = factory.next(channels[i % channels.length]);
  return out;
}

/**
 * Pre-signs `count` records as JSON text, the form a client sends over the network: ~2.5 times
 * smaller than the objects, so the load generator's memory does not dominate the process's RSS.
 * The parse happens when a transaction is handed to the engine, inside the measured span.
 */
export function preSignText(factory: RecordFactory, channels: string[], count: number): (string | undefined)[] {
  const out = new Array<string | undefined>(count);
  for (let i = 0; i < count; i++) out[i] = JSON.stringify(factory.next(channels[i % channels.length]));
  return out;
}

/** A source over pre-signed JSON texts, parsing each as it is handed out and dropping the text. */
export function textSource(txs: (string | undefined)[]): () => SignedTransaction | undefined {
  let i = 0;
  return () => {
    if (i >= txs.length) return undefined;
    const text = txs[i];
    txs[i++] = undefined;
    return text === undefined ? undefined : (JSON.parse(text) as SignedTransaction);
  };
}

export interface PumpResult {
  submitted: number;
  committed: number;
  reverted: number;
  refused: number;
  firstError?: string;
  elapsedMs: number;
}

/**
 * Submits transactions from `source` keeping at most `window` in flight (open-loop-ish: a new one
 * goes in as soon as an old one resolves), at most `perTick` per event-loop turn so that the engine's
 * own callbacks run between. Resolves when every submitted transaction has resolved.
 */
export function pump(
  chain: Chain,
  source: () => SignedTransaction | undefined,
  opts: { window: number; perTick?: number; onReceipt?: (r: TxReceipt) => void },
): Promise<PumpResult> {
  const perTick = opts.perTick ?? 250;
  const t0 = performance.now();
  const res: PumpResult = { submitted: 0, committed: 0, reverted: 0, refused: 0, elapsedMs: 0 };
  let inflight = 0;
  let exhausted = false;
  let scheduled = false;
  return new Promise((resolve) => {
    const finish = () => {
      res.elapsedMs = performance.now() - t0;
      resolve(res);
    };
    const schedule = () => {
      if (scheduled) return;
      scheduled = true;
      setImmediate(feed);
    };
    const done = () => {
      inflight--;
      if (exhausted) {
        if (inflight === 0) finish();
      } else schedule();
    };
    function feed() {
      scheduled = false;
      let n = 0;
      while (!exhausted && inflight < opts.window && n < perTick) {
        const tx = source();
        if (!tx) {
          exhausted = true;
          break;
        }
        inflight++;
        n++;
        res.submitted++;
        chain.submit(tx).then(
          (r) => {
            if (r.status === 'COMMITTED') res.committed++;
            else {
              res.reverted++;
              res.firstError ??= `reverted: ${JSON.stringify(r.error)}`;
            }
            opts.onReceipt?.(r);
            done();
          },
          (e: Error) => {
            res.refused++;
            res.firstError ??= `refused: ${e.message}`;
            done();
          },
        );
      }
      if (exhausted) {
        if (inflight === 0) finish();
      } else if (inflight < opts.window) schedule();
    }
    feed();
  });
}

/** A source over a pre-signed array that drops each reference once handed out (so memory falls as it goes). */
export function arraySource(txs: (SignedTransaction | undefined)[]): () => SignedTransaction | undefined {
  let i = 0;
  return () => {
    if (i >= txs.length) return undefined;
    const tx = txs[i];
    txs[i++] = undefined;
    return tx;
  };
}

/**
 * Fills `channel` with `count` records through the engine, signing them in chunks while earlier
 * ones are in flight (never more than `window` + one chunk signed and not yet committed).
 */
export async function fillChannel(
  chain: Chain,
  factory: RecordFactory,
  channel: string,
  count: number,
  opts: { window: number; chunk: number; progressEvery?: number },
): Promise<PumpResult & { signMs: number }> {
  let made = 0;
  let chunk: SignedTransaction[] = [];
  let at = 0;
  const signBefore = factory.signMs;
  let nextReport = opts.progressEvery ?? 100_000;
  const t0 = performance.now();
  const source = (): SignedTransaction | undefined => {
    if (at >= chunk.length) {
      if (made >= count) return undefined;
      const n = Math.min(opts.chunk, count - made);
      chunk = new Array<SignedTransaction>(n);
      for (let i = 0; i < n; i++) chunk[i] = factory.next(channel);
      made += n;
      at = 0;
      if (made >= nextReport) {
        log(`  signed ${made.toLocaleString('en')} of ${count.toLocaleString('en')} (${Math.round(made / ((performance.now() - t0) / 1000))}/s so far)`);
        nextReport += opts.progressEvery ?? 100_000;
      }
    }
    const tx = chunk[at];
    (chunk as (SignedTransaction | undefined)[])[at++] = undefined;
    return tx;
  };
  const r = await pump(chain, source, { window: opts.window });
  return { ...r, signMs: factory.signMs - signBefore };
}

export { immediate };
