import os from 'node:os';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { ed25519VerifyBackend } from '@zizhu/crypto';

/** Where benchmarks create their databases: a PostgreSQL server we may CREATE DATABASE on. */
export const BENCH_ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** bench/results, next to bench/src and bench/dist. */
export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

// ---------------------------------------------------------------------------------------------
// Command-line options

export interface BenchArgs {
  /** `--name value` and `--name=value`; a bare `--flag` is "true". */
  options: Map<string, string>;
  keep: boolean;
}

export function parseArgs(argv: string[]): BenchArgs {
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) options.set(a.slice(2, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) options.set(a.slice(2), argv[++i]);
    else options.set(a.slice(2), 'true');
  }
  return { options, keep: options.get('keep') === 'true' };
}

export function intOption(args: BenchArgs, name: string, fallback: number): number {
  const v = args.options.get(name);
  if (v === undefined) return fallback;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${v}`);
  return n;
}

export function intListOption(args: BenchArgs, name: string): number[] | undefined {
  const v = args.options.get(name);
  if (v === undefined) return undefined;
  return v.split(',').map((x) => {
    const n = Number(x.replace(/_/g, ''));
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} takes comma-separated non-negative integers, got ${v}`);
    return n;
  });
}

export const flag = (args: BenchArgs, name: string): boolean => args.options.get(name) === 'true';

// ---------------------------------------------------------------------------------------------
// Databases

export interface BenchDatabase {
  url: string;
  name: string;
  /** Drops the database unless the run was given --keep. */
  drop(): Promise<void>;
}

