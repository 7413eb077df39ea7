import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions, type EntityList, type MigrationList } from './data-source-options.js';

export interface DatabaseModuleOptions {
  url: string;
  entities: EntityList;
  migrations: MigrationList;
}

/** TypeORM on the node's PostgreSQL; migrations run at boot (the ledger's own tables migrate when the chain opens). */
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(options.url, options.entities, options.migrations),
          migrationsRun: true,
          // The boot preflight (waitForDatabase) already waited for the server; fail fast after it.
          retryAttempts: 0,
        }),
      ],
      exports: [TypeOrmModule],
    };
  }
}
