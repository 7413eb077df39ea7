import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { ConfigError } from '../config/config.js';
import { closeRedis } from '../queue/redis-connection.js';
import { RecentOutput, findExecutable, freePort, portIsFree, processAlive, readJsonFile, waitFor, waitForExit, withLockFile, writePrivateJson } from './local-process.js';

/** The Redis a node uses, and how to let go of it. */
export interface ResolvedRedis {
  url: string;
  /** REDIS_URL: the operator's; local: one answering on 127.0.0.1:6379; embedded: redis-server started from PATH. */
  source: 'REDIS_URL' | 'local' | 'embedded';
  /** Stops the redis-server this process started (or adopted); a no-op otherwise. */
  stop(): Promise<void>;
}

export interface ResolveRedisOptions {
  /** Where to look for a Redis before starting one (default 127.0.0.1:6379). */
  probe?: { host: string; port: number };
  /** The redis-server command (default `redis-server`, looked up on PATH). */
  redisServer?: string;
  /** How long to wait for a Redis to answer. Default 10 s. */
  timeoutMs?: number;
  /** Receives an embedded redis-server's log lines. */
  onLog?: (line: string) => void;
}

/** What survives restarts of the embedded redis-server: `${ZIZHU_HOME}/redis.json` (mode 0600). */
interface EmbeddedRedisState {
  port: number;
  password: string;
  ownerPid?: number;
}

export const REDIS_INSTALL_HINT =
  'install Redis (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis; or run the redis image: docker run -p 6379:6379 redis:7) or set REDIS_URL to a Redis that answers';

const startedHere = new Set<string>();

/**
 * The node's Redis: REDIS_URL when set (it must answer PING, else a ConfigError naming it); else
 * 127.0.0.1:6379 if it answers; else `redis-server` from PATH, started on a free port with an
 * append-only file in `${ZIZHU_HOME}/redis` (queued jobs survive its restart); else an error that
 * says how to install Redis.
 */
export async function resolveRedis(config: { REDIS_URL?: string; ZIZHU_HOME: string }, options: ResolveRedisOptions = {}): Promise<ResolvedRedis> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (config.REDIS_URL) {
    await checkRedisUrl(config.REDIS_URL, Math.min(timeoutMs, 5_000));
    return { url: config.REDIS_URL, source: 'REDIS_URL', stop: async () => {} };
  }
  const probe = options.probe ?? { host: '127.0.0.1', port: 6379 };
  const local = `redis://${probe.host}:${probe.port}`;
  if (await pingRedis(local, 1_000).then(() => true, () => false)) return { url: local, source: 'local', stop: async () => {} };

  const bin = await findExecutable(options.redisServer ?? 'redis-server');
  if (!bin) {
    throw new Error(`no Redis: REDIS_URL is not set, nothing answers on ${probe.host}:${probe.port}, and ${options.redisServer ?? 'redis-server'} is not on PATH; ${REDIS_INSTALL_HINT}`);
  }
  const home = resolve(config.ZIZHU_HOME);
  await mkdir(home, { recursive: true });
  return withLockFile(join(home, 'redis.lock'), timeoutMs * 2, () => startEmbedded(bin, home, timeoutMs, options.onLog));
}

/** PING through a one-off connection; rejects with the reason when it does not answer. */
export async function pingRedis(url: string, timeoutMs = 2_000): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, commandTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => {});
  try {
    await client.connect();
    const pong = await client.ping();
    if (pong !== 'PONG') throw new Error(`PING answered ${pong}`);
  } finally {
    await closeRedis(client);
  }
}


