import type { AnyJobHandler } from './job-handler.js';
import { QUEUE_NAMES, QueueName } from './queue.types.js';

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

/** Each queue's one handler, checked: every QueueName has exactly one. */
export type JobRegistry = ReadonlyMap<QueueName, AnyJobHandler>;

export function createJobRegistry(handlers: readonly AnyJobHandler[]): JobRegistry {
  const byQueue = new Map<string, AnyJobHandler[]>();
  for (const handler of handlers) byQueue.set(handler.queue, [...(byQueue.get(handler.queue) ?? []), handler]);
  const describe = (queue: string) => `${queue} (${(byQueue.get(queue) ?? []).map((h) => h.constructor?.name ?? 'anonymous').join(', ')})`;
  const missing = QUEUE_NAMES.filter((q) => !byQueue.has(q)).map((q) => `${q} (QueueName.${enumKey(q)})`);
  const duplicates = [...byQueue.keys()].filter((q) => (byQueue.get(q)?.length ?? 0) > 1).map(describe);
  const unknown = [...byQueue.keys()].filter((q) => !QUEUE_NAMES.includes(q as QueueName)).map(describe);
  if (missing.length || duplicates.length || unknown.length) throw new JobRegistryError(missing, duplicates, unknown);
  return new Map(QUEUE_NAMES.map((q) => [q, byQueue.get(q)![0]]));
}

function enumKey(queue: QueueName): string {
  return Object.entries(QueueName).find(([, v]) => v === queue)?.[0] ?? queue;
}
