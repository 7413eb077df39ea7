import { Module, type DynamicModule } from '@nestjs/common';
import { NODE_MIGRATIONS } from '@zizhu/migrations';
import { ConfigModule, DatabaseModule, ObservabilityModule, PLATFORM_ENTITIES, type Clock, type QueueLogger, type ZizhuConfig } from '@zizhu/platform';
import { NodeJobsModule } from './jobs/node-jobs.module.js';

export interface WorkerModuleOptions {
  config: ZizhuConfig;
  databaseUrl: string;
  redisUrl: string;
  clock?: Clock;
  queueLogger: QueueLogger;
}

/**
 * A worker-only process (`--role worker`): no HTTP and no chain (so none of its commit leases),
 * only PostgreSQL (the outbox, the clean-up) and Redis: the outbox relay and the job workers.
 */
@Module({})
export class WorkerModule {
  static forRoot(options: WorkerModuleOptions): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(options.config, options.clock),
        ObservabilityModule,
        DatabaseModule.forRoot({ url: options.databaseUrl, entities: PLATFORM_ENTITIES, migrations: NODE_MIGRATIONS }),
        NodeJobsModule.forRoot({ databaseUrl: options.databaseUrl, redisUrl: options.redisUrl, runWorkers: true, logger: options.queueLogger }),
      ],
    };
  }
}
