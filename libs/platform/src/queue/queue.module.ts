import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type InjectionToken,
  type LoggerService,
  type ModuleMetadata,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type pg from 'pg';
import type { AnyJobHandler } from './job-handler.js';
import { createJobRegistry } from './job-registry.js';
import { JobQueues, type QueueDepth } from './job-queues.js';
import type { QueueConnection, QueueLogger, QueueSettingsOverrides } from './queue.types.js';
import { startJobRuntime, type JobRuntime } from './worker-process.js';

export interface QueueModuleOptions {
  connection: QueueConnection;
  pool: pg.Pool;
  handlers: readonly AnyJobHandler[];
  /** Run the outbox relay and the workers in this process (roles `all` and `worker`; not `api`). */
  runWorkers: boolean;
  settings?: QueueSettingsOverrides;
  logger?: QueueLogger;
}

export interface QueueModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: InjectionToken[];
  useFactory: (...args: never[]) => QueueModuleOptions | Promise<QueueModuleOptions>;
}

export const QUEUE_MODULE_OPTIONS = Symbol('QUEUE_MODULE_OPTIONS');

/** The node's NestJS logger (createJsonLogger) as the queues' logger. */
export function queueLoggerFrom(logger: LoggerService, context = 'Queue'): QueueLogger {
  return {
    info: (message, fields) => logger.log({ message, ...fields }, context),
    warn: (message, fields) => logger.warn({ message, ...fields }, context),
    error: (message, fields) => logger.error({ message, ...fields }, undefined, context),
  };
}

/**
 * What the rest of the node sees of the queues: depths for /metrics. (Producers need no service:
 * they call enqueueInTransaction with their own transaction.)
 */
@Injectable()
export class QueueService implements OnApplicationBootstrap, OnModuleDestroy {
  private runtime: JobRuntime | undefined;

  constructor(
    @Inject(QUEUE_MODULE_OPTIONS) private readonly options: QueueModuleOptions,
    @Inject(JobQueues) readonly queues: JobQueues,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.runWorkers) this.runtime = startJobRuntime(this.options);
  }

  depths(): Promise<QueueDepth[]> {
    return this.queues.depths(this.options.pool);
  }

  /**
   * The first shutdown hook NestJS calls: workers finish their running jobs while the pool is
   * still open (its owner should close it in onApplicationShutdown, which comes later).
   */
  async onModuleDestroy(): Promise<void> {
    await this.runtime?.stop();
    await this.queues.close();
  }
}

/** The queues for a NestJS node: QueueModule.forRootAsync({ inject, useFactory }). */
@Module({})
export class QueueModule {
  static forRootAsync(options: QueueModuleAsyncOptions): DynamicModule {
    return {
      module: QueueModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        {
          provide: QUEUE_MODULE_OPTIONS,
          // Boot fails here on a missing or duplicate handler, before any Redis connection opens.
          useFactory: async (...deps: never[]) => {
            const o = await options.useFactory(...deps);
            if (o.runWorkers || o.handlers.length > 0) createJobRegistry(o.handlers);
            return o;
          },
          inject: options.inject ?? [],
        },
        { provide: JobQueues, useFactory: (o: QueueModuleOptions) => new JobQueues(o.connection, { settings: o.settings, logger: o.logger }), inject: [QUEUE_MODULE_OPTIONS] },
        QueueService,
      ],
      exports: [QueueService, JobQueues, QUEUE_MODULE_OPTIONS],
    };
  }
}
