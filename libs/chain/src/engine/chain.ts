import { EventEmitter } from 'node:events';
import { Ajv, type ValidateFunction } from 'ajv';
import { canonicalJson, sha256Hex, toBase64, type Ed25519Signer, type JsonValue } from '@zizhu/crypto';
import { contractCodeHash, type ContractClass } from '../contract/index.js';
import { LedgerError, TransactionRefused } from '../errors.js';
import {
  blockHash,
  EMPTY_STATE_ROOT,
  GENESIS_PREV,
  keyIdOf,
  keyIdOfBase64,
  nextStateRoot,
  parseSignedTransaction,
  type BlockHeader,
  type ParsedTransaction,
  type SignedTransaction,
} from '../formats/index.js';
import { CompactRange, EMPTY_ROOT, assembleProof, consistencyProofPlan, decompose, inclusionProofPlan, leafEnd, leafHash, planNodes, type NodeId } from '../merkle/index.js';
import { checkpointBody, signNote, verifierKey } from '../checkpoint/index.js';
import type { BlockRecord, CommitLease, LedgerStore, SqlClient, StoredBlock, StoredNode, StoredTx } from '../store/ledger-store.js';
import type { ConsortiumDirectory } from './directory.js';
import { executeBlock, type DeployedContract, type StateSource } from './executor.js';
import { RequeueBatch, SoloOrderer, type Orderer } from './orderer.js';
import type { CommittedBlock, TxReceipt } from './receipt.js';
import { SignaturePool } from './signature-pool.js';
import { StateCache } from './state-cache.js';
import { NonceWindow, nonceDigest } from './nonce-window.js';

export interface ChainConfig {
  /** Cut a block at this many transactions (BLOCK_MAX_TXS). */
  blockMaxTxs: number;
  /** ...or this long after the oldest waiting transaction (BLOCK_MAX_WAIT_MS). */
  blockMaxWaitMs: number;
  maxPendingPerChannel: number;
  /** A transaction's `ts` may differ from the node clock by at most this much (ledger-formats §2: 5 minutes). */
  maxClockSkewMs: number;
  /** Worker threads verifying signatures (0: inline). */
  verifyWorkers: number;
  /**
   * Nice value (1-19) the verify workers lower themselves to, below the thread that runs the engine
   * (lowerThreadPriority, Linux); 0 leaves them at its priority.
   */
  verifyWorkerNice: number;
  stateCacheEntries: number;
  /**
   * Execute a business channel's next block while the last one is still being written (at most one
   * of each). Commits stay one at a time and in order, and a transaction resolves only once its own
   * block is durable; the system channel never runs ahead (its blocks change the directory).
   */
  pipelineBlocks: boolean;
}

/** How long recovery waits for an uncertain block's own write to finish before reading the head. */
const UNCERTAIN_SETTLE_MS = 10_000;

export const DEFAULT_CHAIN_CONFIG: ChainConfig = {
  blockMaxTxs: 2000,
  blockMaxWaitMs: 10,
  maxPendingPerChannel: 50_000,
  maxClockSkewMs: 5 * 60_000,
  verifyWorkers: 2,
  verifyWorkerNice: 0,
  stateCacheEntries: 100_000,
  pipelineBlocks: true,
};

export interface ChainOptions {
  /** Owned by the chain from now on: closed with it. */
  store: LedgerStore;
  /** A fresh directory; the chain feeds it the system channel's state and every later system block. */
  directory: ConsortiumDirectory;
  contracts: ContractClass[];
  /** This node's checkpoint signing key and its C2SP key name. */
  node: { name: string; signer: Ed25519Signer };
  systemChannel?: string;
  config?: Partial<ChainConfig>;
  /** Injected clock (ms since the epoch), so tests control time. */
  clock?: () => number;
  /**
   * Open as a standby when another process commits: serve reads from the database, refuse submits
   * with UNAVAILABLE, and take over every channel once the committer's leases free (it died or
   * closed). Without it, opening a chain another process commits fails with LEASE_HELD.
   */
  standby?: boolean | { retryMs?: number };
}

/** Writes a host adds to a block's commit transaction (read models, outboxes). */
export type Projection = (block: CommittedBlock, sql: SqlClient) => Promise<void>;

