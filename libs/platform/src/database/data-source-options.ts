import type { DataSourceOptions, MixedList, EntitySchema } from 'typeorm';

// TypeORM's own element types for entity and migration lists.
export type EntityList = MixedList<string | (abstract new (...args: never[]) => unknown) | EntitySchema>;
export type MigrationList = MixedList<string | (new () => unknown)>;

/**
 * The node's TypeORM options, one definition for the app, the migration check and the TypeORM CLI.
 * `synchronize` is off, always: the schema changes only through migrations (ARCHITECTURE §4).
 */
export function dataSourceOptions(url: string, entities: EntityList, migrations: MigrationList): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'zizhu_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // Failed queries reach the error formatter, which logs the unexpected ones (a taken username is not).
    logging: false,
    // A lost server must not hang a request for ever; the pool reconnects when it returns.
    extra: { max: 10, connectionTimeoutMillis: 5000 },
  };
}