/** The URL of database `name` on the benchmarks' admin server. */
export function benchDatabaseUrl(name: string): string {
  const url = new URL(BENCH_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh, empty database on the admin server; dropped by `drop()` unless `keep`. */
export async function createDatabase(prefix: string, keep: boolean): Promise<BenchDatabase> {
  const name = `${prefix.replace(/[^a-z0-9_]/g, '_')}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: BENCH_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: benchDatabaseUrl(name),
    name,
    async drop() {
      if (keep) {
        console.log(`  (kept database ${name})`);
        return;
      }
      const c = new pg.Client({ connectionString: BENCH_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

async function serverSettings(): Promise<{ version: string; fsync: string; synchronousCommit: string; sharedBuffers: string; walLevel: string }> {
  const c = new pg.Client({ connectionString: BENCH_ADMIN_URL });
  await c.connect();
  try {
    const show = async (what: string) => String((await c.query(`SHOW ${what}`)).rows[0][what]);
    return {
      version: await show('server_version'),
      fsync: await show('fsync'),
      synchronousCommit: await show('synchronous_commit'),
      sharedBuffers: await show('shared_buffers'),
      walLevel: await show('wal_level'),
    };
  } finally {
    await c.end();
  }
}

/**
 * The engine opens its connections with synchronous_commit=on, but a server running with fsync off
 * (or a default of synchronous_commit off that a benchmark would inherit elsewhere) makes every
 * figure meaningless: refuse to run.
 */
export async function assertDurable(): Promise<void> {
  const s = await serverSettings();
  if (s.fsync !== 'on' || s.synchronousCommit !== 'on') {
    throw new Error(`refusing to benchmark: the server has fsync=${s.fsync}, synchronous_commit=${s.synchronousCommit}; both must be on`);
  }
}

// ---------------------------------------------------------------------------------------------
// The machine

export interface MachineDescription {
  cpu: string;
  cpus: number;
  memoryGiB: number;
  os: string;
  node: string;
  postgres: string;
  fsync: string;
  synchronousCommit: string;
  sharedBuffers: string;
  ed25519VerifyBackend: string;
  /**
   * How fast this machine was when the run started: one Ed25519 verification (the engine's backend,
   * 600-byte message) timed on one thread alone and on two threads at once. A VM's speed varies with
   * its neighbours (seen here: 61 µs one day, 93 µs an hour later), and two vCPUs may share a
   * physical core; compare figures across runs only with this in view.
   */
  calibration: CpuCalibration;
  /** 1-minute load average when the benchmark started (others may share the machine). */
  loadAverageAtStart: number;
  /** The repository commit measured (with "+dirty" when the work tree had changes outside bench/). */
  commit: string;
}

function gitCommit(): string {
  try {
    const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', '.', ':!bench', ':!BENCHMARKS.md'], { cwd: root, encoding: 'utf8' }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

export async function describeMachine(): Promise<MachineDescription> {
  const s = await serverSettings();
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    postgres: s.version,
    fsync: s.fsync,
    synchronousCommit: s.synchronousCommit,
    sharedBuffers: s.sharedBuffers,
    ed25519VerifyBackend,
    calibration: await cpuCalibration(),
    loadAverageAtStart: Math.round(os.loadavg()[0] * 100) / 100,
    commit: gitCommit(),
  };
}

export interface CpuCalibration {
  /** µs per verification on one thread, the other cores idle. */
  ed25519VerifyUsOneThread: number;
  /** µs per verification on each of two threads running at once (equal to the above on two free cores). */
  ed25519VerifyUsTwoThreads: number;
  /**
   * `node:crypto` Ed25519 verifications a second on one thread (200-byte message): the yardstick
   * issue 2 gives for "this machine" ("about 9,500 … per core with node:crypto here"), so a figure can
   * be read against the speed the targets were set at.
   */
  nodeCryptoVerifiesPerSec: number;
}

/** Times Ed25519 verification on worker threads: one alone (and node:crypto's), then two at once (about two seconds). */
export async function cpuCalibration(count = 6000): Promise<CpuCalibration> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'tools', 'calibrate-worker.js');
  const run = (nodeCrypto: boolean) =>
    new Promise<{ us: number; nodeUs?: number }>((resolve, reject) => {
      const w = new Worker(script, { workerData: { count, nodeCrypto } });
      w.once('message', (m: { us: number; nodeUs?: number; ok: boolean }) => (m.ok ? resolve(m) : reject(new Error('calibration: a signature did not verify'))));
      w.once('error', reject);
    });
  const one = await run(true);
  const two = await Promise.all([run(false), run(false)]);
  return {
    ed25519VerifyUsOneThread: round1(one.us),
    ed25519VerifyUsTwoThreads: round1((two[0].us + two[1].us) / 2),
    nodeCryptoVerifiesPerSec: Math.round(1e6 / one.nodeUs!),
  };
}

// ---------------------------------------------------------------------------------------------
// Statistics and meters

/** Nearest-rank percentile (p in [0, 100]) of unsorted values; sorts a copy. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return percentileSorted(sorted, p);
}

export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** p50/p90/p99/max/mean of a set of durations (ms), rounded to 0.01 ms. */
export function summarize(values: readonly number[]): { count: number; p50: number; p90: number; p99: number; max: number; mean: number } {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    p50: round2(percentileSorted(sorted, 50)),
    p90: round2(percentileSorted(sorted, 90)),
    p99: round2(percentileSorted(sorted, 99)),
    max: round2(sorted[sorted.length - 1] ?? NaN),
    mean: round2(sorted.length ? sum / sorted.length : NaN),
  };
}

export const round2 = (n: number): number => Math.round(n * 100) / 100;
export const round1 = (n: number): number => Math.round(n * 10) / 10;
export const mib = (bytes: number): number => Math.round(bytes / 2 ** 20);

/** Samples process RSS every `everyMs` (100 ms) and keeps the maximum. */
export class RssSampler {
  private timer?: NodeJS.Timeout;
  private maxBytes = 0;
  /** process.memoryUsage() at the sample with the highest RSS. */
  atPeak: NodeJS.MemoryUsage = process.memoryUsage();
  constructor(private readonly everyMs = 100) {}

  start(): this {
    this.atPeak = process.memoryUsage();
    this.maxBytes = this.atPeak.rss;
    this.timer = setInterval(() => this.sample(), this.everyMs);
    this.timer.unref();
    return this;
  }

  private sample(): void {
    const m = process.memoryUsage();
    if (m.rss > this.maxBytes) {
      this.maxBytes = m.rss;
      this.atPeak = m;
    }
  }

  /** MiB of RSS, V8 heap used/total and external memory at the peak. */
  peakBreakdown(): { rss: number; heapUsed: number; heapTotal: number; external: number } {
    const m = this.atPeak;
    return { rss: mib(m.rss), heapUsed: mib(m.heapUsed), heapTotal: mib(m.heapTotal), external: mib(m.external) };
  }

  /** Max RSS in MiB so far (samples once more now). */
  maxMiB(): number {
    this.sample();
    return mib(this.maxBytes);
  }

  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return this.maxMiB();
  }
}

/**
 * CPU use over a span: this process (main thread plus its workers), PostgreSQL's processes (read
 * from /proc; backends that exit during the span are missed) and the whole machine, each as a
 * percentage of ONE core (so 200% is both cores of a 2-core machine). `othersCpuPct` is what is
 * left: anyone else sharing the machine.
 */
export class CpuMeter {
  private readonly proc = process.cpuUsage();
  private readonly machine = machineTimes();
  private readonly pg = postgresTicks();
  private readonly at = performance.now();

  read(): { processCpuPct: number; postgresCpuPct: number; othersCpuPct: number; machineCpuPct: number } {
    const wallUs = (performance.now() - this.at) * 1000;
    const p = process.cpuUsage(this.proc);
    const m = machineTimes();
    const busy = m.busy - this.machine.busy;
    const total = m.total - this.machine.total;
    const cores = os.cpus().length;
    const processCpuPct = Math.round(((p.user + p.system) / wallUs) * 100);
    const machineCpuPct = total > 0 ? Math.round((busy / total) * 100 * cores) : 0;
    const pgNow = postgresTicks();
    let pgTicks = 0;
    for (const [pid, t] of pgNow) pgTicks += t - (this.pg.get(pid) ?? 0);
    // /proc/<pid>/stat times are in clock ticks (USER_HZ, 100 on Linux).
    const postgresCpuPct = Math.round(((pgTicks * 10_000) / wallUs) * 100);
    return { processCpuPct, postgresCpuPct, othersCpuPct: Math.max(0, machineCpuPct - processCpuPct - postgresCpuPct), machineCpuPct };
  }
}

/** utime + stime (clock ticks) of every process named postgres, by pid; empty where /proc is not readable. */
function postgresTicks(): Map<number, number> {
  const out = new Map<number, number>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
      const f = stat.slice(close + 2).split(' ');
      out.set(Number(pid), Number(f[11]) + Number(f[12]));
    } catch {
      // gone
    }
  }
  return out;
}

function machineTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const c of os.cpus()) {
    const t = c.times;
    const all = t.user + t.nice + t.sys + t.idle + t.irq;
    total += all;
    busy += all - t.idle;
  }
  return { busy, total };
}

// ---------------------------------------------------------------------------------------------
// Results

export type Figures = Record<string, unknown>;

/** Prints the figures and writes bench/results/<name>.json. */
export async function writeResult(name: string, settings: Record<string, unknown>, figures: Figures, machine?: MachineDescription): Promise<string> {
  const described = machine ?? (await describeMachine());
  // The machine's speed again as the run ends: a VM's can change within the run.
  const result = { name, machine: { ...described, calibrationAtEnd: await cpuCalibration() }, settings, figures, at: new Date().toISOString() };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  console.log(`\n== ${name}: figures`);
  console.log(JSON.stringify(figures, null, 2));
  console.log(`(written to ${file})`);
  return file;
}

export const log = (msg: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const immediate = (): Promise<void> => new Promise((r) => setImmediate(r));

let gcFn: (() => void) | undefined | null = null;
/** A full garbage collection between scenarios (so one scenario's garbage does not count in the next one's RSS). */
export function forceGc(): void {
  if (gcFn === null) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gcFn = runInNewContext('gc') as () => void;
    } catch {
      gcFn = undefined;
    }
  }
  gcFn?.();
}

/**
 * Profiles this thread (V8 sampling profiler through node:inspector) from now until the returned
 * function is called, which writes the .cpuprofile (readable by Chrome DevTools and
 * bench/dist/tools/cpuprofile-top.js) to `file`.
 */
export async function startCpuProfile(file: string): Promise<() => Promise<void>> {
  const inspector = await import('node:inspector');
  const session = new inspector.Session();
  session.connect();
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res as T))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  await post('Profiler.start');
  return async () => {
    const { profile } = await post<{ profile: object }>('Profiler.stop');
    session.disconnect();
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(profile));
    console.log(`  (CPU profile of the measured span written to ${file})`);
  };
}

/**
 * Others share this machine (tests, builds). Before a measured run, wait (up to `maxWaitMs`) until
 * the machine, with this process idle, is less than `busyPct` % of one core busy over a 1 s sample.
 * Returns the busy % last seen.
 */
export async function waitForQuietMachine(busyPct = 30, maxWaitMs = Number(process.env.BENCH_QUIET_WAIT_MS ?? 180_000)): Promise<number> {
  const t0 = performance.now();
  let said = false;
  for (;;) {
    const a = machineTimes();
    await sleep(1000);
    const b = machineTimes();
    const busy = b.total > a.total ? Math.round(((b.busy - a.busy) / (b.total - a.total)) * 100 * os.cpus().length) : 0;
    if (busy < busyPct || performance.now() - t0 > maxWaitMs) {
      if (said) log(`  machine quiet enough (${busy}% of a core busy); going on`);
      return busy;
    }
    if (!said) log(`  the machine is busy (${busy}% of a core) with other work; waiting for it to calm down`);
    said = true;
  }
}

/**
 * A run during which something other than this process and PostgreSQL took more than 50% of a
 * core. (On the quiet reference machine `othersCpuPct` is ~20–35%: kernel time for loopback
 * networking and disk I/O that /proc does not attribute to a process.)
 */
export const contended = (u: { othersCpuPct: number }): boolean => u.othersCpuPct > 50;
