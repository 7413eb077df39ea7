import { Queue, Worker, type Job } from 'bullmq';
import type { AnyJobHandler, JobHandler } from './job-handler.js';
import { fromBullJobId } from './job-id.js';
import { createJobRegistry } from './job-registry.js';
import { withTimeout } from './job-queues.js';
import { reconnectQuickly } from './redis-connection.js';
import {
  DEFAULT_QUEUE_PREFIX,
  settingsOf,
  stderrQueueLogger,
  type QueueConnection,
  type QueueConsumer,
  type QueueLogger,
  type QueueName,
  type QueueSettingsOverrides,
} from './queue.types.js';

export interface JobWorkersOptions {
  settings?: QueueSettingsOverrides;
  logger?: QueueLogger;
  /** How often schedules are checked (and re-created if Redis lost them). Default 60 s. */
  scheduleCheckMs?: number;
  /** Whose queues to run: the job workers' (default) or the committer's (QueueSettings.consumer). */
  consumer?: QueueConsumer;
}

export interface JobWorkers {
  readonly workers: ReadonlyMap<QueueName, Worker>;
  /** Resolves once every queue's schedule (if it has one) is registered in Redis. */
  readonly scheduled: Promise<void>;
  /** Stops taking jobs and waits for the running ones to finish. */
  close(): Promise<void>;
}

/**
 * Starts one BullMQ worker per queue of one consumer, after checking that each of them has exactly
 * one handler (throws JobRegistryError otherwise, before touching Redis). Queues with a schedule
 * get their job scheduler upserted (in the background, retried while Redis is down).
 */
export function startWorkers(handlers: readonly AnyJobHandler[], connection: QueueConnection, options: JobWorkersOptions = {}): JobWorkers {
  const consumer = options.consumer ?? 'worker';
  const registry = createJobRegistry(handlers, consumer);
  const logger = options.logger ?? stderrQueueLogger;
  const prefix = connection.prefix ?? DEFAULT_QUEUE_PREFIX;
  const redis = { url: connection.url, maxRetriesPerRequest: null, retryStrategy: reconnectQuickly };
  const workers = new Map<QueueName, Worker>();
  for (const queue of registry.keys()) {
    const handler = registry.get(queue) as JobHandler;
    const settings = settingsOf(queue, options.settings);
    const worker = new Worker(
      queue,
      (job: Job) =>
        handler.handle(job.data as never, {
          queue,
          jobId: fromBullJobId(job.id ?? ''),
          attempt: job.attemptsMade + 1,
          maxAttempts: job.opts.attempts ?? 1,
        }),
      { connection: redis, prefix, concurrency: settings.concurrency },
    );
    let lastError = '';
    worker.on('error', (e: Error) => {
      if (e.message !== lastError) logger.warn('queue: worker error', { queue, error: e.message });
      lastError = e.message;
    });
    worker.on('ready', () => (lastError = ''));
    worker.on('failed', (job: Job | undefined, e: Error) => {
      if (!job) return;
      const final = job.attemptsMade >= (job.opts.attempts ?? 1);
      const fields = { queue, jobId: fromBullJobId(job.id ?? ''), attempt: job.attemptsMade, error: e.message };
      if (final) logger.error('queue: job failed for good (kept in the failed set)', fields);
      else logger.info('queue: job attempt failed; retrying with backoff', fields);
    });
    workers.set(queue, worker);
  }

  const schedules = new ScheduleKeeper([...registry.keys()], connection.url, prefix, options.settings, logger, options.scheduleCheckMs);
  return {
    workers,
    scheduled: schedules.started,
    async close() {
      await schedules.close();
      await Promise.all([...workers.values()].map((w) => closeWorker(w)));
    },
  };
}

/**
 * Worker.close(), then make sure BullMQ's stalled-jobs checker has stopped: BullMQ 5 re-arms its
 * 30 s timer when close() lands while a check is in flight (a worker closed while it was still
 * connecting, or while Redis is down), which holds the process open for those 30 s.
 */
