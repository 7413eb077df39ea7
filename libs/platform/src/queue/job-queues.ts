import { Queue, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { SqlClient } from '@zizhu/chain';
import { toBullJobId } from './job-id.js';
import { closeRedis, redisOptions } from './redis-connection.js';
import {
  DEFAULT_QUEUE_PREFIX,
  QUEUE_NAMES,
  settingsOf,
  stderrQueueLogger,
  type QueueConnection,
  type QueueLogger,
  type QueueName,
  type QueueSettingsOverrides,
} from './queue.types.js';


/** How deep each queue is, for the node's Prometheus metrics. null: Redis (or PostgreSQL) did not answer. */
export interface QueueDepth {
  queue: QueueName;
  waiting: number | null;
  active: number | null;
  delayed: number | null;
  failed: number | null;
  /** Jobs committed to the outbox but not yet in Redis (grows while Redis is down). */
  outbox: number | null;
}

export interface OutboxJob {
  queue: QueueName;
  jobId: string;
  payload: unknown;
  /** Not before (ms since the epoch): a delayed BullMQ job. */
  runAt?: number;
}

/**
 * The producer and admin side of the queues: one BullMQ Queue per QueueName on one shared Redis
 * connection that fails fast (no offline queue) so the relay notices Redis is down instead of
 * piling up commands.
 */
export class JobQueues {
  readonly redis: Redis;
  private readonly queues: Map<QueueName, Queue>;
  private closed = false;

  constructor(
    readonly connection: QueueConnection,
    private readonly options: { settings?: QueueSettingsOverrides; logger?: QueueLogger } = {},
  ) {
    const logger = options.logger ?? stderrQueueLogger;
    this.redis = new Redis(connection.url, redisOptions({ enableOfflineQueue: false, maxRetriesPerRequest: 1 }));
    let lastError = '';
    this.redis.on('error', (e: Error) => {
      // One line per distinct error, not one per reconnect attempt.
      if (e.message !== lastError) logger.warn('queue: redis connection error', { error: e.message });
      lastError = e.message;
    });
    this.redis.on('ready', () => (lastError = ''));
    const prefix = connection.prefix ?? DEFAULT_QUEUE_PREFIX;
    this.queues = new Map(
      QUEUE_NAMES.map((name) => {
        const queue = new Queue(name, { connection: this.redis, prefix });
        queue.on('error', () => {}); // reported once above, from the shared connection
        return [name, queue];
      }),
    );
  }

  /** Whether Redis answers now (the relay only dispatches then). */
  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  queue(name: QueueName): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`unknown queue ${name}`);
    return queue;
  }

  /** BullMQ options of a job: its deterministic id, when it may run, retries with exponential backoff, retention. */
  jobOptions(queue: QueueName, jobId: string, runAt?: number): JobsOptions {
    const s = settingsOf(queue, this.options.settings);
    const delay = runAt === undefined ? 0 : Math.max(0, runAt - Date.now());
    return {
      jobId: toBullJobId(jobId),
      ...(delay > 0 ? { delay } : {}),
      attempts: s.attempts,
      backoff: { type: 'exponential', delay: s.backoffMs },
      // Kept a while so that a re-dispatch of the same id (a relay crash between add and mark) is a no-op.
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 30 * 24 * 3600 },
    };
  }

  /** Adds outbox rows to BullMQ; an id BullMQ already holds is skipped (the rest still added). */
  async addFromOutbox(jobs: readonly OutboxJob[]): Promise<void> {
    const byQueue = new Map<QueueName, OutboxJob[]>();
    for (const job of jobs) byQueue.set(job.queue, [...(byQueue.get(job.queue) ?? []), job]);
    for (const [name, batch] of byQueue) {
      await this.queue(name).addBulk(batch.map((j) => ({ name, data: j.payload, opts: this.jobOptions(name, j.jobId, j.runAt) })));
    }
  }

  /** Waiting, active, delayed and failed jobs per queue, and what waits in the outbox. */
  async depths(sql?: SqlClient, timeoutMs = 2_000): Promise<QueueDepth[]> {
    const outbox = sql ? await pendingInOutbox(sql).catch(() => null) : null;
    return Promise.all(
      QUEUE_NAMES.map(async (queue): Promise<QueueDepth> => {
        const pending = outbox ? (outbox.get(queue) ?? 0) : null;
        const counts = this.ready ? await withTimeout(this.queue(queue).getJobCounts('waiting', 'active', 'delayed', 'failed'), timeoutMs).catch(() => null) : null;
        return { queue, waiting: counts?.waiting ?? null, active: counts?.active ?? null, delayed: counts?.delayed ?? null, failed: counts?.failed ?? null, outbox: pending };
      }),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // The shared connection first, then let each queue's set-up on it settle while its error
    // listener is still attached: BullMQ reports a set-up that fails after close() to nobody, an
    // uncaught 'error' that kills the process (a node stopped while still connecting to Redis).
    // A set-up waiting for a Redis that is down (between reconnects) never settles, nor reports.
    const settles = this.redis.status !== 'reconnecting';
    await closeRedis(this.redis);
    if (settles) await withTimeout(Promise.all([...this.queues.values()].map((q) => q.waitUntilReady().catch(() => {}))), 1_000).catch(() => {});
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => {})));
  }
}

async function pendingInOutbox(sql: SqlClient): Promise<Map<string, number>> {
  const { rows } = await sql.query<{ queue: string; n: string }>('SELECT queue, count(*) AS n FROM job_outbox WHERE dispatched_at IS NULL GROUP BY queue');
  return new Map(rows.map((r) => [r.queue, Number(r.n)]));
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what = 'redis'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    // A guard only: it must not keep a process that has stopped everything else alive.
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
