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
  createValidationPipe,
  type Clock,
  type NodeHome,
  type NodeOutput,
  type ZizhuConfig,
} from '@zizhu/platform';
import { NODE_LEDGER } from './node-ledger.js';
import { NODE_RESOLVERS } from './resolvers.js';

export interface AppModuleOptions {
  config: ZizhuConfig;
  /** PostgreSQL of the node (DATABASE_URL, or the embedded server's once the lead wires it). */
  databaseUrl: string;
  /** Where the sorted schema is written (development), or `true` to keep it in memory. */
  schemaFile: string | true;
  /** Keystore and genesis, opened before Nest starts (see NODE_LEDGER). */
  home: NodeHome;
  output?: NodeOutput;
  clock?: Clock;
}

/** The API node: GraphQL over the ledger and identity, health and metrics. */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(options.config, options.clock),
        ObservabilityModule,
        DatabaseModule.forRoot({ url: options.databaseUrl, entities: PLATFORM_ENTITIES, migrations: NODE_MIGRATIONS }),
        AuditModule,
        LedgerModule.forRoot({ databaseUrl: options.databaseUrl, contracts: NODE_LEDGER.contracts, home: options.home }),
        GraphQLSetupModule.forRoot({ schemaFile: options.schemaFile }),
        BootstrapModule.forRoot({ output: options.output }),
        HealthModule,
      ],
      providers: [...NODE_RESOLVERS, { provide: APP_PIPE, useFactory: createValidationPipe }, { provide: APP_FILTER, useClass: HttpErrorFilter }],
    };
  }
}
