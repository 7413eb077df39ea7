import type { ParsedTransaction } from '../formats/index.js';
import { TransactionRefused } from '../errors.js';
import type { TxReceipt } from './receipt.js';

/**
 * Puts validated transactions into blocks. `solo` (one node orders and commits) is the embedded
 * default; replicated and BFT orderers will sit behind the same interface.
 */
export interface Orderer {
  /** Resolves when the transaction's block is durably committed. */
  order(channel: string, tx: ParsedTransaction): Promise<TxReceipt>;
  /** Transactions waiting to be cut, per channel. */
  pending(channel: string): number;
  /** Stops cutting; waits for the block being committed. */
  close(): Promise<void>;
}

/**
 * Executes and commits one ordered batch as the channel's next block. `executed` settles when the
 * lane may cut its next block (that block then executes while this one is still being written);
 * `committed` when this block is durable. A batch whose `executed` rejects with RequeueBatch was
 * never written (the block before it failed): its transactions go back to the head of the queue.
 */
export type CommitBatch = (channel: string, batch: ParsedTransaction[]) => { executed: Promise<unknown>; committed: Promise<TxReceipt[]> };

/** The batch was executed on top of a block that then failed to commit: order it again. */
export class RequeueBatch extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RequeueBatch';
  }
}

export interface SoloOrdererOptions {
  blockMaxTxs: number;
  blockMaxWaitMs: number;
  /** Back-pressure: past this many waiting transactions a channel refuses with OVERLOADED. */
  maxPending: number;
}

interface Waiting {
  tx: ParsedTransaction;
  at: number;
  resolve: (r: TxReceipt) => void;
  reject: (e: unknown) => void;
}

interface Lane {
  queue: Waiting[];
  timer?: NodeJS.Timeout;
  /** The batch being executed (the next cut waits for it). */
  running?: Promise<void>;
  /** Batches cut and not yet durable (what close waits for). */
  writing: Set<Promise<void>>;
}

/**
 * Cuts a block every `blockMaxTxs` transactions or `blockMaxWaitMs` after the oldest waiting one.
 * Per channel, one block executes at a time, and the next is cut once it has executed (the commit
 * callback decides how far execution may run ahead of durable writes).
 */
export class SoloOrderer implements Orderer {
  private readonly lanes = new Map<string, Lane>();
  private closed = false;

  constructor(
    private readonly commit: CommitBatch,
    private readonly options: SoloOrdererOptions,
  ) {}

  pending(channel: string): number {
    return this.lanes.get(channel)?.queue.length ?? 0;
  }

  order(channel: string, tx: ParsedTransaction): Promise<TxReceipt> {
    if (this.closed) return Promise.reject(new TransactionRefused('UNAVAILABLE', 'the orderer is shutting down'));
    let lane = this.lanes.get(channel);
    if (!lane) this.lanes.set(channel, (lane = { queue: [], writing: new Set() }));
    if (lane.queue.length >= this.options.maxPending) {
      return Promise.reject(new TransactionRefused('OVERLOADED', `channel ${channel} has ${lane.queue.length} transactions waiting; retry later`));
    }
    return new Promise<TxReceipt>((resolve, reject) => {
      lane.queue.push({ tx, at: performance.now(), resolve, reject });
      this.schedule(channel, lane);
    });
  }

  private schedule(channel: string, lane: Lane): void {
    if (lane.running || lane.queue.length === 0 || this.closed) return;
    if (lane.queue.length >= this.options.blockMaxTxs) {
      this.cut(channel, lane);
      return;
    }
    if (lane.timer) return;
    const wait = Math.max(0, this.options.blockMaxWaitMs - (performance.now() - lane.queue[0].at));
    lane.timer = setTimeout(() => {
      lane.timer = undefined;
      this.cut(channel, lane);
    }, wait);
  }

  private cut(channel: string, lane: Lane): void {
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = undefined;
    const batch = lane.queue.splice(0, this.options.blockMaxTxs);
    if (batch.length === 0) return;
    let started: ReturnType<CommitBatch>;
    try {
      started = this.commit(
        channel,
        batch.map((w) => w.tx),
      );
    } catch (e) {
      started = { executed: Promise.reject(e), committed: Promise.reject(e) };
    }
    const { executed, committed } = started;
    lane.running = executed.then(
      () => undefined,
      (e: unknown) => {
        // Back to the head of the queue, before the next cut, so that their order is kept.
        if (e instanceof RequeueBatch && !this.closed) lane.queue.unshift(...batch);
      },
    );
    const writing: Promise<void> = committed.then(
      (receipts) => batch.forEach((w, i) => w.resolve(receipts[i])),
      (e: unknown) => {
        if (e instanceof RequeueBatch) {
          if (this.closed) batch.forEach((w) => w.reject(new TransactionRefused('UNAVAILABLE', 'the orderer shut down before this transaction was ordered')));
          return;
        }
        batch.forEach((w) => w.reject(e));
      },
    );
    lane.writing.add(writing);
    void writing.finally(() => lane.writing.delete(writing));
    void lane.running.finally(() => {
      lane.running = undefined;
      this.schedule(channel, lane);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const running: Promise<void>[] = [];
    for (const lane of this.lanes.values()) {
      if (lane.timer) clearTimeout(lane.timer);
      if (lane.running) running.push(lane.running);
      running.push(...lane.writing);
      for (const w of lane.queue.splice(0)) w.reject(new TransactionRefused('UNAVAILABLE', 'the orderer shut down before this transaction was ordered'));
    }
    await Promise.all(running);
  }
}
