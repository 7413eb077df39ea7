import { describe, it, expect } from '@jest/globals';
import type { JobHandler } from './job-handler.js';
import { fromBullJobId, jobId, toBullJobId } from './job-id.js';
import { createJobRegistry, JobRegistryError } from './job-registry.js';
import { startWorkers } from './job-workers.js';
import { QueueName } from './queue.types.js';

class DeliverCheckpoint implements JobHandler<QueueName.CHECKPOINT_WEBHOOK> {
  readonly queue = QueueName.CHECKPOINT_WEBHOOK;
  async handle() {}
}
class AnotherDelivery implements JobHandler<QueueName.CHECKPOINT_WEBHOOK> {
  readonly queue = QueueName.CHECKPOINT_WEBHOOK;
  async handle() {}
}
class Cleanup implements JobHandler<QueueName.CLEANUP> {
  readonly queue = QueueName.CLEANUP;
  async handle() {}
}

describe('job registry: every queue has exactly one handler', () => {
  it('maps each queue to its handler', () => {
    const deliver = new DeliverCheckpoint();
    const cleanup = new Cleanup();
    const registry = createJobRegistry([cleanup, deliver]);
    expect(registry.get(QueueName.CHECKPOINT_WEBHOOK)).toBe(deliver);
    expect(registry.get(QueueName.CLEANUP)).toBe(cleanup);
  });

  it('refuses a missing handler, naming the queue', () => {
    expect(() => createJobRegistry([new DeliverCheckpoint()])).toThrow(new JobRegistryError(['cleanup (QueueName.CLEANUP)'], [], []));
    expect(() => createJobRegistry([new DeliverCheckpoint()])).toThrow('no handler for queue cleanup (QueueName.CLEANUP)');
  });

  it('refuses a duplicate handler, naming the queue and both handlers', () => {
    expect(() => createJobRegistry([new DeliverCheckpoint(), new AnotherDelivery(), new Cleanup()])).toThrow(
      'more than one handler for queue checkpoint-webhook (DeliverCheckpoint, AnotherDelivery)',
    );
  });

  it('refuses a handler of a queue that is not in the enum', () => {
    const stray = { queue: 'send-fax', handle: async () => {} } as unknown as JobHandler<QueueName.CLEANUP>;
    expect(() => createJobRegistry([new DeliverCheckpoint(), new Cleanup(), stray])).toThrow('handlers for unknown queue send-fax');
  });

  it('stops worker boot before it touches Redis', () => {
    // Nothing listens on port 1: had startWorkers connected first, it would not throw synchronously.
    expect(() => startWorkers([new Cleanup()], { url: 'redis://127.0.0.1:1' })).toThrow(JobRegistryError);
  });
});

describe('deterministic job ids', () => {
  it('join parts with ":" and refuse parts that would make them ambiguous', () => {
    expect(jobId('checkpoint', 'notary', 12, 'ab12')).toBe('checkpoint:notary:12:ab12');
    expect(() => jobId('checkpoint', 'a:b', 1)).toThrow(/free of ':'/);
    expect(() => jobId('checkpoint', '', 1)).toThrow(/non-empty/);
  });

  it.each(['checkpoint:notary:12:ab12', 'a%3Ab', '%', '%N1', '12345', 'plain', 'x:y:z'])('survive the BullMQ encoding: %s', (id) => {
    const bull = toBullJobId(id);
    expect(bull).not.toContain(':');
    expect(bull).not.toMatch(/^\d+$/);
    expect(fromBullJobId(bull)).toBe(id);
  });

  it('stay distinct once encoded', () => {
    const ids = ['a:b', 'a%3Ab', 'a%b', '1', '%N1', '%1'];
    expect(new Set(ids.map(toBullJobId)).size).toBe(ids.length);
  });
});
