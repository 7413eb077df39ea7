import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Subject, filter, type Observable } from 'rxjs';
import {
  Chain,
  LedgerError,
  PgLedgerStore,
  signTransactionWithPreimage,
  type BlockRecord,
  type CommittedBlock,
  type ConsistencyProof,
  type ContractClass,
  type InclusionProof,
  type JsonValue,
  type Projection,
  type SealedArgument,
  type StoredBlock,
  type StoredTx,
  type TxReceipt,
} from '@zizhu/chain';
import { SystemContract, SystemDirectory, genesisChannels, genesisHash, type GenesisDocument, type GenesisOrg } from '@zizhu/contract-system';
import { ConfigError } from '../config/config.js';
import type { ZizhuConfig } from '../config/config.schema.js';
import type { Clock } from '../config/config.module.js';
import { requirePrincipal, type Principal, type RequestContext } from '../context/principal.js';
import { badInput, forbidden, notFound, unauthenticated, unavailable } from '../graphql/errors.js';
import type { MetricsService } from '../observability/metrics.service.js';
import { toAsyncIterator } from './async-queue.js';
import { ledgerErrorToAppError, rethrowLedgerError } from './ledger-errors.js';
import type { NodeHome } from './node-home.js';
import { NodeKeystore } from './node-keystore.js';
import { SealSignError, SealSignPool, type SealedAndSigned } from './seal-sign-pool.js';

/** A call the node signs on someone's behalf. */
export interface ContractCall {
  channel: string;
  contract: string;
  method: string;
  args: { [key: string]: JsonValue };
}

export interface OrganizationRecord extends GenesisOrg {
  status: string;
}

export interface ChannelInfo {
  name: string;
  members: string[];
  contracts: string[];
  height: number;
  treeSize: number;
}

/**
 * The node's ledger: owns the chain (PgLedgerStore on DATABASE_URL, the system directory, the
 * registered contracts, the node key), submits transactions signed by clients or by the node on a
 * principal's behalf, and serves blocks, transactions, proofs, checkpoints and committed blocks.
 * Engine errors leave it as AppErrors (reason = the engine's code).
 */
export class LedgerService implements OnApplicationShutdown {
  private readonly logger = new Logger('Ledger');
  private readonly committed = new Subject<CommittedBlock>();
  private closed = false;
  private forwarder?: (signed: unknown) => Promise<TxReceipt>;

  private constructor(
    private readonly chain: Chain,
    private readonly store: PgLedgerStore,
    private readonly directory: SystemDirectory,
    readonly keys: NodeKeystore,
    readonly genesis: GenesisDocument,
    readonly nodeName: string,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
    private readonly sealing: SealSignPool,
  ) {
    chain.on('block', (block) => {
      this.committed.next(block);
      // A replica re-publishes the committer's blocks to its subscribers; only the committer counts them.
      if (!chain.isLeader) return;
      metrics.blocksCommitted.inc({ channel: block.channel });
      let reverted = 0;
      for (const r of block.receipts) if (r.status === 'REVERTED') reverted++;
      if (block.receipts.length > reverted) metrics.transactionsCommitted.inc({ channel: block.channel, status: 'COMMITTED' }, block.receipts.length - reverted);
      if (reverted > 0) metrics.transactionsCommitted.inc({ channel: block.channel, status: 'REVERTED' }, reverted);
    });
    chain.on('error', (e) => this.logger.error(`chain: ${e.message}`));
  }

