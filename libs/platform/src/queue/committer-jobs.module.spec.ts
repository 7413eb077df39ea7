import 'reflect-metadata';
import { describe, it, expect, afterAll, afterEach } from '@jest/globals';
import type { Type } from '@nestjs/common';
import { sleep, waitFor } from '../embedded/local-process.js';
import { CommitterJobsService } from './committer-jobs.module.js';
import type { AnyJobHandler, CommitterJobHandler } from './job-handler.js';
import type { QueueModuleOptions } from './queue.module.js';
import { QueueName } from './queue.types.js';
import { withIdleHandlers } from './testing/idle-handlers.js';
import { deletePrefix, testPrefix } from './testing/local-redis.js';

const REDIS = 'redis://127.0.0.1:6379';
const prefix = testPrefix();

/** A catch-up that takes `ms`, counting its runs and how many ran at once; it fails while `failing`. */
class SlowCatchUp implements CommitterJobHandler<QueueName.EVIDENCE_ENVELOPE_EXPIRY> {
  readonly queue = QueueName.EVIDENCE_ENVELOPE_EXPIRY;
  runs = 0;
  running = 0;
  mostAtOnce = 0;
  failing = false;
  constructor(private readonly ms: number) {}
  async handle() {}
  async catchUp() {
    this.runs++;
    this.mostAtOnce = Math.max(this.mostAtOnce, ++this.running);
    await sleep(this.ms);
    this.running--;
    if (this.failing) throw new Error('the read model is down');
  }
}

/** No catch-up starts over the next 100 ms (five intervals of these tests). */
async function expectNoMoreRuns(handler: SlowCatchUp): Promise<void> {
  const runs = handler.runs;
  await sleep(100);
  expect(handler.runs).toBe(runs);
}

/** The committer's side of LedgerService: whether this process commits, and the takeover event. */
class FakeLedger {
  private listener: (() => void) | undefined;
  constructor(public isCommitter: boolean) {}
  onBecameCommitter(listener: () => void) {
    this.listener = listener;
  }
  takeOver() {
    this.isCommitter = true;
    this.listener?.();
  }
}

describe('CommitterJobsService: catching up on lost jobs', () => {
  const started: CommitterJobsService[] = [];
  afterEach(async () => {
    for (const s of started.splice(0)) await s.onModuleDestroy();
  });
  afterAll(() => deletePrefix(REDIS, prefix));

  function committerJobs(handler: SlowCatchUp, ledger: FakeLedger, everyMs: number) {
    const handlers = withIdleHandlers([handler as AnyJobHandler], 'committer');
    const types = handlers.map(() => class {}) as unknown as Type<AnyJobHandler>[];
    const warnings: Record<string, unknown>[] = [];
    const options: QueueModuleOptions = {
      connection: { url: REDIS, prefix },
      pool: undefined as never,
      handlers: [],
      runWorkers: false,
      settings: { [QueueName.LENDING_OVERDUE]: { schedule: undefined } },
      logger: { info: () => {}, warn: (_m, fields) => warnings.push(fields ?? {}), error: () => {} },
    };
    const service = new CommitterJobsService(options, ledger, { get: ((type: Type) => handlers[types.indexOf(type)]) as never }, types, { COMMITTER_CATCH_UP_MS: everyMs });
    started.push(service);
    service.onApplicationBootstrap();
    return { service, warnings };
  }

  it('catches up at once when committing, then every interval, never twice at once', async () => {
    const handler = new SlowCatchUp(100);
    const { service } = committerJobs(handler, new FakeLedger(true), 20);
    await sleep(0);
    expect(handler.runs).toBe(1);
    expect(service.running && service.catchingUpPeriodically).toBe(true);
    // Over 20 ticks go by: those that find the previous catch-up still running skip it.
    await sleep(450);
    expect(handler.runs).toBeGreaterThanOrEqual(3);
    expect(handler.mostAtOnce).toBe(1);
  });

  it('logs a failed catch-up and tries again at the next interval', async () => {
    const handler = new SlowCatchUp(5);
    handler.failing = true;
    const { warnings } = committerJobs(handler, new FakeLedger(true), 20);
    expect(await waitFor(async () => (handler.runs >= 3 ? true : undefined), 2_000, 10)).toBe(true);
    expect(warnings[0]).toEqual({ queue: QueueName.EVIDENCE_ENVELOPE_EXPIRY, error: 'the read model is down' });
  });

  it('a replica catches up only once it takes the ledger over, and stops when it no longer commits', async () => {
    const handler = new SlowCatchUp(1);
    const ledger = new FakeLedger(false);
    const { service } = committerJobs(handler, ledger, 20);
    await expectNoMoreRuns(handler);
    expect(handler.runs).toBe(0);
    expect(service.catchingUpPeriodically).toBe(false);

    ledger.takeOver();
    expect(await waitFor(async () => (handler.runs >= 2 ? true : undefined), 2_000, 10)).toBe(true);
    ledger.isCommitter = false;
    expect(await waitFor(async () => (service.catchingUpPeriodically ? undefined : true), 2_000, 10)).toBe(true);
    await expectNoMoreRuns(handler);

    const runs = handler.runs;
    ledger.takeOver();
    await sleep(0);
    expect(handler.runs).toBe(runs + 1);
    expect(service.catchingUpPeriodically).toBe(true);
  });

  it('at shutdown stops the timer and waits for a running catch-up', async () => {
    const handler = new SlowCatchUp(150);
    const { service } = committerJobs(handler, new FakeLedger(true), 20);
    await sleep(20);
    expect(handler.running).toBe(1);
    await service.onModuleDestroy();
    expect(handler.running).toBe(0);
    expect(service.catchingUpPeriodically).toBe(false);
    await expectNoMoreRuns(handler);
  });

  it('COMMITTER_CATCH_UP_MS=0: only when it starts committing', async () => {
    const handler = new SlowCatchUp(1);
    const { service } = committerJobs(handler, new FakeLedger(true), 0);
    await sleep(0);
    await expectNoMoreRuns(handler);
    expect(handler.runs).toBe(1);
    expect(service.catchingUpPeriodically).toBe(false);
  });
});
