import type pg from 'pg';
import type { AnyJobHandler } from './job-handler.js';
import { JobQueues } from './job-queues.js';
import { startWorkers, type JobWorkers } from './job-workers.js';
import { OutboxRelay } from './outbox-relay.js';
import { stderrQueueLogger, type QueueConnection, type QueueLogger, type QueueSettingsOverrides } from './queue.types.js';

export interface JobRuntimeOptions {
  pool: pg.Pool;
  connection: QueueConnection;
  handlers: readonly AnyJobHandler[];
  settings?: QueueSettingsOverrides;
  logger?: QueueLogger;
  /** Relay poll period (default 250 ms). */
  relayIntervalMs?: number;
}

/** The relay and the workers of one process, started and stopped together. */
export interface JobRuntime {
  readonly queues: JobQueues;
  readonly relay: OutboxRelay;
  readonly workers: JobWorkers;
  /** Stops dispatching, lets running jobs finish, closes the Redis connections (not the pool). */
  stop(): Promise<void>;
}

/** Starts the outbox relay and the workers (throws JobRegistryError before anything starts). */
export function startJobRuntime(options: JobRuntimeOptions): JobRuntime {
  const { pool, connection, handlers, settings, logger } = options;
  const workers = startWorkers(handlers, connection, { settings, logger });
  const queues = new JobQueues(connection, { settings, logger });
  const relay = new OutboxRelay({ pool, queues, logger, intervalMs: options.relayIntervalMs });
  relay.start();
  let stopping: Promise<void> | undefined;
  return {
    queues,
    relay,
    workers,
    stop: () =>
      (stopping ??= (async () => {
        await relay.stop();
        await workers.close();
        await queues.close();
      })()),
  };
}

export interface WorkerProcessOptions extends JobRuntimeOptions {
  /** Signals that stop the process gracefully. Default SIGTERM and SIGINT. */
  signals?: NodeJS.Signals[];
  /** Longest graceful stop before exiting anyway with code 1. Default 30 s. */
  shutdownTimeoutMs?: number;
  /** After the workers stopped: close the pool, stop embedded servers. */
  onShutdown?: () => Promise<void>;
  /** Default process.exit. */
  exit?: (code: number) => void;
}

export interface WorkerProcess extends JobRuntime {
  /** Resolves once a signal's graceful stop has finished (just before `exit`). */
  readonly shutdown: Promise<number>;
}

/**
 * A worker-only process (`--role worker`): no HTTP, just the outbox relay and the workers. On
 * SIGTERM or SIGINT it stops taking jobs, lets running ones finish, runs onShutdown and exits 0;
 * a second signal, or a stop longer than shutdownTimeoutMs, exits 1 at once.
 */
export function runWorkerProcess(options: WorkerProcessOptions): WorkerProcess {
  const logger = options.logger ?? stderrQueueLogger;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const runtime = startJobRuntime(options);
  logger.info('queue: worker process started', { pid: process.pid });

  let resolveShutdown!: (code: number) => void;
  const shutdown = new Promise<number>((resolve) => (resolveShutdown = resolve));
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn('queue: second signal, exiting without waiting', { signal });
      exit(1);
      return;
    }
    stopping = true;
    logger.info('queue: stopping gracefully', { signal });
    const timer = setTimeout(() => {
      logger.error('queue: graceful stop took too long, exiting', { timeoutMs: options.shutdownTimeoutMs ?? 30_000 });
      exit(1);
    }, options.shutdownTimeoutMs ?? 30_000);
    timer.unref();
    void (async () => {
      let code = 0;
      try {
        await runtime.stop();
        await options.onShutdown?.();
      } catch (e) {
        logger.error('queue: error while stopping', { error: (e as Error).message });
        code = 1;
      }
      clearTimeout(timer);
      for (const s of signals) process.removeListener(s, onSignal);
      resolveShutdown(code);
      exit(code);
    })();
  };
  for (const s of signals) process.on(s, onSignal);
  return { ...runtime, shutdown };
}
