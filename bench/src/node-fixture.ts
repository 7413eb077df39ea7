import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signTransaction } from '@zizhu/chain';
import { Ed25519Signer, Keystore, generateEd25519, toBase64 } from '@zizhu/crypto';
import { CpuMeter, contended, log, sleep } from './support.js';
import type { LoadResult } from './tools/http-load.js';

/**
 * The node benchmarks run the node as its own process (`node apps/node/dist/main.js`, as `npm
 * start` does) and load it over HTTP from another process (bench/dist/tools/http-load.js, on
 * autocannon); this process only orchestrates and reads /proc.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NODE_MAIN = join(ROOT, 'apps', 'node', 'dist', 'main.js');
const LOAD_MAIN = join(dirname(fileURLToPath(import.meta.url)), 'tools', 'http-load.js');

export const BENCH_PASSPHRASE = 'zizhu benchmark keystore passphrase';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A scratch directory (ZIZHU_HOME, request files), removed by `remove()`. */
export function scratchDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(os.tmpdir(), prefix));
  chmodSync(path, 0o700);
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * The node's environment: this database and home, the keystore passphrase the benchmark knows,
 * its own consortium id and queue prefix (others may share the Redis), and per-user rate limits
 * out of the way (a benchmark is one user sending thousands of requests a second).
 */
export function nodeEnv(databaseUrl: string, home: string, extra: Record<string, string> = {}): Record<string, string> {
  const tag = `bench-${randomBytes(4).toString('hex')}`;
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.homedir(),
    DATABASE_URL: databaseUrl,
    ZIZHU_HOME: home,
    ZIZHU_KEYSTORE_PASSPHRASE: BENCH_PASSPHRASE,
    CONSORTIUM_ID: tag,
    QUEUE_PREFIX: tag,
    RATE_LIMIT_PER_MINUTE: '1000000000',
    LOG_LEVEL: 'warn',
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...extra,
  };
}

export interface NodeProcess {
  pid: number;
  url: string;
  child: ChildProcess;
  /** ms from spawn to /ready 200. */
  readyMs: number;
  output(): string;
  stop(): Promise<number | null>;
}

