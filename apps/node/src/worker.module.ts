import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, DatabaseModule, ObservabilityModule, type Clock, type QueueLogger, type QueueSettingsOverrides, type ZizhuConfig } from '@zizhu/platform';
import { NodeJobsModule } from './jobs/node-jobs.module.js';
import { NODE } from './node-modules.js';

export interface WorkerModuleOptions {
  config: ZizhuConfig;
  databaseUrl: string;
  redisUrl: string;
  clock?: Clock;
  queueLogger: QueueLogger;
  queueSettings?: QueueSettingsOverrides;
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
        DatabaseModule.forRoot({ url: options.databaseUrl, entities: NODE.entities, migrations: NODE.migrations }),
        NodeJobsModule.forRoot({ databaseUrl: options.databaseUrl, redisUrl: options.redisUrl, runWorkers: true, logger: options.queueLogger, settings: options.queueSettings }),
      ],
    };
  }
}