  /**
   * Opens the chain on DATABASE_URL and creates the genesis channels that do not exist yet
   * (idempotent). `projections` run inside every block's commit transaction from the first block
   * on (read models, the job outbox); the tables they write must exist (the migrations run first).
   */
  static async open(args: {
    config: ZizhuConfig;
    databaseUrl: string;
    home: NodeHome;
    contracts: ContractClass[];
    projections?: readonly Projection[];
    clock: Clock;
    metrics: MetricsService;
  }): Promise<LedgerService> {
    const { config, home } = args;
    const node = home.genesis.nodes.find((n) => Buffer.from(n.publicKey, 'base64').equals(home.keystore.publicKey('node')));
    if (!node) throw new ConfigError('ZIZHU_HOME', `the keystore's \`node\` key is not a node of ${home.files.genesis}`);
    const store = new PgLedgerStore({ connectionString: args.databaseUrl });
    const directory = new SystemDirectory();
    let chain: Chain;
    try {
      chain = await Chain.open({
        store,
        directory,
        contracts: [SystemContract, ...args.contracts.filter((c) => c !== SystemContract)],
        node: { name: node.name, signer: home.keystore.signer('node') },
        config: { blockMaxTxs: config.BLOCK_MAX_TXS, blockMaxWaitMs: config.BLOCK_MAX_WAIT_MS, pipelineBlocks: config.BLOCK_PIPELINE, verifyWorkers: config.VERIFY_WORKERS, verifyWorkerNice: config.WORKER_NICE },
        clock: args.clock,
        // Another process commits: this one is a replica (reads here, writes forwarded) and takes
        // the commit leases over when the committer goes away.
        standby: config.REPLICA_TAKEOVER_MS > 0 ? { retryMs: config.REPLICA_TAKEOVER_MS } : undefined,
      });
    } catch (e) {
      // One process commits a channel (it holds the channel's advisory-lock lease): say so plainly.
      if (e instanceof LedgerError && e.code === 'LEASE_HELD') {
        throw new ConfigError(
          'DATABASE_URL',
          'holds a ledger another node process is committing to (LEASE_HELD: it holds the channels\' commit leases); one process commits a channel at a time: stop it, or start this one with --role worker',
        );
      }
      throw e;
    }
    for (const projection of args.projections ?? []) chain.addProjection(projection);
    try {
      if (chain.hasChannel(chain.systemChannel)) {
        const recorded = (await store.readState(chain.systemChannel, ['consortium'])).get('consortium');
        const hash = recorded ? (JSON.parse(recorded) as { genesisHash?: string }).genesisHash : undefined;
        if (hash !== genesisHash(home.genesis)) {
          throw new ConfigError('DATABASE_URL', `holds a ledger of another consortium than ${home.files.genesis} (genesis hash ${hash ?? 'unknown'})`);
        }
      }
      for (const ch of genesisChannels(home.genesis)) await chain.createChannel(ch.name, ch);
    } catch (e) {
      await chain.close();
      throw e;
    }
    const sealing = new SealSignPool(config.SEAL_WORKERS, config.WORKER_NICE);
    return new LedgerService(chain, store, directory, new NodeKeystore(home.keystore, home.files.keystore), home.genesis, node.name, args.clock, args.metrics, sealing);
  }

  get consortiumId(): string {
    return this.directory.consortiumId;
  }

  get systemChannel(): string {
    return this.chain.systemChannel;
  }

