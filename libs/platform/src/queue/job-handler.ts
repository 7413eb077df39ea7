import type { JobPayloads, QueueName } from './queue.types.js';

/** What a handler learns about the job it runs. */
export interface JobContext {
  queue: QueueName;
  /** The deterministic job id given when it was enqueued (the same on every attempt). */
  jobId: string;
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number;
  maxAttempts: number;
}

/**
 * The one handler of a queue. Throwing fails the attempt: BullMQ retries it with exponential
 * backoff until the queue's attempts are spent, then keeps it as failed.
 */
export interface JobHandler<Q extends QueueName = QueueName> {
  readonly queue: Q;
  handle(payload: JobPayloads[Q], context: JobContext): Promise<unknown>;
}

/** A handler of any queue, with its payload type still tied to its queue. */
export type AnyJobHandler = { [Q in QueueName]: JobHandler<Q> }[QueueName];

/** A handler of a queue the committer runs (QueueSettings.consumer `committer`). */
export interface CommitterJobHandler<Q extends QueueName = QueueName> extends JobHandler<Q> {
  /**
   * Catches up on work whose job Redis lost (restarted empty, flushed, failed over without
   * persistence): called when this process starts committing (at boot, or on taking the ledger
   * over) and every COMMITTER_CATCH_UP_MS while it commits, never twice at once.
   */
  catchUp?(): Promise<unknown>;
}
