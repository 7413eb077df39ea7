import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import {
  MetricsService,
  QueueModule,
  QueueService,
  ZIZHU_CONFIG,
  type QueueLogger,
  type QueueSettingsOverrides,
  type ZizhuConfig,
} from '@zizhu/platform';

import { NODE } from '../node-modules.js';

/** The queues' own small pool (outbox relay, clean-up), closed after the workers have stopped. */
@Injectable()
export class JobsPool implements OnApplicationShutdown {
  readonly pool: pg.Pool;

  constructor(databaseUrl: string) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 3, connectionTimeoutMillis: 5_000 });
    // A lost server surfaces as failed relay rounds (logged there), not as an unhandled error.
    this.pool.on('error', () => {});
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

/** Queue depths on /metrics (the API's, and anyone's who registers a MetricsService). */
@Injectable()
class QueueDepthMetrics implements OnModuleInit {
  constructor(
    @Inject(MetricsService) private readonly metrics: MetricsService,
    @Inject(QueueService) private readonly queues: QueueService,
  ) {}

  onModuleInit(): void {
    this.metrics.registerQueueDepths(() => this.queues.depths());
  }
}

export interface NodeJobsOptions {
  databaseUrl: string;
  /** The Redis the boot resolved (REDIS_URL, 127.0.0.1:6379, or a redis-server it started). */
  redisUrl: string;
  /** Roles `all` and `worker` run the outbox relay and the workers; `api` only enqueues (in the outbox). */
  runWorkers: boolean;
  logger: QueueLogger;
  /** Per-queue changes to QUEUE_SETTINGS (tests shorten backoffs). */
  settings?: QueueSettingsOverrides;
}

@Module({})
class JobsPoolModule {
  static forRoot(databaseUrl: string): DynamicModule {
    return { module: JobsPoolModule, providers: [{ provide: JobsPool, useFactory: () => new JobsPool(databaseUrl) }], exports: [JobsPool] };
  }
}

/**
 * The node's queues: QueueModule with a handler for every queue (checked in every role, so a
 * missing one stops any process at boot), on QUEUE_PREFIX in the resolved Redis.
 */
@Module({})
export class NodeJobsModule {
  static forRoot(options: NodeJobsOptions): DynamicModule {
    const pool = JobsPoolModule.forRoot(options.databaseUrl);
    return {
      module: NodeJobsModule,
      imports: [
        pool,
        QueueModule.forRootAsync({
          imports: [pool],
          inject: [JobsPool, ZIZHU_CONFIG],
          useFactory: (jobs: JobsPool, config: ZizhuConfig) => ({
            connection: { url: options.redisUrl, prefix: config.QUEUE_PREFIX },
            pool: jobs.pool,
            // The one handler of every QueueName, from the node's modules (the registry refuses a missing or duplicate one).
            handlers: NODE.jobHandlers({ pool: jobs.pool, config }),
            runWorkers: options.runWorkers,
            logger: options.logger,
            settings: options.settings,
          }),
        }),
      ],
      providers: [QueueDepthMetrics],
    };
  }
}