  /** The C2SP verifier key of the node's checkpoint signatures. */
  get verifierKey(): string {
    return this.chain.verifierKey;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** True when this process commits the ledger; false while it is a replica of the process that does. */
  get isCommitter(): boolean {
    return this.chain.isLeader;
  }

  /** Calls `listener` when this replica takes the commit leases over. */
  onBecameCommitter(listener: () => void): void {
    this.chain.on('leader', listener);
  }

  // ---- submitting -------------------------------------------------------------------------

  /**
   * A transaction signed by the client. The signing key must belong to the caller's organisation
   * (a principal acts only within its organisation); the engine checks everything else.
   */
  async submit(ctx: RequestContext, signed: unknown): Promise<TxReceipt> {
    const principal = requirePrincipal(ctx);
    const signer = (signed as { envelope?: { signer?: unknown } } | null)?.envelope?.signer;
    const owner = typeof signer === 'string' ? this.directory.signer(signer) : undefined;
    if (owner && owner.org !== principal.org) throw forbidden(`the signing key belongs to ${owner.org}, not to ${principal.org}`, 'FOREIGN_SIGNER');
    const channel = (signed as { envelope?: { channel?: unknown } } | null)?.envelope?.channel;
    return this.order(typeof channel === 'string' ? channel : 'unknown', signed);
  }

  /** Signs with the principal's own key in the node's keystore (`user/<id>`, `apikey/<id>`) and submits. */
  submitAs(principal: Principal, call: ContractCall): Promise<TxReceipt> {
    return this.submitWithKey(principal.signingKey, call);
  }

  /** Signs with a keystore key of this node (an organisation's admin key for identity changes) and submits. */
  submitWithKey(keyName: string, call: ContractCall): Promise<TxReceipt> {
    if (!this.keys.has(keyName)) throw unauthenticated(`this node holds no signing key ${keyName}`, 'NO_SIGNING_KEY');
    let signed: ReturnType<typeof signTransactionWithPreimage>;
    try {
      signed = signTransactionWithPreimage({ ...call, ts: this.clock() }, this.keys.signer(keyName));
    } catch (e) {
      // Only canonical JSON can be signed: a lone surrogate, say, has no canonical form.
      throw badInput(`the arguments cannot be signed: ${(e as Error).message}`, 'MALFORMED');
    }
    // Submitted in this same synchronous run: the engine takes the signed preimage as the envelope's text.
    return this.order(call.channel, signed.signed, true, signed.preimage);
  }

  /**
   * submitAs for a call carrying sealed metadata: `seal.plaintext` is sealed (JWE to
   * `seal.recipients`) into `call.args[seal.field]`, the call signed with the principal's key and
   * submitted. Sealing and signing run on the node's sealing workers (SEAL_WORKERS), inline with 0.
   * `batch` (openSealingBatch) lets a batch's JWEs share ephemeral keys per recipient.
   */
  async submitSealedAs(principal: Principal, call: ContractCall, seal: SealedArgument, batch?: string): Promise<TxReceipt> {
    const keyName = principal.signingKey;
    if (!this.keys.has(keyName)) throw unauthenticated(`this node holds no signing key ${keyName}`, 'NO_SIGNING_KEY');
    let out: SealedAndSigned;
    try {
      out = await this.sealing.run({ fields: { ...call, ts: this.clock() }, seal, keyName, seed: this.keys.seed(keyName), ...(batch ? { batch } : {}) });
    } catch (e) {
      // Only canonical JSON can be signed (a lone surrogate, say, has none); recipients are checked before.
      if (e instanceof SealSignError) throw badInput(`the arguments cannot be sealed and signed: ${e.message}`, 'MALFORMED');
      // The pool closing (shutdown) or a worker that died: nothing was submitted, the call may be retried.
      throw unavailable(`sealing failed: ${(e as Error).message}`, 'SEALING_UNAVAILABLE');
    }
    // Nothing runs between here and the engine's parse: it takes the signed preimage as the envelope's text.
    return this.order(call.channel, out.signed, true, out.preimage);
  }

  /** A sealing batch for submitSealedAs; close it (closeSealingBatch) when its calls are sealed. */
  openSealingBatch(): string {
    return this.sealing.openBatch();
  }

  closeSealingBatch(batch: string): void {
    this.sealing.closeBatch(batch);
  }

  /**
   * How a replica hands a signed transaction to the process that commits (set by the HTTP layer,
   * which knows where that is). Without one, a replica refuses writes as UNAVAILABLE.
   */
  setForwarder(forward: (signed: unknown) => Promise<TxReceipt>): void {
    this.forwarder = forward;
  }

  /** A transaction a replica forwarded (the replica has authorised it): ordered here as if submitted here. */
  orderForwarded(signed: unknown): Promise<TxReceipt> {
    const channel = (signed as { envelope?: { channel?: unknown } } | null)?.envelope?.channel;
    // Never forwarded again: a process that is no longer the committer refuses (UNAVAILABLE).
    return this.order(typeof channel === 'string' ? channel : 'unknown', signed, false);
  }

  private async order(channel: string, signed: unknown, mayForward = true, preimage?: Buffer): Promise<TxReceipt> {
    // Signed here (keys and authorisation are this process's), committed there.
    if (mayForward && this.forwarder && !this.chain.isLeader) return this.forwarder(signed);
    const started = process.hrtime.bigint();
    try {
      const receipt = await this.chain.submit(signed, preimage ? { preimage } : undefined);
      this.metrics.commitLatency.observe({ channel: receipt.channel }, Number(process.hrtime.bigint() - started) / 1e9);
      return receipt;
    } catch (e) {
      const mapped = ledgerErrorToAppError(e);
      this.metrics.transactionsRefused.inc({ code: mapped?.reason ?? 'ERROR' });
      if (!mapped) this.logger.error(`submit on ${channel} failed: ${(e as Error).stack ?? e}`);
      throw mapped ?? e;
    }
  }

  // ---- reading ----------------------------------------------------------------------------

  /** Throws NOT_FOUND for an unknown channel and FORBIDDEN when the principal's organisation is not a member. */
  assertChannelReadable(principal: Principal, channel: string): void {
    const info = this.directory.channel(channel);
    if (!info || !this.chain.hasChannel(channel)) throw notFound(`no channel ${channel}`);
    if (!info.members.includes(principal.org)) throw forbidden(`${principal.org} is not a member of channel ${channel}`, 'NOT_A_MEMBER');
  }

  /** Channels the organisation is a member of, with their heads. */
  channels(org: string): ChannelInfo[] {
    return this.chain
      .channelNames()
      .sort()
      .flatMap((name) => {
        const info = this.directory.channel(name);
        if (!info || !info.members.includes(org)) return [];
        const head = this.chain.head(name).header;
        return [{ name, members: [...info.members], contracts: [...info.contracts], height: head.height, treeSize: head.treeSize }];
      });
  }

  head(channel: string): StoredBlock {
    try {
      return this.chain.head(channel);
    } catch (e) {
      return rethrowLedgerError(e);
    }
  }

  /** The consortium's organisations as the system channel records them now. */
  async organizations(): Promise<OrganizationRecord[]> {
    const rows = await this.store.scanState(this.systemChannel, 'org/');
    return rows.map(([, value]) => JSON.parse(value) as OrganizationRecord).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async organization(id: string): Promise<OrganizationRecord | undefined> {
    const value = (await this.store.readState(this.systemChannel, [`org/${id}`])).get(`org/${id}`);
    return value ? (JSON.parse(value) as OrganizationRecord) : undefined;
  }

  block(channel: string, height: number): Promise<BlockRecord | undefined> {
    return this.store.block(channel, height);
  }

  /** Up to `first` blocks, newest first, below `beforeHeight` (exclusive; default: above the head). */
  async blocks(channel: string, first: number, beforeHeight?: number): Promise<BlockRecord[]> {
    const top = Math.min(beforeHeight === undefined ? Number.MAX_SAFE_INTEGER : beforeHeight - 1, this.head(channel).header.height);
    if (top < 0 || first <= 0) return [];
    const out: BlockRecord[] = [];
    for await (const b of this.store.blocks(channel, Math.max(0, top - first + 1), top)) out.push(b);
    return out.reverse();
  }

  transaction(hash: string): Promise<StoredTx | undefined> {
    return this.store.transaction(hash);
  }

  /** Stored transactions by hash, in one query (those not stored are absent). */
  transactions(hashes: readonly string[]): Promise<Map<string, StoredTx>> {
    return this.store.transactions(hashes);
  }

  checkpoint(channel: string): string {
    try {
      return this.chain.checkpoint(channel);
    } catch (e) {
      return rethrowLedgerError(e);
    }
  }

  async inclusionProof(channel: string, txHash: string, treeSize?: number): Promise<InclusionProof> {
    try {
      return await this.chain.inclusionProof(channel, txHash, treeSize);
    } catch (e) {
      return rethrowLedgerError(e);
    }
  }

  async consistencyProof(channel: string, fromSize: number, toSize?: number): Promise<ConsistencyProof> {
    try {
      return await this.chain.consistencyProof(channel, fromSize, toSize);
    } catch (e) {
      return rethrowLedgerError(e);
    }
  }

  /** Blocks as they commit (after they are durable), optionally of one channel. */
  committedBlocks(channel?: string): Observable<CommittedBlock> {
    return channel === undefined ? this.committed.asObservable() : this.committed.pipe(filter((b) => b.channel === channel));
  }

  /** The same, as an AsyncIterator for GraphQL subscriptions. */
  committedBlocksIterator(channel?: string): AsyncIterableIterator<CommittedBlock> {
    return toAsyncIterator(this.committedBlocks(channel));
  }

  /** The chain's signer directory: who a key id belongs to (active keys only). */
  signerOf(keyId: string) {
    return this.directory.signer(keyId);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.committed.complete();
    await this.sealing.close();
    await this.chain.close();
  }
}
