import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnModuleDestroy, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { LedgerService } from '../ledger/ledger.service.js';
import type { AnyJobHandler, CommitterJobHandler } from './job-handler.js';
import { createJobRegistry } from './job-registry.js';
import { startWorkers, type JobWorkers } from './job-workers.js';
import { QUEUE_MODULE_OPTIONS, type QueueModuleOptions } from './queue.module.js';
import { stderrQueueLogger } from './queue.types.js';

export const COMMITTER_JOB_TYPES = Symbol('COMMITTER_JOB_TYPES');

/**
 * Runs the queues whose consumer is the committer (jobs that submit transactions with the node's
 * keys, which worker processes do not hold) in the API process while it commits the ledger: from
 * boot if it does, from the moment a replica takes the ledger over otherwise. Boot fails when such
 * a queue has no handler, or several. The handlers are providers of the modules' API modules.
 */
@Injectable()
export class CommitterJobsService implements OnApplicationBootstrap, OnModuleDestroy {
  private handlers: CommitterJobHandler[] = [];
  private workers: JobWorkers | undefined;
  private stopped = false;

  constructor(
    @Inject(QUEUE_MODULE_OPTIONS) private readonly options: QueueModuleOptions,
    @Inject(LedgerService) private readonly ledger: LedgerService,
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
    @Inject(COMMITTER_JOB_TYPES) private readonly types: readonly Type<AnyJobHandler>[],
  ) {}

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

  private start(): void {
    if (this.workers || this.stopped) return;
    const logger = this.options.logger ?? stderrQueueLogger;
    this.workers = startWorkers(this.handlers as AnyJobHandler[], this.options.connection, { consumer: 'committer', settings: this.options.settings, logger });
    for (const handler of this.handlers) {
      handler.onCommitterStart?.().catch((e: Error) => logger.warn('queue: catching up at committer start failed', { queue: handler.queue, error: e.message }));
    }
  }

  /** Stops taking jobs and lets the running ones finish (their submits commit: the ledger closes later). */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.workers?.close();
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