export interface InclusionProof {
  channel: string;
  leafIndex: number;
  treeSize: number;
  /** base64 of the leaf bytes. */
  leaf: string;
  /** base64 hashes, RFC 9162 §2.1.3 order. */
  proof: string[];
}

export interface ConsistencyProof {
  channel: string;
  fromSize: number;
  toSize: number;
  proof: string[];
}

interface ChannelRuntime {
  name: string;
  head: StoredBlock;
  stateRoot: string;
  frontier: CompactRange;
  cache: StateCache;
  nonces: NonceWindow;
  lease: CommitLease;
  broken?: Error;
  /** The last block, when its commit was uncertain: recovery learns whether it landed. */
  uncertain?: { hash: string; nonces: Buffer[]; landed: Promise<boolean> };
  /** The block being written while the next one executes on top of it (pipelined channels). */
  writing?: WritingBlock;
}

/** What the next block builds on while this one is written: its head, roots and final writes. */
interface WritingBlock {
  block: StoredBlock;
  stateRoot: string;
  frontier: CompactRange;
  writes: ReadonlyMap<string, string | null>;
  /** true once durable; false if its write failed (a block executed on top of it is ordered again). */
  landed: Promise<boolean>;
}

export interface ChainEvents {
  block: [CommittedBlock];
  error: [Error];
  /** A standby took over the commit leases and now commits every channel. */
  leader: [];
}

/**
 * The embedded chain engine: channels, pre-validation, ordering, execution, one durable Postgres
 * transaction per block, proofs and checkpoints. A host (the node, the CLI, a test) owns it.
 */
export class Chain extends EventEmitter<ChainEvents> {
  readonly config: ChainConfig;
  readonly systemChannel: string;
  readonly nodeKeyId: string;
  readonly verifierKey: string;
  private readonly store: LedgerStore;
  private readonly directory: ConsortiumDirectory;
  private readonly clock: () => number;
  private readonly channels = new Map<string, ChannelRuntime>();
  /** While a standby: the latest head of each channel, as the committing process wrote it. */
  private readonly standbyHeads = new Map<string, StoredBlock>();
  private standbyTimer?: NodeJS.Timeout;
  private readonly contracts = new Map<string, DeployedContract>();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly projections: Projection[] = [];
  private readonly pool: SignaturePool;
  private readonly orderer: Orderer;
  /** Leases whose connection died: the channel takes a new one before its next block. */
  private readonly lostLeases = new WeakSet<CommitLease>();
  private closed = false;

  private constructor(private readonly options: ChainOptions) {
    super();
    this.config = { ...DEFAULT_CHAIN_CONFIG, ...options.config };
    this.store = options.store;
    this.directory = options.directory;
    this.systemChannel = options.systemChannel ?? 'system';
    this.clock = options.clock ?? Date.now;
    this.nodeKeyId = keyIdOf(options.node.signer.publicKey);
    this.verifierKey = verifierKey(options.node.name, options.node.signer.publicKey);
    const ajv = new Ajv({ allErrors: false, strict: true });
    for (const cls of options.contracts) {
      if (this.contracts.has(cls.contractName)) throw new LedgerError('DUPLICATE_CONTRACT', `contract ${cls.contractName} registered twice`);
      this.contracts.set(cls.contractName, { cls, instance: new cls() as Record<string, unknown>, codeHash: contractCodeHash(cls) });
      for (const [method, spec] of Object.entries(cls.methods)) {
        this.validators.set(`${cls.contractName}.${method}`, ajv.compile(spec.args));
      }
    }
    this.pool = new SignaturePool(this.config.verifyWorkers, undefined, this.config.verifyWorkerNice);
    this.orderer = new SoloOrderer((channel, batch) => this.commitBlock(channel, batch), {
      blockMaxTxs: this.config.blockMaxTxs,
      blockMaxWaitMs: this.config.blockMaxWaitMs,
      maxPending: this.config.maxPendingPerChannel,
    });
  }

  /** Opens the chain on a store: migrates it, takes each channel's commit lease and loads its head. */
  static async open(options: ChainOptions): Promise<Chain> {
    const chain = new Chain(options);
    try {
      await chain.store.migrate();
      const names = await chain.store.channels();
      const leases = await chain.acquireAll(names);
      if (leases) await chain.loadChannels(names, leases);
      else if (options.standby) await chain.startStandby(names);
      else throw new LedgerError('LEASE_HELD', 'another process holds the commit lease of this chain (open it as a standby to wait for it)');
      return chain;
    } catch (e) {
      await chain.close();
      throw e;
    }
  }

