import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { NODE_MIGRATIONS } from '@zizhu/migrations';
import {
  AuditModule,
  BootstrapModule,
  ConfigModule,
  DatabaseModule,
  GraphQLSetupModule,
  HealthModule,
  HttpErrorFilter,
  LedgerModule,
  ObservabilityModule,
  PLATFORM_ENTITIES,
  checkpointWebhookProjection,
  createValidationPipe,
  type Clock,
  type NodeHome,
  type NodeOutput,
  type QueueLogger,
  type ZizhuConfig,
} from '@zizhu/platform';
import { NodeJobsModule } from './jobs/node-jobs.module.js';
import { NODE_LEDGER } from './node-ledger.js';
import { NODE_RESOLVERS } from './resolvers.js';

export interface AppModuleOptions {
  config: ZizhuConfig;
  /** PostgreSQL of the node (DATABASE_URL, or the embedded server's). */
  databaseUrl: string;
  /** Redis of the queues and rate limits, as the boot resolved it. */
  redisUrl: string;
  /** Role `all` runs the outbox relay and the job workers here too; `api` leaves the jobs in the outbox. */
  runWorkers: boolean;
  /** Where the sorted schema is written (development), or `true` to keep it in memory. */
  schemaFile: string | true;
  /** Keystore and genesis, opened before Nest starts (see NODE_LEDGER). */
  home: NodeHome;
  output?: NodeOutput;
  clock?: Clock;
  queueLogger: QueueLogger;
}

/** The API node: GraphQL over the ledger and identity, health and metrics, and the queues. */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    const { config } = options;
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, options.clock),
        ObservabilityModule,
        DatabaseModule.forRoot({ url: options.databaseUrl, entities: PLATFORM_ENTITIES, migrations: NODE_MIGRATIONS }),
        NodeJobsModule.forRoot({ databaseUrl: options.databaseUrl, redisUrl: options.redisUrl, runWorkers: options.runWorkers, logger: options.queueLogger }),
        AuditModule,
        LedgerModule.forRoot({
          databaseUrl: options.databaseUrl,
          contracts: NODE_LEDGER.contracts,
          home: options.home,
          // Each block's webhook deliveries enter the outbox in the block's own commit transaction.
          projections: config.CHECKPOINT_WEBHOOK_URLS.length > 0 ? [checkpointWebhookProjection(config.CHECKPOINT_WEBHOOK_URLS)] : [],
        }),
        GraphQLSetupModule.forRoot({ schemaFile: options.schemaFile }),
        BootstrapModule.forRoot({ output: options.output }),
        HealthModule,
      ],
      providers: [...NODE_RESOLVERS, { provide: APP_PIPE, useFactory: createValidationPipe }, { provide: APP_FILTER, useClass: HttpErrorFilter }],
    };
  }
}
