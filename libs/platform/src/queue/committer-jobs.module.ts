import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnModuleDestroy, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ZIZHU_CONFIG } from '../config/config.js';
import type { ZizhuConfig } from '../config/config.schema.js';
import { LedgerService } from '../ledger/ledger.service.js';
import type { AnyJobHandler, CommitterJobHandler } from './job-handler.js';
import { createJobRegistry } from './job-registry.js';
import { startWorkers, type JobWorkers } from './job-workers.js';
import { QUEUE_MODULE_OPTIONS, type QueueModuleOptions } from './queue.module.js';
import { stderrQueueLogger, type QueueLogger } from './queue.types.js';

export const COMMITTER_JOB_TYPES = Symbol('COMMITTER_JOB_TYPES');

/**
 * Runs the queues whose consumer is the committer (jobs that submit transactions with the node's
 * keys, which worker processes do not hold) in the API process while it commits the ledger: from
 * boot if it does, from the moment a replica takes the ledger over otherwise. Boot fails when such
 * a queue has no handler, or several. The handlers are providers of the modules' API modules.
 * Their catch-ups (work whose job Redis lost) run when it starts committing and every
 * COMMITTER_CATCH_UP_MS while it does.
 */
@Injectable()
export class CommitterJobsService implements OnApplicationBootstrap, OnModuleDestroy {
  private handlers: CommitterJobHandler[] = [];
  private workers: JobWorkers | undefined;
  private catchUpTimer: NodeJS.Timeout | undefined;
  /** The catch-ups running now, one at most per handler. */
  private readonly catchingUp = new Map<CommitterJobHandler, Promise<void>>();
  private readonly logger: QueueLogger;
  private stopped = false;

  constructor(
    @Inject(QUEUE_MODULE_OPTIONS) private readonly options: QueueModuleOptions,
    @Inject(LedgerService) private readonly ledger: Pick<LedgerService, 'isCommitter' | 'onBecameCommitter'>,
    @Inject(ModuleRef) private readonly moduleRef: Pick<ModuleRef, 'get'>,
    @Inject(COMMITTER_JOB_TYPES) private readonly types: readonly Type<AnyJobHandler>[],
    @Inject(ZIZHU_CONFIG) private readonly config: Pick<ZizhuConfig, 'COMMITTER_CATCH_UP_MS'>,
  ) {
    this.logger = options.logger ?? stderrQueueLogger;
  }

  onApplicationBootstrap(): void {
    this.handlers = this.types.map((type) => this.moduleRef.get(type, { strict: false }));
    createJobRegistry(this.handlers as AnyJobHandler[], 'committer');
    if (this.ledger.isCommitter) this.start();
    this.ledger.onBecameCommitter(() => this.start());
  }

  /** Whether this process runs the committer's queues now. */
  get running(): boolean {
    return this.workers !== undefined;
  }

  /** Whether the periodic catch-up is scheduled now. */
  get catchingUpPeriodically(): boolean {
    return this.catchUpTimer !== undefined;
  }

  private start(): void {
    if (this.stopped) return;
    this.workers ??= startWorkers(this.handlers as AnyJobHandler[], this.options.connection, { consumer: 'committer', settings: this.options.settings, logger: this.logger });
    this.catchUp();
    if (this.config.COMMITTER_CATCH_UP_MS > 0 && !this.catchUpTimer) {
      this.catchUpTimer = setInterval(() => (this.ledger.isCommitter ? this.catchUp() : this.stopCatchingUp()), this.config.COMMITTER_CATCH_UP_MS);
      this.catchUpTimer.unref();
    }
  }

  /** Each handler's catch-up, unless its previous one still runs; a failure is logged, and the next one tries again. */
  private catchUp(): void {
    for (const handler of this.handlers) {
      if (!handler.catchUp || this.catchingUp.has(handler)) continue;
      const run = Promise.resolve()
        .then(() => handler.catchUp!())
        .then(
          () => undefined,
          (e: Error) => this.logger.warn('queue: catching up on lost jobs failed', { queue: handler.queue, error: e?.message ?? String(e) }),
        )
        .finally(() => this.catchingUp.delete(handler));
      this.catchingUp.set(handler, run);
    }
  }

  /** Until this process commits again (onBecameCommitter starts it anew). */
  private stopCatchingUp(): void {
    clearInterval(this.catchUpTimer);
    this.catchUpTimer = undefined;
  }

  /** Stops taking jobs and catching up, and lets what runs finish (their submits commit: the ledger closes later). */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.stopCatchingUp();
    await Promise.all([this.workers?.close(), ...this.catchingUp.values()]);
  }
}

/** The committer's queues for an API node: CommitterJobsModule.forRoot(NODE.committerJobs). Needs QueueModule and LedgerModule. */
@Module({})
export class CommitterJobsModule {
  static forRoot(handlers: readonly Type<AnyJobHandler>[]): DynamicModule {
    return {
      module: CommitterJobsModule,
      providers: [{ provide: COMMITTER_JOB_TYPES, useValue: handlers }, CommitterJobsService],
      exports: [CommitterJobsService],
    };
  }
}