  /** Code hashes of the contracts this node runs (what genesis and upgrades approve). */
  contractHashes(): Record<string, string> {
    return Object.fromEntries([...this.contracts].map(([name, d]) => [name, d.codeHash]));
  }

  channelNames(): string[] {
    return [...new Set([...this.channels.keys(), ...this.standbyHeads.keys()])];
  }

  hasChannel(name: string): boolean {
    return this.channels.has(name) || this.standbyHeads.has(name);
  }

  /** The latest block of a channel (a standby's view lags the committer by at most its retry interval). */
  head(channel: string): StoredBlock {
    const head = this.channels.get(channel)?.head ?? this.standbyHeads.get(channel);
    if (!head) throw new LedgerError('UNKNOWN_CHANNEL', `unknown channel ${channel}`);
    return head;
  }

  /**
   * Writes a channel's genesis block (height 0) with its initial state. The system channel must be
   * created first; its state feeds the directory. Idempotent: an existing channel is left as is.
   */
  async createChannel(name: string, genesis: { time: number; writes: [string, JsonValue][] }): Promise<StoredBlock> {
    const existing = this.channels.get(name);
    if (existing) return existing.head;
    const standing = this.standbyHeads.get(name);
    if (standing) return standing;
    if (this.standbyHeads.size > 0) throw new LedgerError('STANDBY', `a standby cannot create channel ${name}`);
    if (name !== this.systemChannel && !this.channels.has(this.systemChannel)) {
      throw new LedgerError('NO_SYSTEM_CHANNEL', `create the ${this.systemChannel} channel before ${name}`);
    }
    const lease = await this.takeLease(name);
    try {
      const sorted = [...new Map(genesis.writes.map(([k, v]) => [k, canonicalJson(v)])).entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      const header: BlockHeader = {
        channel: name,
        height: 0,
        prev: GENESIS_PREV,
        treeSize: 0,
        root: EMPTY_ROOT.toString('hex'),
        stateRoot: nextStateRoot(EMPTY_STATE_ROOT, sorted.map(([k, v]) => [k, sha256Hex(v)])),
        time: genesis.time,
        proposer: this.nodeKeyId,
        txCount: 0,
      };
      const hash = blockHash(header);
      // The system genesis names the consortium, which the checkpoint's origin needs (applying height 0 again is harmless).
      if (name === this.systemChannel) this.directory.apply(0, sorted.map(([k, v]) => [k, JSON.parse(v) as JsonValue]));
      const block: StoredBlock = { header, hash, checkpoint: this.checkpointFor(header, hash) };
      const writes = sorted.map(([key, value]) => ({ key, value }));
      await this.store.commitBlock({ block, txs: [], nodes: [], writes });
      this.channels.set(name, {
        name,
        head: block,
        stateRoot: header.stateRoot,
        frontier: CompactRange.empty(),
        cache: new StateCache(this.config.stateCacheEntries),
        nonces: new NonceWindow(this.config.maxClockSkewMs),
        lease,
      });
      return block;
    } catch (e) {
      await lease.release();
      throw e;
    }
  }

  addProjection(projection: Projection): void {
    this.projections.push(projection);
  }

  /**
   * Pre-validates a signed transaction (shape, signer, clock, contract, method, arguments, role,
   * nonce, signature) and orders it. Resolves with its receipt once its block is durable; a refused
   * transaction rejects with TransactionRefused and never reaches the log.
   *
   * `opts.preimage`: what signTransactionWithPreimage answered for `input` just before, in this
   * process (see parseSignedTransaction); the envelope is then not serialised again.
   */
  async submit(input: unknown, opts?: { preimage?: Buffer }): Promise<TxReceipt> {
    if (this.closed) throw new TransactionRefused('UNAVAILABLE', 'the chain is closed');
    const parsed = parseSignedTransaction(input, opts?.preimage);
    const env = parsed.signed.envelope;
    if (keyIdOfBase64(parsed.signed.publicKey, parsed.publicKey) !== env.signer) throw new TransactionRefused('BAD_SIGNATURE', 'publicKey does not match the signer key id');
    const rt = this.channels.get(env.channel);
    if (!rt) {
      if (this.standbyHeads.has(env.channel)) throw new TransactionRefused('UNAVAILABLE', `this process is a standby: another process commits channel ${env.channel}`);
      throw new TransactionRefused('UNKNOWN_CHANNEL', `unknown channel ${env.channel}`);
    }
    const now = this.clock();
    if (env.ts < now - this.config.maxClockSkewMs) throw new TransactionRefused('EXPIRED', `transaction ts ${env.ts} is more than ${this.config.maxClockSkewMs} ms in the past`);
    if (env.ts > now + this.config.maxClockSkewMs) throw new TransactionRefused('FUTURE_DATED', `transaction ts ${env.ts} is more than ${this.config.maxClockSkewMs} ms in the future`);
    const sender = this.directory.signer(env.signer);
    const channelInfo = this.directory.channel(env.channel);
    if (!sender || !channelInfo || !channelInfo.members.includes(sender.org)) {
      throw new TransactionRefused('UNKNOWN_SIGNER', `signer ${env.signer} is not an active key of a member of channel ${env.channel}`);
    }
    const deployed = this.contracts.get(env.contract);
    if (!deployed || !channelInfo.contracts.includes(env.contract)) throw new TransactionRefused('UNKNOWN_CONTRACT', `contract ${env.contract} is not deployed on channel ${env.channel}`);
    const status = this.directory.contract(env.contract, deployed.codeHash);
    if (status !== 'ACTIVE') {
      throw new TransactionRefused(
        status ? 'CONTRACT_DISABLED' : 'UNKNOWN_CONTRACT',
        status ? `contract ${env.contract} is ${status.toLowerCase()}` : `contract ${env.contract}'s code (${deployed.codeHash}) is not approved by the consortium`,
      );
    }
    const spec = deployed.cls.methods[env.method];
    if (!spec || !Object.hasOwn(deployed.cls.methods, env.method)) throw new TransactionRefused('UNKNOWN_METHOD', `contract ${env.contract} has no method ${env.method}`);
    const validate = this.validators.get(`${env.contract}.${env.method}`)!;
    if (!validate(env.args)) {
      const err = validate.errors?.[0];
      throw new TransactionRefused('INVALID_ARGS', `arguments of ${env.contract}.${env.method} are invalid: ${err ? `${err.instancePath || '/'} ${err.message}` : 'schema mismatch'}`);
    }
    if (spec.roles && !spec.roles.some((r) => sender.roles.includes(r))) {
      throw new TransactionRefused('FORBIDDEN', `${env.contract}.${env.method} needs one of the roles ${spec.roles.join(', ')}`);
    }
    if (spec.orgKinds && !spec.orgKinds.includes(sender.orgKind)) {
      throw new TransactionRefused('FORBIDDEN', `${env.contract}.${env.method} is for organisations of kind ${spec.orgKinds.join(', ')}`);
    }
    const nonce = nonceDigest(env.signer, env.nonce);
    if (rt.nonces.has(nonce)) throw new TransactionRefused('REPLAYED', `nonce ${env.nonce} was already used by this signer`);
    if (!(await this.pool.verify(parsed.publicKey, parsed.preimage, parsed.signature))) throw new TransactionRefused('BAD_SIGNATURE', 'the signature does not verify');
    // Added only now, and atomically checked: another submit of the same nonce may have passed while this one was verifying.
    if (!rt.nonces.add(nonce, env.ts, this.clock())) throw new TransactionRefused('REPLAYED', `nonce ${env.nonce} was already used by this signer`);
    try {
      return await this.orderer.order(env.channel, parsed);
    } catch (e) {
      // Never ordered or never committed: the nonce may be used again.
      if (!(e instanceof LedgerError && e.code === 'COMMIT_UNCERTAIN')) rt.nonces.delete(nonce);
      throw e;
    }
  }

  pendingTransactions(channel: string): number {
    return this.orderer.pending(channel);
  }

  /**
   * Orders a batch as the channel's next block. On a pipelined channel the orderer may cut the next
   * block as soon as this one is being written (`executed`); otherwise only once it is durable.
   */
  private commitBlock(channel: string, batch: ParsedTransaction[]): { executed: Promise<unknown>; committed: Promise<TxReceipt[]> } {
    if (!this.config.pipelineBlocks || channel === this.systemChannel) {
      const committed = this.executeAndWrite(channel, batch);
      return { executed: committed, committed };
    }
    let writingStarted!: () => void;
    const writing = new Promise<void>((resolve) => (writingStarted = resolve));
    const committed = this.executeAndWrite(channel, batch, writingStarted);
    // Settles when the next block may execute: this one is being written, or it failed before that.
    const executed = Promise.race([writing, committed]);
    executed.catch(() => undefined);
    return { executed, committed };
  }

  private async executeAndWrite(channel: string, batch: ParsedTransaction[], writingStarted?: () => void): Promise<TxReceipt[]> {
    const rt = this.runtime(channel);
    // The block before this one, if it is still being written: this one executes on top of it.
    const before = rt.writing;
    if (!before && (rt.broken || this.lostLeases.has(rt.lease))) await this.recover(rt);
    const base = before ?? { block: rt.head, stateRoot: rt.stateRoot, frontier: rt.frontier };
    const prev = base.block.header;
    const height = prev.height + 1;
    const time = Math.max(this.clock(), prev.time);
    const source: StateSource = {
      read: (keys) => this.store.readState(channel, keys),
      range: (prefix, after, limit) => this.store.rangeState(channel, prefix, after, limit),
    };
    const { executed, writes, finalWrites } = await executeBlock({
      channel,
      systemChannel: this.systemChannel,
      height,
      time,
      txs: batch,
      contracts: this.contracts,
      directory: this.directory,
      cache: rt.cache,
      source,
      pending: before?.writes,
    });
    const frontier = base.frontier.clone();
    const nodes: StoredNode[] = [];
    const firstLeaf = frontier.size;
    for (const tx of executed) {
      frontier.append(leafHash(tx.leaf), (node: NodeId, hash: Buffer) => nodes.push({ leafEnd: leafEnd(node), level: node.level, hash }));
    }
    const header: BlockHeader = {
      channel,
      height,
      prev: base.block.hash,
      treeSize: frontier.size,
      root: frontier.root().toString('hex'),
      stateRoot: nextStateRoot(
        base.stateRoot,
        writes.map(([k, v]) => [k, v === null ? null : sha256Hex(v)]),
      ),
      time,
      proposer: this.nodeKeyId,
      txCount: executed.length,
    };
    const hash = blockHash(header);
    const block: StoredBlock = { header, hash, checkpoint: this.checkpointFor(header, hash) };
    const txs: StoredTx[] = executed.map((tx, i) => ({
      channel,
      leafIndex: firstLeaf + i,
      height,
      hash: tx.parsed.hash,
      signed: tx.parsed.signed,
      preimage: tx.parsed.preimage,
      status: tx.status,
      result: tx.result,
      leaf: tx.leaf,
    }));
    const receipts: TxReceipt[] = executed.map((tx, i) => ({
      hash: tx.parsed.hash,
      channel,
      height,
      blockHash: hash,
      leafIndex: firstLeaf + i,
      status: tx.status,
      value: tx.value,
      events: tx.events,
      ...(tx.error ? { error: tx.error } : {}),
    }));
    let parsedWrites: [string, JsonValue | null][] | undefined;
    const committed: CommittedBlock = {
      channel,
      header,
      hash,
      checkpoint: block.checkpoint,
      receipts,
      transactions: executed.map((tx) => tx.parsed.signed),
      // Parsed only if a projection, listener or the directory reads them.
      get writes() {
        return (parsedWrites ??= writes.map(([k, v]) => [k, v === null ? null : (JSON.parse(v) as JsonValue)]));
      },
    };
    const project = this.projections.length > 0 ? async (sql: SqlClient) => {
      for (const p of this.projections) await p(committed, sql);
    } : undefined;
    if (before) {
      // Written strictly in order: only after the block this one builds on is durable.
      if (!(await before.landed)) throw new RequeueBatch(`block ${prev.height} of ${channel}, which block ${height} was executed on, did not commit`);
      // A lease lost meanwhile: recover (a new lease, the head reloaded) before writing anything.
      if (rt.broken || this.lostLeases.has(rt.lease)) throw new RequeueBatch(`channel ${channel} must recover before block ${height} is written`);
    }
    let landed!: (ok: boolean) => void;
    const mine: WritingBlock | undefined = writingStarted
      ? { block, stateRoot: header.stateRoot, frontier, writes: finalWrites, landed: new Promise<boolean>((resolve) => (landed = resolve)) }
      : undefined;
    if (mine) rt.writing = mine;
    writingStarted?.();
    const finish = (ok: boolean): void => {
      if (!mine) return;
      if (rt.writing === mine) rt.writing = undefined;
      landed(ok);
    };
    const write = this.store.commitBlock({ block, txs, nodes, writes: writes.map(([key, value]) => ({ key, value })) }, project);
    try {
      await Promise.race([write, rt.lease.lost]);
    } catch (e) {
      finish(false);
      // The commit may or may not have reached the database (a lost connection after COMMIT):
      // reload the channel from the store before the next block instead of guessing.
      rt.broken = e as Error;
      rt.uncertain = {
        hash,
        nonces: batch.map((tx) => nonceDigest(tx.signed.envelope.signer, tx.signed.envelope.nonce)),
        landed: write.then(
          () => true,
          () => false,
        ),
      };
      throw new LedgerError('COMMIT_UNCERTAIN', `block ${height} of ${channel} was not confirmed durable: ${(e as Error).message}`);
    }
    rt.head = block;
    rt.stateRoot = header.stateRoot;
    rt.frontier = frontier;
    for (const [k, v] of writes) rt.cache.set(k, v);
    finish(true);
    if (channel === this.systemChannel) this.directory.apply(height, committed.writes);
    this.emit('block', committed);
    return receipts;
  }

  /**
   * After an uncertain commit or a lost lease: take the channel's commit lease again if its
   * connection died (LEASE_HELD if another process took it meanwhile), then reload head, frontier
   * and state from the store.
   */
  private async recover(rt: ChannelRuntime): Promise<void> {
    // An uncertain block's write may still be running (the lease was lost first): let it settle
    // (boundedly) before reading the head, so that the head says whether it landed.
    const uncertain = rt.uncertain;
    const landed = uncertain ? await Promise.race([uncertain.landed, new Promise<undefined>((r) => setTimeout(() => r(undefined), UNCERTAIN_SETTLE_MS).unref())]) : undefined;
    if (this.lostLeases.has(rt.lease)) {
      const lease = await this.takeLease(rt.name);
      const old = rt.lease;
      rt.lease = lease;
      await old.release();
    }
    const head = await this.store.head(rt.name);
    if (!head) throw new LedgerError('NO_HEAD', `channel ${rt.name} has no blocks`);
    rt.frontier = await this.loadFrontier(rt.name, head.header.treeSize);
    rt.head = head;
    rt.stateRoot = head.header.stateRoot;
    rt.cache.clear();
    if (rt.name === this.systemChannel) this.reloadDirectory(head.header.height, await this.store.scanState(rt.name, ''));
    if (uncertain) {
      // Its write failed and the head is not that block: it never committed, and its
      // transactions' nonces are free again (a retry commits rather than being refused REPLAYED).
      if (landed === false && head.hash !== uncertain.hash) for (const n of uncertain.nonces) rt.nonces.delete(n);
      rt.uncertain = undefined;
    }
    rt.broken = undefined;
  }

  private reloadDirectory(height: number, entries: [string, string][]): void {
    this.directory.apply(height, entries.map(([k, v]) => [k, JSON.parse(v) as JsonValue]));
  }

  private checkpointFor(header: BlockHeader, hash: string): string {
    const body = checkpointBody({
      origin: `zizhu/${this.directory.consortiumId}/${header.channel}`,
      treeSize: header.treeSize,
      root: Buffer.from(header.root, 'hex'),
      height: header.height,
      blockHash: hash,
      time: header.time,
    });
    return signNote(body, this.options.node.name, this.options.node.signer);
  }

  private async takeLease(name: string): Promise<CommitLease> {
    const lease = await this.store.acquireCommitLease(name);
    if (!lease) throw new LedgerError('LEASE_HELD', `another process holds the commit lease of channel ${name}`);
    this.watchLease(name, lease);
    return lease;
  }

  private watchLease(name: string, lease: CommitLease): void {
    lease.lost.catch((e: Error) => {
      // Remembered even before the channel is loaded: its next block takes a new lease first.
      this.lostLeases.add(lease);
      const rt = this.channels.get(name);
      if (rt && rt.lease === lease && !this.closed) {
        rt.broken = e;
        this.emit('error', e);
      }
    });
  }

  private async loadFrontier(channel: string, size: number): Promise<CompactRange> {
    if (size === 0) return CompactRange.empty();
    const wanted = decompose(0, size);
    const found = await this.store.nodes(channel, wanted.map((n) => ({ leafEnd: leafEnd(n), level: n.level })));
    const hashes = wanted.map((n) => {
      const h = found.get(`${leafEnd(n)}/${n.level}`);
      if (!h) throw new LedgerError('MISSING_NODE', `channel ${channel}: tree node ${n.level}/${n.index} is missing`);
      return h;
    });
    return CompactRange.from(size, hashes);
  }

  /** Every channel's commit lease, or none (all released) if another process holds any of them. */
  private async acquireAll(names: string[]): Promise<Map<string, CommitLease> | undefined> {
    const leases = new Map<string, CommitLease>();
    for (const name of names) {
      const lease = await this.store.acquireCommitLease(name);
      if (!lease) {
        for (const l of leases.values()) await l.release();
        return undefined;
      }
      leases.set(name, lease);
    }
    return leases;
  }

  private async loadChannels(names: string[], leases: Map<string, CommitLease>): Promise<void> {
    try {
      // The system channel first: its state feeds the directory the others are checked against.
      const ordered = [...names].sort((a, b) => (a === this.systemChannel ? -1 : b === this.systemChannel ? 1 : 0));
      for (const name of ordered) {
        this.watchLease(name, leases.get(name)!);
        await this.loadChannel(name, leases.get(name)!);
        leases.delete(name);
      }
    } finally {
      for (const l of leases.values()) await l.release();
    }
  }

  private async startStandby(names: string[]): Promise<void> {
    for (const name of names) await this.followHead(name);
    const retryMs = typeof this.options.standby === 'object' ? (this.options.standby.retryMs ?? 1000) : 1000;
    const tick = async (): Promise<void> => {
      if (this.closed) return;
      try {
        const current = await this.store.channels();
        for (const name of current) await this.followHead(name);
        const leases = await this.acquireAll(current);
        if (leases && !this.closed) {
          await this.loadChannels(current, leases);
          this.standbyHeads.clear();
          this.emit('leader');
          return;
        }
      } catch (e) {
        if (!this.closed) this.emit('error', e as Error);
      }
      if (!this.closed) this.standbyTimer = setTimeout(() => void tick(), retryMs);
    };
    this.standbyTimer = setTimeout(() => void tick(), retryMs);
  }

  /**
   * A standby's view of a channel: its head as the committer wrote it, and for the system channel
   * the directory (members, keys, contracts) as of that head, so reads are authorised alike.
   */
  private async followHead(name: string): Promise<void> {
    const head = await this.store.head(name);
    if (!head) return;
    const before = this.standbyHeads.get(name);
    // Blocks the committer wrote since the last look, published here too (subscribers of a replica).
    if (before && head.header.height > before.header.height && this.listenerCount('block') > 0) {
      for (let h = before.header.height + 1; h <= head.header.height; h++) {
        const record = await this.store.block(name, h);
        if (record) this.emit('block', committedFromRecord(record));
      }
    }
    this.standbyHeads.set(name, head);
    if (name === this.systemChannel && before?.hash !== head.hash) this.reloadDirectory(head.header.height, await this.store.scanState(name, ''));
  }

  /** True when this process commits (holds the leases); false while a standby. */
  get isLeader(): boolean {
    return this.standbyHeads.size === 0 && this.channels.size > 0;
  }

  private async loadChannel(name: string, lease: CommitLease): Promise<void> {
    try {
      const head = await this.store.head(name);
      if (!head) throw new LedgerError('NO_HEAD', `channel ${name} has no blocks`);
      const frontier = await this.loadFrontier(name, head.header.treeSize);
      if (frontier.root().toString('hex') !== head.header.root) {
        throw new LedgerError('ROOT_MISMATCH', `channel ${name}: stored tree nodes do not give the head's root; run zizhu ledger verify`);
      }
      if (name === this.systemChannel) this.reloadDirectory(head.header.height, await this.store.scanState(name, ''));
      const nonces = new NonceWindow(this.config.maxClockSkewMs);
      const now = this.clock();
      for (const use of await this.store.recentNonces(name, now - 2 * this.config.maxClockSkewMs - 60_000)) nonces.add(use.digest, use.ts, now);
      this.channels.set(name, {
        name,
        head,
        stateRoot: head.header.stateRoot,
        frontier,
        cache: new StateCache(this.config.stateCacheEntries),
        nonces,
        lease,
      });
    } catch (e) {
      await lease.release();
      throw e;
    }
  }

  private runtime(channel: string): ChannelRuntime {
    const rt = this.channels.get(channel);
    if (!rt) throw new LedgerError('UNKNOWN_CHANNEL', `unknown channel ${channel}`);
    return rt;
  }

  /** Inclusion proof of a transaction's leaf in its channel's tree at `treeSize` (default: the head's). */
  async inclusionProof(channel: string, txHash: string, treeSize?: number): Promise<InclusionProof> {
    const rt = { head: this.head(channel) };
    const tx = await this.store.transaction(txHash);
    if (!tx || tx.channel !== channel) throw new LedgerError('NOT_FOUND', `transaction ${txHash} is not in channel ${channel}`);
    const size = treeSize ?? rt.head.header.treeSize;
    if (!Number.isSafeInteger(size) || size <= tx.leafIndex || size > rt.head.header.treeSize) {
      throw new LedgerError('BAD_TREE_SIZE', `tree size must be in (${tx.leafIndex}, ${rt.head.header.treeSize}]`);
    }
    const plan = inclusionProofPlan(tx.leafIndex, size);
    const proof = await this.assemble(channel, plan);
    return { channel, leafIndex: tx.leafIndex, treeSize: size, leaf: Buffer.from(tx.leaf, 'utf8').toString('base64'), proof };
  }

  async consistencyProof(channel: string, fromSize: number, toSize?: number): Promise<ConsistencyProof> {
    const rt = { head: this.head(channel) };
    const to = toSize ?? rt.head.header.treeSize;
    if (!Number.isSafeInteger(fromSize) || !Number.isSafeInteger(to) || fromSize < 1 || fromSize > to || to > rt.head.header.treeSize) {
      throw new LedgerError('BAD_TREE_SIZE', `need 1 <= fromSize <= toSize <= ${rt.head.header.treeSize}`);
    }
    return { channel, fromSize, toSize: to, proof: await this.assemble(channel, consistencyProofPlan(fromSize, to)) };
  }

  private async assemble(channel: string, plan: NodeId[][]): Promise<string[]> {
    const ids = planNodes(plan);
    const found = await this.store.nodes(channel, ids.map((n) => ({ leafEnd: leafEnd(n), level: n.level })));
    return assembleProof(plan, (n) => {
      const h = found.get(`${leafEnd(n)}/${n.level}`);
      if (!h) throw new LedgerError('MISSING_NODE', `channel ${channel}: tree node ${n.level}/${n.index} is missing`);
      return h;
    }).map(toBase64);
  }

  /** The latest signed checkpoint of a channel (C2SP signed note). */
  checkpoint(channel: string): string {
    return this.head(channel).checkpoint;
  }

  block(channel: string, height: number) {
    return this.store.block(channel, height);
  }

  transaction(hash: string) {
    return this.store.transaction(hash);
  }

  transactions(hashes: readonly string[]) {
    return this.store.transactions(hashes);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.standbyTimer) clearTimeout(this.standbyTimer);
    await this.orderer.close();
    await this.pool.close();
    for (const rt of this.channels.values()) await rt.lease.release();
    this.channels.clear();
    await this.store.close();
  }
}

/** A stored block as its commit published it (what a standby re-publishes of the committer's blocks). */
function committedFromRecord(record: BlockRecord): CommittedBlock {
  const { header, hash, checkpoint } = record;
  let transactions: SignedTransaction[] | undefined;
  return {
    channel: header.channel,
    header,
    hash,
    checkpoint,
    receipts: record.txs.map((tx) => {
      const result = JSON.parse(tx.result) as { value?: JsonValue; events?: TxReceipt['events']; error?: { code: string; message: string } };
      return {
        hash: tx.hash,
        channel: tx.channel,
        height: tx.height,
        blockHash: hash,
        leafIndex: tx.leafIndex,
        status: tx.status,
        value: result.value ?? null,
        events: result.events ?? [],
        ...(result.error ? { error: result.error } : {}),
      };
    }),
    // Parsed only if read.
    get transactions() {
      return (transactions ??= record.txs.map((tx) => tx.signed));
    },
    writes: record.writes.map((w) => [w.key, w.value === null ? null : (JSON.parse(w.value) as JsonValue)]),
  };
}
