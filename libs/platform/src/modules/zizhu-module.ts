import { Module, type DynamicModule, type ForwardReference, type Provider, type Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { ContractClass, Projection } from '@zizhu/chain';
import type { OrgKind } from '@zizhu/contract-system';
import type pg from 'pg';
import type { MigrationInterface } from 'typeorm';
import { AuthModule } from '../auth/auth.module.js';
import { GraphQLLimitsModule } from '../graphql/graphql-limits.module.js';
import type { ZizhuConfig } from '../config/config.schema.js';
import type { DevChannelSpec } from '../ledger/node-home.js';
import type { AnyJobHandler } from '../queue/job-handler.js';

/** A TypeORM entity class (a read model); never a GraphQL type (ARCHITECTURE §4). */
export type EntityClass = abstract new (...args: never[]) => unknown;
/** A migration class named `<PascalCaseWhatItDoes><13-digit timestamp>` (the file `<timestamp>-<PascalCaseWhatItDoes>.ts`). */
export type MigrationClass = new () => MigrationInterface;

/** A channel a development consortium opens on first start for this module. */
export interface ModuleChannel {
  name: string;
  /** Contract names (each one registered by some module of the node). */
  contracts: string[];
  /** Member organisations by kind (the regulator too, where it must read); absent: every organisation. */
  memberKinds?: OrgKind[];
}

/** What a module's job handlers are built with. They run in `all` and `worker` processes, which have no chain. */
export interface ModuleJobDeps {
  config: ZizhuConfig;
  /** The queues' PostgreSQL pool. */
  pool: pg.Pool;
}

/** The API side of a module (roles `all` and `api`): a Nest module built from these lists. */
export interface ModuleApi {
  /** Nest modules its providers need; `TypeOrmModule.forFeature(entities)`, the platform's AuthModule and its rate limiter are added. */
  imports?: (Type | DynamicModule | Promise<DynamicModule> | ForwardReference)[];
  /** Services and other providers. */
  providers?: Provider[];
  /** GraphQL resolvers: each operation declares `@Allow` (default deny); they are part of the committed schema. */
  resolvers?: Type[];
  /** HTTP routes (uploads, downloads), each with `@Allow`; `@RateLimited()` counts them against their callers' rate limits. */
  controllers?: Type[];
  /**
   * Handlers of its queues that the committer runs (QueueSettings.consumer `committer`: jobs that
   * submit transactions with the node's keys). Providers of this API module like the others; the
   * process runs their jobs while it commits the ledger (CommitterJobsModule).
   */
  committerJobs?: Type<AnyJobHandler>[];
}

/**
 * One business module, declared through libs/platform (ARCHITECTURE §5): the node composes a list
 * of these. Everything is explicit: nothing is discovered by scanning.
 */
export interface ZizhuModuleDefinition {
  /** Lowercase, e.g. `evidence`. */
  readonly name: string;
  /** Contract classes the node's chain runs for it (besides the system contract). */
  readonly contracts: readonly ContractClass[];
  /** Its channels in a development consortium created on first start. */
  readonly channels: readonly ModuleChannel[];
  /** TypeORM entities (read models). */
  readonly entities: readonly EntityClass[];
  /** Migrations creating its tables: files in migrations/src (one timeline), listed here. */
  readonly migrations: readonly MigrationClass[];
  /** Writes run inside every block's commit transaction (read models, outbox jobs). */
  readonly projections: (config: ZizhuConfig) => readonly Projection[];
  /** The one handler of each of its worker queues (its QueueName entries); boot fails on a missing or duplicate one. Committer queues: `api.committerJobs`. */
  readonly jobs: (deps: ModuleJobDeps) => readonly AnyJobHandler[];
  readonly api: Readonly<ModuleApi>;
}

/** What a module writes; everything but `name` is optional. */
export type ZizhuModuleInput = { name: string } & Partial<Omit<ZizhuModuleDefinition, 'name'>>;

const MODULE_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const CHANNEL_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const MIGRATION_NAME = /^[A-Z][A-Za-z0-9]*?(\d{13})$/;

export class ModuleDefinitionError extends Error {
  override readonly name = 'ModuleDefinitionError';
}

/** Fills a module's defaults, checks its names and freezes it. */
export function defineZizhuModule(input: ZizhuModuleInput): ZizhuModuleDefinition {
  if (!MODULE_NAME.test(input.name)) throw new ModuleDefinitionError(`module name ${JSON.stringify(input.name)} must be lowercase letters, digits and -`);
  for (const ch of input.channels ?? []) {
    if (!CHANNEL_NAME.test(ch.name)) throw new ModuleDefinitionError(`module ${input.name}: channel name ${JSON.stringify(ch.name)} must be lowercase letters, digits and -`);
    if (ch.contracts.length === 0) throw new ModuleDefinitionError(`module ${input.name}: channel ${ch.name} runs no contract`);
  }
  for (const m of input.migrations ?? []) {
    if (!MIGRATION_NAME.test(m.name)) throw new ModuleDefinitionError(`module ${input.name}: migration ${m.name} is not named <PascalCaseWhatItDoes><13-digit timestamp>`);
  }
  return Object.freeze({
    name: input.name,
    contracts: Object.freeze([...(input.contracts ?? [])]),
    channels: Object.freeze((input.channels ?? []).map((c) => Object.freeze({ ...c }))),
    entities: Object.freeze([...(input.entities ?? [])]),
    migrations: Object.freeze([...(input.migrations ?? [])]),
    projections: input.projections ?? (() => []),
    jobs: input.jobs ?? (() => []),
    api: Object.freeze({ ...(input.api ?? {}) }),
  });
}

/** The node's modules put together, checked once: no name, channel, contract, entity or migration twice. */
export interface ComposedModules {
  readonly modules: readonly ZizhuModuleDefinition[];
  readonly contracts: ContractClass[];
  /** For openNodeHome: every module's channels (a kind-filtered membership is resolved there). */
  readonly devChannels: DevChannelSpec[];
  readonly entities: EntityClass[];
  /** Every migration, ordered by timestamp (TypeORM's order too). */
  readonly migrations: MigrationClass[];
  /** Every module's resolvers (the committed schema is generated from them). */
  readonly resolvers: Type[];
  /** Every module's handlers of committer queues (providers of their API modules). */
  readonly committerJobs: Type<AnyJobHandler>[];
  projections(config: ZizhuConfig): Projection[];
  jobHandlers(deps: ModuleJobDeps): AnyJobHandler[];
  /** One Nest module per business module with an API, for the API roles. */
  apiModules(): DynamicModule[];
}

function firstDuplicate<T>(items: readonly T[]): T | undefined {
  const seen = new Set<T>();
  for (const item of items) {
    if (seen.has(item)) return item;
    seen.add(item);
  }
  return undefined;
}

export function composeZizhuModules(modules: readonly ZizhuModuleDefinition[]): ComposedModules {
  const check = (what: string, items: readonly string[]) => {
    const dup = firstDuplicate(items);
    if (dup !== undefined) throw new ModuleDefinitionError(`${what} ${dup} is declared by more than one module (or twice)`);
  };
  check('module', modules.map((m) => m.name));
  const contracts = modules.flatMap((m) => m.contracts);
  check('contract', contracts.map((c) => c.contractName));
  const channels = modules.flatMap((m) => m.channels);
  check('channel', [...channels.map((c) => c.name), 'system']);
  const contractNames = new Set(contracts.map((c) => c.contractName));
  for (const ch of channels) {
    const unknown = ch.contracts.find((c) => !contractNames.has(c));
    if (unknown) throw new ModuleDefinitionError(`channel ${ch.name} runs contract ${unknown}, which no module registers`);
  }
  const entities = modules.flatMap((m) => m.entities);
  check('entity', entities.map((e) => e.name));
  const migrations = modules.flatMap((m) => m.migrations);
  check('migration', migrations.map((m) => m.name));
  check('migration timestamp', migrations.map((m) => MIGRATION_NAME.exec(m.name)?.[1] ?? m.name));
  migrations.sort((a, b) => (MIGRATION_NAME.exec(a.name)![1] < MIGRATION_NAME.exec(b.name)![1] ? -1 : 1));
  const resolvers = modules.flatMap((m) => m.api.resolvers ?? []);
  const committerJobs = modules.flatMap((m) => m.api.committerJobs ?? []);

  return Object.freeze({
    modules,
    contracts,
    devChannels: channels.map((c) => ({ name: c.name, contracts: [...c.contracts], ...(c.memberKinds ? { memberKinds: [...c.memberKinds] } : {}) })),
    entities,
    migrations,
    resolvers,
    committerJobs,
    projections: (config: ZizhuConfig) => modules.flatMap((m) => m.projections(config)),
    jobHandlers: (deps: ModuleJobDeps) => modules.flatMap((m) => m.jobs(deps)),
    apiModules: () => modules.filter((m) => hasApi(m.api)).map(apiModuleOf),
  });
}

const hasApi = (api: ModuleApi) => Boolean(api.providers?.length || api.resolvers?.length || api.controllers?.length || api.committerJobs?.length);

/** A Nest module of its own per business module (its providers private to it unless it exports them). */
function apiModuleOf(definition: ZizhuModuleDefinition): DynamicModule {
  const name = `${definition.name.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase())}ApiModule`;
  // A class per module: Nest tells modules apart by their class.
  const moduleClass = { [name]: class {} }[name];
  Module({})(moduleClass);
  const { imports = [], providers = [], resolvers = [], controllers = [], committerJobs = [] } = definition.api;
  return {
    module: moduleClass,
    // GraphQLLimitsModule: the rate limiter for `@RateLimited()` routes.
    imports: [AuthModule, GraphQLLimitsModule, ...(definition.entities.length > 0 ? [TypeOrmModule.forFeature([...definition.entities] as Type[])] : []), ...imports],
    providers: [...providers, ...resolvers, ...committerJobs],
    controllers: [...controllers],
  };
}
