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

/** Executes and commits one ordered batch as the channel's next block. */
export type CommitBatch = (channel: string, batch: ParsedTransaction[]) => Promise<TxReceipt[]>;

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
  running?: Promise<void>;
}

/** Cuts a block every `blockMaxTxs` transactions or `blockMaxWaitMs` after the oldest waiting one; one block at a time per channel. */
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
    if (!lane) this.lanes.set(channel, (lane = { queue: [] }));
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
    lane.running = this.commit(
      channel,
      batch.map((w) => w.tx),
    ).then(
      (receipts) => batch.forEach((w, i) => w.resolve(receipts[i])),
      (e) => batch.forEach((w) => w.reject(e)),
    );
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
      for (const w of lane.queue.splice(0)) w.reject(new TransactionRefused('UNAVAILABLE', 'the orderer shut down before this transaction was ordered'));
    }
    await Promise.all(running);
  }
}
