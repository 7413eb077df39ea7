import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { setWebhookSecretSealer } from '@zizhu/migrations';
import {
  ConfigError,
  MetricsService,
  createJsonLogger,
  describeConfig,
  instrumentHttp,
  loadConfig,
  nodeHomeFiles,
  openNodeHome,
  queueLoggerFrom,
  setUpReplication,
  LedgerService,
  WebhookSecretKeyring,
  resolveDatabase,
  resolveRedis,
  type Clock,
  type NodeOutput,
  type QueueLogger,
  type QueueSettingsOverrides,
  type ResolvedDatabase,
  type ResolvedRedis,
  type ZizhuConfig,
} from '@zizhu/platform';
import { AppModule } from './app.module.js';
import { NODE_LEDGER } from './node-ledger.js';
import { installTestClock, testClockFor } from './test-clock.js';
import { WorkerModule } from './worker.module.js';

export type NodeRole = ZizhuConfig['ZIZHU_ROLE'];
export const NODE_ROLES: readonly NodeRole[] = ['all', 'api', 'worker'];

/** The committed schema, at the repository root (apps/node/{src,dist}/ → ../../../). */
export const SCHEMA_FILE = fileURLToPath(new URL('../../../schema.graphql', import.meta.url));

export interface BootOptions {
  /** Environment to read the configuration from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Overrides ZIZHU_ROLE (the `--role` flag). */
  role?: NodeRole;
  /** Overrides HOST and PORT (tests listen on 127.0.0.1:0). */
  listen?: { host?: string; port?: number };
  /** Where first-start banners (development passwords) and the ready line go; default stdout. */
  output?: NodeOutput;
  /** Default: structured JSON logs at LOG_LEVEL. */
  logger?: LoggerService | false;
  clock?: Clock;
  /** Per-queue changes to QUEUE_SETTINGS (tests shorten retry backoffs); not configuration. */
  queueSettings?: QueueSettingsOverrides;
  /** Default: the repository's schema.graphql in development, in memory otherwise. */
  schemaFile?: string | true;
}

export interface RunningNode {
  /** The configuration in effect (REDIS_URL: the Redis the boot resolved). */
  config: ZizhuConfig;
  role: NodeRole;
  app: INestApplicationContext;
  /** Base URL of the HTTP server (absent for a worker). */
  url?: string;
  /** Where PostgreSQL and Redis came from (the operator's URL, or what the embedded default found or started). */
  database: ResolvedDatabase['source'];
  redis: ResolvedRedis['source'];
  /** Stops the application, then the embedded servers this process started. */
  close(): Promise<void>;
}

const silentQueueLogger: QueueLogger = { info: () => {}, warn: () => {}, error: () => {} };

/**
 * Boots a node: configuration validated first (a bad value stops it, naming the variable), the
 * keystore and genesis opened (API roles), PostgreSQL (DATABASE_URL or the embedded one under
 * ZIZHU_HOME) and Redis resolved, then the API (`all`, `api`: HTTP with GraphQL; `all` also runs
 * the job workers) or a worker (no HTTP, no chain: the outbox relay and the job workers).
 */