async function closeWorker(worker: Worker): Promise<void> {
  await settleSetUp(worker);
  await worker.close();
  const internals = worker as unknown as { stalledCheckerRunning?: boolean; stalledCheckStopper?: () => void };
  for (let i = 0; internals.stalledCheckerRunning && i < 100; i++) {
    internals.stalledCheckStopper?.();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Lets a BullMQ worker's or queue's connection set-up settle (boundedly) before it is closed, while
 * its error listeners are still attached: closed while still connecting, BullMQ reports the set-up
 * failing after close() has removed them, an uncaught 'error' (a process stopped just after it
 * started; the committer-jobs test met it under load). A connection waiting for a Redis that is
 * down (between reconnects) never settles, nor reports: it is not waited for.
 */
async function settleSetUp(target: Worker | Queue): Promise<void> {
  type Connection = { client: Promise<unknown>; status?: string; _client?: { status?: string } };
  const internals = target as unknown as { connection?: Connection; blockingConnection?: Connection };
  const connections = [internals.connection, internals.blockingConnection].filter((c): c is Connection => !!c && c.status === 'initializing' && c._client?.status !== 'reconnecting');
  if (connections.length === 0) return;
  await withTimeout(Promise.all(connections.map((c) => c.client.catch(() => {}))), 1_000).catch(() => {});
}

/**
 * Keeps each scheduled queue's BullMQ job scheduler in Redis: created at boot when missing (or
 * changed), and checked again every minute, because a Redis that restarted empty forgets it. An
 * existing scheduler is left alone, so restarting workers does not postpone its next run.
 */
class ScheduleKeeper {
  readonly started: Promise<void>;
  private readonly queues = new Map<QueueName, Queue>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private warned = false;

  constructor(
    names: readonly QueueName[],
    url: string,
    prefix: string,
    private readonly overrides: QueueSettingsOverrides | undefined,
    private readonly logger: QueueLogger,
    private readonly checkEveryMs = 60_000,
  ) {
    for (const name of names) {
      if (!settingsOf(name, overrides).schedule) continue;
      const queue = new Queue(name, { connection: { url, maxRetriesPerRequest: null, retryStrategy: reconnectQuickly }, prefix });
      queue.on('error', () => {});
      this.queues.set(name, queue);
    }
    this.started = this.queues.size ? this.keep(true) : Promise.resolve();
  }

  /** Resolves once every schedule is in Redis (retrying every 2 s while Redis is down). */
  private async keep(first: boolean): Promise<void> {
    let done = false;
    while (!done && !this.closed) {
      try {
        for (const [name, queue] of this.queues) await withTimeout(this.ensure(name, queue), 5_000);
        done = true;
        this.warned = false;
      } catch (e) {
        if (!this.warned) this.logger.warn('queue: cannot register a schedule yet; retrying', { error: (e as Error).message });
        this.warned = true;
        if (!first) break;
        // Unref'd: a retry must not keep a process alive that has closed everything else.
        await new Promise((resolve) => setTimeout(resolve, 2_000).unref());
      }
    }
    if (!this.closed) {
      this.timer = setTimeout(() => void this.keep(false), this.checkEveryMs);
      this.timer.unref();
    }
  }

  private async ensure(name: QueueName, queue: Queue): Promise<void> {
    const { schedule, attempts, backoffMs } = settingsOf(name, this.overrides);
    if (!schedule) return;
    const id = `${name}-schedule`;
    const existing = await queue.getJobScheduler(id);
    const same = existing && ('every' in schedule ? Number(existing.every) === schedule.every : existing.pattern === schedule.pattern);
    if (same) return;
    const template = { attempts, backoff: { type: 'exponential', delay: backoffMs }, removeOnComplete: { count: 100 }, removeOnFail: { count: 1_000 } };
    await queue.upsertJobScheduler(id, schedule, { name, data: {}, opts: template });
    this.logger.info('queue: schedule registered', { queue: name, ...schedule });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await Promise.all([...this.queues.values()].map(async (q) => {
      await settleSetUp(q);
      await q.close().catch(() => {});
    }));
  }
}