/** Starts the node (`node apps/node/dist/main.js`) and waits for /ready to answer 200. */
export async function startNode(env: Record<string, string>, opts: { readyTimeoutMs?: number; nodeArgs?: string[] } = {}): Promise<NodeProcess> {
  const readyTimeoutMs = opts.readyTimeoutMs ?? 600_000;
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), NODE_MAIN], { cwd: ROOT, env: { ...env, HOST: '127.0.0.1', PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 1_000_000) out = out.slice(-500_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the node exited (${child.exitCode}) before it was ready:\n${out.slice(-4000)}`);
    const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
    await res?.text();
    if (res?.status === 200) break;
    if (performance.now() - t0 > readyTimeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`the node was not ready after ${readyTimeoutMs} ms:\n${out.slice(-4000)}`);
    }
    await sleep(100);
  }
  const exited = new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (c) => resolve(c))));
  return {
    pid: child.pid!,
    url,
    child,
    readyMs: Math.round(performance.now() - t0),
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

/** utime + stime of a process (clock ticks, 100 per second on Linux) and its current and peak RSS (MiB). */
export function procStat(pid: number): { ticks: number; rssMiB: number; peakRssMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return { ticks: Number(f[11]) + Number(f[12]), rssMiB: Math.round(kb('VmRSS') / 1024), peakRssMiB: Math.round(kb('VmHWM') / 1024) };
}

/**
 * CPU and memory over a measured span with the node in its own process and the load in another:
 * % of one core for the node (its /proc ticks), PostgreSQL, the load generator (as the load process
 * reports it) and whatever else ran ("others"; a run is `contended` when that is high).
 */
export class NodeSpanMeter {
  private readonly before: ReturnType<typeof procStat>;
  private readonly cpu = new CpuMeter();
  private readonly t0 = performance.now();

  constructor(private readonly pid: number) {
    this.before = procStat(pid);
  }

  finish(loadCpuPct: number): { nodeCpuPct: number; loadCpuPct: number; postgresCpuPct: number; machineCpuPct: number; othersCpuPct: number; nodeRssMiB: number; nodePeakRssMiB: number; contended: boolean } {
    const wallMs = performance.now() - this.t0;
    const used = this.cpu.read();
    const after = procStat(this.pid);
    // Clock ticks are 10 ms: % of one core = ticks * 1000 / wall ms.
    const nodeCpuPct = Math.round(((after.ticks - this.before.ticks) * 1000) / wallMs);
    const othersCpuPct = Math.max(0, used.machineCpuPct - used.postgresCpuPct - nodeCpuPct - loadCpuPct);
    return {
      nodeCpuPct,
      loadCpuPct,
      postgresCpuPct: used.postgresCpuPct,
      machineCpuPct: used.machineCpuPct,
      othersCpuPct,
      nodeRssMiB: after.rssMiB,
      nodePeakRssMiB: after.peakRssMiB,
      contended: contended({ othersCpuPct }),
    };
  }
}

export interface Gql {
  <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

/** GraphQL over HTTP with a bearer token; throws on errors. */
export function graphql(url: string, token?: string): Gql {
  return <T>(query: string, variables?: Record<string, unknown>): Promise<T> => postGraphql<T>(url, token, JSON.stringify({ query, variables }));
}

/** POSTs a GraphQL request body already written (`{ query, variables }` as JSON); answers its data, throws on errors. */
export async function postGraphql<T>(url: string, token: string | undefined, body: string): Promise<T> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  const answer = (await res.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  if (answer.errors?.length) throw new Error(`GraphQL ${answer.errors[0].extensions?.code}: ${answer.errors[0].message}`);
  return answer.data!;
}

export async function loginAdmin(url: string, home: string, org = 'bank-a'): Promise<string> {
  const creds = JSON.parse(readFileSync(join(home, 'dev-credentials.json'), 'utf8')) as { users: { organization: string; username: string; password: string }[] };
  const password = creds.users.find((u) => u.organization === org && u.username === 'admin')!.password;
  const r = await graphql(url)<{ login: { accessToken: string } }>('mutation($i: LoginInput!) { login(input: $i) { accessToken } }', { i: { organization: org, username: 'admin', password } });
  return r.login.accessToken;
}

export const openHomeKeystore = (home: string): Promise<Keystore> => Keystore.load(join(home, 'keystore.json'), BENCH_PASSPHRASE);

export const SUBMIT = 'mutation($s: SignedTransactionInput!) { submitTransaction(signed: $s) { hash status } }';

/**
 * `count` client keys generated here, registered on chain as the organisation's clerks by
 * `system.registerKey` transactions signed with its admin key and sent through submitTransaction.
 */
export async function registerClientKeys(url: string, token: string, admin: Ed25519Signer, count: number): Promise<Ed25519Signer[]> {
  const gql = graphql(url, token);
  const users = Array.from({ length: count }, () => new Ed25519Signer(generateEd25519().privateKey));
  for (let i = 0; i < users.length; i += 50) {
    await Promise.all(
      users.slice(i, i + 50).map(async (u, j) => {
        const s = signTransaction(
          { channel: 'system', contract: 'system', method: 'registerKey', args: { publicKey: toBase64(u.publicKey), roles: ['clerk'], label: `bench client ${i + j}` }, ts: Date.now() },
          admin,
        );
        const r = await gql<{ submitTransaction: { status: string } }>(SUBMIT, { s });
        if (r.submitTransaction.status !== 'COMMITTED') throw new Error(`registerKey: ${r.submitTransaction.status}`);
      }),
    );
  }
  return users;
}

/** Runs the load generator in its own process and returns what it measured (and its exit). */
export async function runLoad(o: {
  url: string;
  bodiesFile: string;
  outFile: string;
  /** Absent: anonymous requests (public operations). */
  token?: string;
  connections: number;
  amount?: number;
  seconds?: number;
  warmup?: number;
  field?: string;
  cycle?: boolean;
  /** Called with the load process's pid once it runs (to sample it). */
  onStart?: (pid: number) => void;
}): Promise<LoadResult> {
  const args = [LOAD_MAIN, '--url', `${o.url}/graphql`, '--bodies', o.bodiesFile, '--out', o.outFile, '--connections', String(o.connections)];
  if (o.token) args.push('--token', o.token);
  if (o.amount !== undefined) args.push('--amount', String(o.amount));
  if (o.seconds !== undefined) args.push('--seconds', String(o.seconds));
  if (o.warmup) args.push('--warmup', String(o.warmup));
  if (o.field) args.push('--field', o.field);
  if (o.cycle) args.push('--cycle');
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  o.onStart?.(child.pid!);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  if (code !== 0) throw new Error(`the load generator exited with ${code}`);
  return JSON.parse(readFileSync(o.outFile, 'utf8')) as LoadResult;
}

/**
 * The end of a node benchmark, success or not: its SQL client closed, the node stopped (its last
 * output shown if it did not exit cleanly), the database dropped (unless --keep), the scratch
 * directory removed.
 */
export async function endNodeRun(r: { sql?: { end(): Promise<void> }; node?: NodeProcess; db: { drop(): Promise<void> }; scratch: { remove(): void } }): Promise<void> {
  await r.sql?.end().catch(() => undefined);
  const code = await r.node?.stop();
  if (code !== undefined && code !== 0) log(`  the node exited with ${code}:\n${r.node?.output().slice(-2000)}`);
  await r.db.drop();
  r.scratch.remove();
}

export function writeLines(file: string, lines: Iterable<string>): number {
  let n = 0;
  const out: string[] = [];
  for (const l of lines) {
    out.push(l);
    n++;
  }
  writeFileSync(file, out.join('\n') + '\n');
  return n;
}

export { log };