export async function bootNode(options: BootOptions = {}): Promise<RunningNode> {
  const loaded = loadConfig(options.env ?? process.env);
  const role = options.role ?? loaded.ZIZHU_ROLE;
  if (!NODE_ROLES.includes(role)) throw new ConfigError('--role', `must be one of ${NODE_ROLES.join(', ')} (got ${JSON.stringify(role)})`);
  // The migrations seal existing webhook secrets under the node's key (configuration, not schema).
  setWebhookSecretSealer(WebhookSecretKeyring.fromConfig(loaded));
  const logger = options.logger ?? createJsonLogger(loaded.LOG_LEVEL);
  const output = options.output ?? ((text: string) => void process.stdout.write(`${text}\n`));
  if (logger) logger.log({ message: 'starting node', role, config: describeConfig(loaded) }, 'Boot');
  // Tests and benchmarks only (never production): a clock moved forward over HTTP (test-clock.ts).
  const testClock = options.clock ? undefined : testClockFor(loaded);
  const clock = options.clock ?? testClock?.now;
  if (testClock && logger) logger.warn({ message: 'ZIZHU_TEST_CLOCK_TOKEN is set: this process runs on a controlled clock (tests and benchmarks only)' }, 'Boot');

  // Before anything connects: a passphrase that does not open the keystore (or a production node
  // without one) stops the boot. A worker has no chain, so no keystore either.
  const home = role === 'worker' ? undefined : await openNodeHome(loaded, NODE_LEDGER);
  const database = await resolveNodeDatabase(loaded, logger);
  let redis: ResolvedRedis | undefined;
  let app: INestApplicationContext | undefined;
  const stopServers = async () => {
    await redis?.stop();
    await database.stop();
  };
  try {
    redis = await resolveNodeRedis(loaded, logger);
    const config: ZizhuConfig = { ...loaded, REDIS_URL: redis.url };
    const queueLogger = logger ? queueLoggerFrom(logger) : silentQueueLogger;
    const resolved = { database: database.source, redis: redis.source };

    if (role === 'worker') {
      app = await NestFactory.createApplicationContext(WorkerModule.forRoot({ config, databaseUrl: database.url, redisUrl: redis.url, clock, queueLogger, queueSettings: options.queueSettings }), {
        logger,
        abortOnError: false,
      });
      if (logger) logger.log({ message: 'worker ready', ...resolved, queuePrefix: config.QUEUE_PREFIX }, 'Boot');
      output(`Zizhu worker ready: relaying the job outbox to Redis and running the jobs (queue prefix ${config.QUEUE_PREFIX}); no HTTP`);
      const worker = app;
      return { config, role, app: worker, ...resolved, close: once(async () => { await worker.close(); await stopServers(); }) };
    }

    const schemaFile = options.schemaFile ?? (config.NODE_ENV === 'development' ? SCHEMA_FILE : true);
    const adapter = new FastifyAdapter({ bodyLimit: config.BODY_LIMIT_BYTES });
    const api = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot({ config, databaseUrl: database.url, redisUrl: redis.url, runWorkers: role === 'all', schemaFile, home: home!, output: options.output, clock, queueLogger, queueSettings: options.queueSettings }),
      adapter,
      { logger, abortOnError: false },
    );
    app = api;
    const fastify = api.getHttpAdapter().getInstance();
    instrumentHttp(fastify, api.get(MetricsService));
    if (testClock) installTestClock(fastify, testClock, config.ZIZHU_TEST_CLOCK_TOKEN!);
    const ledger = api.get(LedgerService);
    const replication = setUpReplication(fastify, ledger, api.get(DataSource), (e) => logger && logger.error({ message: `advertising this committer failed: ${e.message}` }, 'Boot'));
    await api.listen({ host: options.listen?.host ?? config.HOST, port: options.listen?.port ?? config.PORT });
    const url = (await api.getUrl()).replace('[::1]', 'localhost');
    await replication.advertise(config.ADVERTISE_URL || url);
    ledger.onBecameCommitter(() => logger && logger.log({ message: 'took the ledger over: this process commits now' }, 'Boot'));
    const graphql = `${url}/graphql`;
    const development = config.NODE_ENV !== 'production';
    const credentials = development ? nodeHomeFiles(config.ZIZHU_HOME).devCredentials : undefined;
    if (logger) logger.log({ message: 'node ready', role, graphql, sandbox: development ? graphql : undefined, credentials, ...resolved }, 'Boot');
    output(
      `Zizhu node ready: GraphQL ${graphql}` +
        (development ? ` | sandbox: open ${graphql} in a browser (GraphiQL) | demo credentials: ${credentials}` : '') +
        (role === 'api' ? ' | role api: jobs wait in the outbox for a --role worker process' : '') +
        (ledger.isCommitter ? '' : ' | replica: another process commits this ledger; queries are served here, mutations forwarded to it'),
    );
    return { config, role, app: api, url, ...resolved, close: once(async () => { await api.close(); await stopServers(); }) };
  } catch (e) {
    await app?.close().catch(() => undefined);
    await stopServers().catch(() => undefined);
    throw e;
  }
}

/** DATABASE_URL (it must answer: a ConfigError naming it otherwise), or the embedded PostgreSQL under ZIZHU_HOME. */
async function resolveNodeDatabase(config: ZizhuConfig, logger: LoggerService | false): Promise<ResolvedDatabase> {
  try {
    return await resolveDatabase(config, {
      timeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
      onLog: logger && config.LOG_LEVEL === 'debug' ? (line) => logger.debug?.({ message: line }, 'EmbeddedPostgres') : undefined,
    });
  } catch (e) {
    if (e instanceof ConfigError || config.DATABASE_URL) throw e;
    throw new ConfigError('DATABASE_URL', `is not set, and the embedded PostgreSQL under ${config.ZIZHU_HOME} did not start: ${(e as Error).message}`);
  }
}

/**
 * REDIS_URL; else 127.0.0.1:6379 when it answers; else redis-server from PATH under ZIZHU_HOME;
 * else a ConfigError saying how to install Redis. A REDIS_URL that does not answer yet does not
 * stop the node: jobs wait in the outbox and rate limits are per process until it does.
 */
async function resolveNodeRedis(config: ZizhuConfig, logger: LoggerService | false): Promise<ResolvedRedis> {
  try {
    return await resolveRedis(config);
  } catch (e) {
    if (config.REDIS_URL && e instanceof ConfigError && /does not answer/.test(e.message)) {
      if (logger) logger.warn({ message: `${e.message}; starting anyway: jobs wait in the outbox and rate limits are per process until it answers` }, 'Boot');
      return { url: config.REDIS_URL, source: 'REDIS_URL', stop: async () => {} };
    }
    if (e instanceof ConfigError) throw e;
    throw new ConfigError('REDIS_URL', (e as Error).message.replace(/^no Redis: REDIS_URL /, ''));
  }
}

function once(f: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= f());
}
