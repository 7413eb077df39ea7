import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  ConfigError,
  MetricsService,
  createJsonLogger,
  describeConfig,
  instrumentHttp,
  loadConfig,
  nodeHomeFiles,
  openNodeHome,
  waitForDatabase,
  type Clock,
  type NodeOutput,
  type ZizhuConfig,
} from '@zizhu/platform';
import { AppModule } from './app.module.js';
import { NODE_LEDGER } from './node-ledger.js';
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
  /** Where first-start banners (development passwords) go; default stdout. */
  output?: NodeOutput;
  /** Default: structured JSON logs at LOG_LEVEL. */
  logger?: LoggerService | false;
  clock?: Clock;
  /** Default: the repository's schema.graphql in development, in memory otherwise. */
  schemaFile?: string | true;
}

export interface RunningNode {
  config: ZizhuConfig;
  role: NodeRole;
  app: INestApplicationContext;
  /** Base URL of the HTTP server (absent for a worker). */
  url?: string;
  close(): Promise<void>;
}

/**
 * Boots a node: configuration validated first (a bad value stops it, naming the variable), the
 * database waited for, then the API (`all`, `api`: HTTP with GraphQL) or a worker (no HTTP).
 */
export async function bootNode(options: BootOptions = {}): Promise<RunningNode> {
  const config = loadConfig(options.env ?? process.env);
  const role = options.role ?? config.ZIZHU_ROLE;
  if (!NODE_ROLES.includes(role)) throw new ConfigError('--role', `must be one of ${NODE_ROLES.join(', ')} (got ${JSON.stringify(role)})`);
  const logger = options.logger ?? createJsonLogger(config.LOG_LEVEL);
  // Until the embedded PostgreSQL is wired (libs/platform/src/embedded), a database must be given.
  const databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) throw new ConfigError('DATABASE_URL', 'is required for now (the embedded PostgreSQL default is not wired yet)');
  if (logger) logger.log({ message: 'starting node', role, config: describeConfig(config) }, 'Boot');

  if (role === 'worker') {
    await waitForDatabase(databaseUrl, config.DATABASE_CONNECT_TIMEOUT_MS);
    const app = await NestFactory.createApplicationContext(WorkerModule.forRoot({ config, databaseUrl, clock: options.clock }), { logger, abortOnError: false });
    app.enableShutdownHooks();
    // Nothing else holds the event loop until the queue workers arrive.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    return { config, role, app, close: async () => { clearInterval(keepAlive); await app.close(); } };
  }

  // Before Nest: a passphrase that does not open the keystore (or a production node without one)
  // stops the boot before anything has connected.
  const home = await openNodeHome(config, NODE_LEDGER);
  await waitForDatabase(databaseUrl, config.DATABASE_CONNECT_TIMEOUT_MS);
  const schemaFile = options.schemaFile ?? (config.NODE_ENV === 'development' ? SCHEMA_FILE : true);
  const adapter = new FastifyAdapter({ bodyLimit: config.BODY_LIMIT_BYTES });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot({ config, databaseUrl, schemaFile, home, output: options.output, clock: options.clock }), adapter, {
    logger,
    abortOnError: false,
  });
  try {
    instrumentHttp(app.getHttpAdapter().getInstance(), app.get(MetricsService));
    app.enableShutdownHooks();
    await app.listen({ host: options.listen?.host ?? config.HOST, port: options.listen?.port ?? config.PORT });
  } catch (e) {
    await app.close().catch(() => undefined);
    throw e;
  }
  const url = (await app.getUrl()).replace('[::1]', 'localhost');
  if (logger) {
    logger.log(
      { message: 'node ready', graphql: `${url}/graphql`, sandbox: config.NODE_ENV === 'production' ? undefined : `${url}/graphql (open in a browser)`, credentials: config.NODE_ENV === 'production' ? undefined : nodeHomeFiles(config.ZIZHU_HOME).devCredentials },
      'Boot',
    );
  }
  return { config, role, app, url, close: () => app.close() };
}
