import type { AnyJobHandler, JobHandler } from '../job-handler.js';
import { queuesConsumedBy, type QueueConsumer, type QueueName } from '../queue.types.js';

/** A handler that does nothing, for a queue a test does not exercise. */
class IdleHandler implements JobHandler {
  constructor(readonly queue: QueueName) {}
  async handle(): Promise<void> {}
}

/**
 * Test support: the given handlers, and an idle one for every other queue of the consumer, so a
 * runtime starts (the registry wants exactly one handler per queue) without a test naming queues
 * it does not exercise.
 */
export function withIdleHandlers(handlers: readonly AnyJobHandler[], consumer: QueueConsumer = 'worker'): AnyJobHandler[] {
  const covered = new Set(handlers.map((h) => h.queue));
  return [...handlers, ...queuesConsumedBy(consumer).filter((q) => !covered.has(q)).map((q) => new IdleHandler(q) as AnyJobHandler)];
}
