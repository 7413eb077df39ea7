import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import {
  AuditModule,
  BootstrapModule,
  CommitterJobsModule,
  ConfigModule,
  ContentModule,
  DatabaseModule,
  GraphQLSetupModule,
  HealthModule,
  HttpErrorFilter,
  LedgerModule,
  ObservabilityModule,
  PrivacyModule,
  createValidationPipe,
  type Clock,
  type NodeHome,
  type NodeOutput,
  type QueueLogger,
  type QueueSettingsOverrides,
  type ZizhuConfig,
} from '@zizhu/platform';
import { NodeJobsModule } from './jobs/node-jobs.module.js';
import { NODE } from './node-modules.js';
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
  /** Keystore and genesis, opened before Nest starts (see node-ledger.ts). */
  home: NodeHome;
  output?: NodeOutput;
  clock?: Clock;
  queueLogger: QueueLogger;
  queueSettings?: QueueSettingsOverrides;
}

/**
 * The API node: GraphQL over the ledger and identity, health and metrics, the queues, and the
 * business modules of node-modules.ts (their contracts, tables, projections, jobs and API).
 */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    const { config } = options;
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, options.clock),
        ObservabilityModule,
        DatabaseModule.forRoot({ url: options.databaseUrl, entities: NODE.entities, migrations: NODE.migrations }),
        NodeJobsModule.forRoot({ databaseUrl: options.databaseUrl, redisUrl: options.redisUrl, runWorkers: options.runWorkers, logger: options.queueLogger, settings: options.queueSettings }),
        AuditModule,
        LedgerModule.forRoot({
          databaseUrl: options.databaseUrl,
          contracts: NODE.contracts,
          home: options.home,
          // Read models and outbox jobs (checkpoint webhooks) written in each block's own commit transaction.
          projections: NODE.projections(config),
        }),
        // Jobs that submit transactions (an envelope's expiry) run here while this process commits, in every API role.
        CommitterJobsModule.forRoot(NODE.committerJobs),
        PrivacyModule,
        ContentModule.forRoot(),
        GraphQLSetupModule.forRoot({ schemaFile: options.schemaFile }),
        BootstrapModule.forRoot({ output: options.output }),
        HealthModule,
        ...NODE.apiModules(),
      ],
      providers: [...NODE_RESOLVERS, { provide: APP_PIPE, useFactory: createValidationPipe }, { provide: APP_FILTER, useClass: HttpErrorFilter }],
    };
  }
}