/** A malformed or unreachable REDIS_URL is a ConfigError naming REDIS_URL. */
export async function checkRedisUrl(url: string, timeoutMs = 5_000): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('REDIS_URL', 'is not a URL (expected redis://[:password@]host:port[/db] or rediss://…)');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new ConfigError('REDIS_URL', `must be a redis:// or rediss:// URL (got ${parsed.protocol}//)`);
  try {
    await pingRedis(url, timeoutMs);
  } catch (e) {
    throw new ConfigError('REDIS_URL', `does not answer PING (${parsed.hostname}:${parsed.port || 6379}): ${(e as Error).message}`);
  }
}

async function startEmbedded(bin: string, home: string, timeoutMs: number, onLog?: (line: string) => void): Promise<ResolvedRedis> {
  const dir = join(home, 'redis');
  const stateFile = join(home, 'redis.json');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const state: EmbeddedRedisState = (await readJsonFile<EmbeddedRedisState>(stateFile)) ?? { port: await freePort(), password: randomBytes(24).toString('base64url') };
  const url = (port: number) => `redis://:${state.password}@127.0.0.1:${port}`;

  // Still running from before (its owner was killed)? Two servers must never share one append-only file.
  const running = await runningPid(url(state.port), dir);
  if (running) {
    const ownerAlive = state.ownerPid !== undefined && processAlive(state.ownerPid) && !(state.ownerPid === process.pid && !startedHere.has(dir));
    if (ownerAlive) return { url: url(state.port), source: 'embedded', stop: async () => {} };
    await writePrivateJson(stateFile, { ...state, ownerPid: process.pid });
    startedHere.add(dir);
    return {
      url: url(state.port),
      source: 'embedded',
      stop: async () => {
        startedHere.delete(dir);
        if (processAlive(running)) process.kill(running, 'SIGTERM');
        await waitForExit(running, timeoutMs);
      },
    };
  }

  const port = (await portIsFree(state.port)) ? state.port : await freePort();
  // The password goes in a file readable by the owner only, not on the command line (ps shows that).
  const conf = join(dir, 'redis.conf');
  await writeFile(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      'protected-mode yes',
      'daemonize no',
      'save ""',
      'appendonly yes',
      `dir ${quote(dir)}`,
      `requirepass ${state.password}`,
      // BullMQ needs every key kept.
      'maxmemory-policy noeviction',
    ].join('\n') + '\n',
    { mode: 0o600 },
  );
  const output = new RecentOutput();
  const child = spawn(bin, [conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output.push(text);
    if (onLog) for (const line of text.split(/\r?\n/)) if (line.trim()) onLog(line);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  let exited = false;
  child.once('exit', () => (exited = true));
  child.once('error', (e) => output.push(`spawn failed: ${e.message}`));
  const ready = await waitFor(() => (exited ? false : pingRedis(url(port), 500).then(() => true, () => undefined)), timeoutMs, 100);
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(`redis-server (${bin}) did not start on 127.0.0.1:${port}:\n${output.toString()}`);
  }
  await writePrivateJson(stateFile, { ...state, port, ownerPid: process.pid });
  startedHere.add(dir);
  // If this process exits without stop(), the server goes with it (SIGTERM: Redis flushes its AOF).
  const onExit = () => child.kill('SIGTERM');
  process.once('exit', onExit);
  return {
    url: url(port),
    source: 'embedded',
    stop: async () => {
      process.removeListener('exit', onExit);
      startedHere.delete(dir);
      await terminate(child, timeoutMs);
    },
  };
}

/** The pid of the redis-server answering at `url` with its data in `dir`, if any. */
async function runningPid(url: string, dir: string): Promise<number | undefined> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1_000, commandTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => {});
  try {
    await client.connect();
    const [, theirDir] = (await client.config('GET', 'dir')) as [string, string];
    if ((await realpath(theirDir).catch(() => theirDir)) !== (await realpath(dir))) return undefined;
    const pid = /process_id:(\d+)/.exec(await client.info('server'))?.[1];
    return pid ? Number(pid) : undefined;
  } catch {
    return undefined;
  } finally {
    await closeRedis(client);
  }
}

async function terminate(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** A redis.conf string argument. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
