import { describe, it, expect } from '@jest/globals';
import type { JobHandler } from './job-handler.js';
import { fromBullJobId, jobId, toBullJobId } from './job-id.js';
import { createJobRegistry, JobRegistryError } from './job-registry.js';
import { startWorkers } from './job-workers.js';
import { QUEUE_SETTINGS, QueueName } from './queue.types.js';

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
class DeliverEvent implements JobHandler<QueueName.EVENT_WEBHOOK> {
  readonly queue = QueueName.EVENT_WEBHOOK;
  async handle() {}
}
class ExpireEnvelope implements JobHandler<QueueName.EVIDENCE_ENVELOPE_EXPIRY> {
  readonly queue = QueueName.EVIDENCE_ENVELOPE_EXPIRY;
  async handle() {}
}
class ReconcileCustody implements JobHandler<QueueName.LENDING_RECONCILIATION> {
  readonly queue = QueueName.LENDING_RECONCILIATION;
  async handle() {}
}
class MarkOverdue implements JobHandler<QueueName.LENDING_OVERDUE> {
  readonly queue = QueueName.LENDING_OVERDUE;
  async handle() {}
}

describe('job registry: every queue has exactly one handler', () => {
  it('maps each queue the workers run to its handler', () => {
    const deliver = new DeliverCheckpoint();
    const cleanup = new Cleanup();
    const event = new DeliverEvent();
    const registry = createJobRegistry([cleanup, deliver, event, new ReconcileCustody()]);
    expect(registry.get(QueueName.CHECKPOINT_WEBHOOK)).toBe(deliver);
    expect(registry.get(QueueName.CLEANUP)).toBe(cleanup);
    expect(registry.get(QueueName.EVENT_WEBHOOK)).toBe(event);
    expect([...registry.keys()]).not.toContain(QueueName.EVIDENCE_ENVELOPE_EXPIRY);
  });

  it('refuses a missing handler, naming the queue', () => {
    expect(() => createJobRegistry([new DeliverCheckpoint(), new DeliverEvent(), new ReconcileCustody()])).toThrow(new JobRegistryError(['cleanup (QueueName.CLEANUP)'], [], []));
    expect(() => createJobRegistry([new DeliverCheckpoint(), new DeliverEvent(), new ReconcileCustody()])).toThrow('no handler for queue cleanup (QueueName.CLEANUP)');
  });

  it('refuses a duplicate handler, naming the queue and both handlers', () => {
    expect(() => createJobRegistry([new DeliverCheckpoint(), new AnotherDelivery(), new Cleanup(), new DeliverEvent()])).toThrow(
      'more than one handler for queue checkpoint-webhook (DeliverCheckpoint, AnotherDelivery)',
    );
  });

  it('refuses a handler of a queue that is not in the enum', () => {
    const stray = { queue: 'send-fax', handle: async () => {} } as unknown as JobHandler<QueueName.CLEANUP>;
    expect(() => createJobRegistry([new DeliverCheckpoint(), new Cleanup(), new DeliverEvent(), stray])).toThrow('handlers for unknown queue send-fax');
  });

  it("checks the committer's queues apart: each consumer has its own handlers, and refuses the other's", () => {
    const expire = new ExpireEnvelope();
    expect(QUEUE_SETTINGS[QueueName.EVIDENCE_ENVELOPE_EXPIRY].consumer).toBe('committer');
    const overdue = new MarkOverdue();
    expect([...createJobRegistry([expire, overdue], 'committer').entries()]).toEqual([
      [QueueName.EVIDENCE_ENVELOPE_EXPIRY, expire],
      [QueueName.LENDING_OVERDUE, overdue],
    ]);
    expect(() => createJobRegistry([], 'committer')).toThrow('no handler for queue evidence-envelope-expiry (QueueName.EVIDENCE_ENVELOPE_EXPIRY)');
    expect(() => createJobRegistry([new DeliverCheckpoint(), new Cleanup(), new DeliverEvent(), expire])).toThrow(
      'handlers for unknown queue evidence-envelope-expiry (ExpireEnvelope) (the committer runs it, not the worker)',
    );
    expect(() => createJobRegistry([expire, new Cleanup()], 'committer')).toThrow('cleanup (Cleanup) (the worker runs it, not the committer)');
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
