import type pg from 'pg';
import { withTimeout, type JobQueues, type OutboxJob } from './job-queues.js';
import { QUEUE_NAMES, stderrQueueLogger, type QueueLogger, type QueueName } from './queue.types.js';

export interface OutboxRelayOptions {
  pool: pg.Pool;
  queues: JobQueues;
  /** Poll period while there is nothing to do. Default 250 ms. */
  intervalMs?: number;
  /** Rows moved per transaction. Default 200. */
  batchSize?: number;
  /** Longest wait for Redis to take a batch before the transaction is rolled back. Default 5 s. */
  dispatchTimeoutMs?: number;
  logger?: QueueLogger;
}

/**
 * Moves committed outbox rows into BullMQ (same job id), marking them dispatched in the same
 * PostgreSQL transaction that locked them. Several relays share the work (FOR UPDATE SKIP LOCKED).
 * While Redis is down the rows stay, and are moved when it returns. A crash between adding to
 * BullMQ and COMMIT re-adds the rows later, which BullMQ ignores (the job id exists).
 */
export class OutboxRelay {
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly dispatchTimeoutMs: number;
  private readonly logger: QueueLogger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private failures = 0;
  private downSince: number | undefined;
  private warnedDown = false;

  constructor(private readonly options: OutboxRelayOptions) {
    this.intervalMs = options.intervalMs ?? 250;
    this.batchSize = options.batchSize ?? 200;
    this.dispatchTimeoutMs = options.dispatchTimeoutMs ?? 5_000;
    this.logger = options.logger ?? stderrQueueLogger;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops polling; resolves once the batch in flight (if any) has committed or rolled back. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.loop().finally(() => (this.running = undefined));
    }, delayMs);
  }

  private async loop(): Promise<void> {
    let next = this.intervalMs;
    try {
      if (!this.options.queues.ready) {
        // Redis is connecting (boot) or away: nothing to try yet; say so once it lasts.
        this.downSince ??= Date.now();
        if (!this.warnedDown && Date.now() - this.downSince > 2_000) {
          this.warnedDown = true;
          this.logger.warn('queue: redis is not connected; jobs wait in the outbox', {});
        }
        next = Math.min(this.intervalMs * 2, 1_000);
      } else {
        if (this.warnedDown) this.logger.info('queue: redis is back; dispatching the outbox', { afterMs: Date.now() - (this.downSince ?? Date.now()) });
        this.downSince = undefined;
        this.warnedDown = false;
        // A full batch means more are waiting: go again at once.
        if ((await this.dispatchOnce()) === this.batchSize) next = 0;
        this.failures = 0;
      }
    } catch (e) {
      this.failures++;
      if (this.failures === 1 || this.failures % 40 === 0) this.logger.warn('queue: outbox relay cannot dispatch; rows stay in the outbox', { error: (e as Error).message, failures: this.failures });
      next = Math.min(this.intervalMs * 2 ** Math.min(this.failures, 3), 2_000);
    }
    this.schedule(next);
  }

  /**
   * One batch: lock undispatched rows (skipping rows another relay holds), add them to BullMQ,
   * mark them. Resolves with how many rows were dispatched; 0 without touching PostgreSQL while
   * Redis is down.
   */
  async dispatchOnce(): Promise<number> {
    if (!this.options.queues.ready) throw new Error('redis is not connected');
    const client = await this.options.pool.connect();
    // pg emits 'error' on a checked-out client whose connection dies (PostgreSQL going away), and
    // pg-pool listens only while the client is idle: without this the process would crash.
    const swallow = () => undefined;
    client.on('error', swallow);
    let release: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        const { rows } = await client.query<{ id: string; queue: QueueName; job_id: string; payload: unknown; run_at: Date | null }>(
          `SELECT id, queue, job_id, payload, run_at FROM job_outbox
            WHERE dispatched_at IS NULL AND queue = ANY($1::text[])
            ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
          // Rows of a queue this version does not know wait for one that does, without blocking the rest.
          [QUEUE_NAMES, this.batchSize],
        );
        if (rows.length > 0) {
          const jobs: OutboxJob[] = rows.map((r) => ({ queue: r.queue, jobId: r.job_id, payload: r.payload, ...(r.run_at ? { runAt: r.run_at.getTime() } : {}) }));
          await withTimeout(this.options.queues.addFromOutbox(jobs), this.dispatchTimeoutMs);
          await client.query('UPDATE job_outbox SET dispatched_at = now() WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
        }
        await client.query('COMMIT');
        return rows.length;
      } catch (e) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => (release = rollbackError));
        throw e;
      }
    } finally {
      // A connection that failed to roll back is broken: discard it rather than return it to the pool.
      if (!release) client.removeListener('error', swallow);
      client.release(release);
    }
  }
}
