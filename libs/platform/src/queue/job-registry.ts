import type { AnyJobHandler } from './job-handler.js';
import { QUEUE_NAMES, QUEUE_SETTINGS, QueueName, queuesConsumedBy, type QueueConsumer } from './queue.types.js';

/** Boot refuses a queue without a handler, or with several (Immich's startup check). */
export class JobRegistryError extends Error {
  override readonly name = 'JobRegistryError';
  constructor(
    readonly missing: readonly string[],
    readonly duplicates: readonly string[],
    readonly unknown: readonly string[],
  ) {
    super(
      [
        missing.length ? `no handler for queue ${missing.join(', ')}` : '',
        duplicates.length ? `more than one handler for queue ${duplicates.join(', ')}` : '',
        unknown.length ? `handlers for unknown queue ${unknown.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; '),
    );
  }
}

/** Each queue's one handler, checked: every QueueName of one consumer has exactly one. */
export type JobRegistry = ReadonlyMap<QueueName, AnyJobHandler>;

/**
 * Checks the handlers of one consumer (default: the job workers): each of its queues has exactly
 * one, and none is for a queue it does not run (another consumer's, or one not in the enum).
 */
export function createJobRegistry(handlers: readonly AnyJobHandler[], consumer: QueueConsumer = 'worker'): JobRegistry {
  const queues = queuesConsumedBy(consumer);
  const byQueue = new Map<string, AnyJobHandler[]>();
  for (const handler of handlers) byQueue.set(handler.queue, [...(byQueue.get(handler.queue) ?? []), handler]);
  const describe = (queue: string) => `${queue} (${(byQueue.get(queue) ?? []).map((h) => h.constructor?.name ?? 'anonymous').join(', ')})`;
  const missing = queues.filter((q) => !byQueue.has(q)).map((q) => `${q} (QueueName.${enumKey(q)})`);
  const duplicates = [...byQueue.keys()].filter((q) => (byQueue.get(q)?.length ?? 0) > 1).map(describe);
  const unknown = [...byQueue.keys()]
    .filter((q) => !queues.includes(q as QueueName))
    .map((q) => (QUEUE_NAMES.includes(q as QueueName) ? `${describe(q)} (the ${QUEUE_SETTINGS[q as QueueName].consumer ?? 'worker'} runs it, not the ${consumer})` : describe(q)));
  if (missing.length || duplicates.length || unknown.length) throw new JobRegistryError(missing, duplicates, unknown);
  return new Map(queues.map((q) => [q, byQueue.get(q)![0]]));
}

function enumKey(queue: QueueName): string {
  return Object.entries(QueueName).find(([, v]) => v === queue)?.[0] ?? queue;
}
