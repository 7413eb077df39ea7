import { readFileSync, writeFileSync } from 'node:fs';
import autocannon from 'autocannon';

/**
 * The load generator of the node benchmarks, run as its own process (never inside the node's):
 *
 *   node bench/dist/tools/http-load.js --url http://127.0.0.1:4000/graphql --bodies requests.jsonl
 *     --out result.json [--token JWT] [--connections 64] [--amount N | --seconds S] [--warmup N]
 *     [--field submitTransaction] [--cycle]
 *
 * Each line of `--bodies` is one GraphQL request body (JSON), sent once in order (`--cycle`: round
 * and round, for reads). autocannon keeps `--connections` requests in flight (closed loop) and
 * measures each one's latency (1 ms resolution, 2xx answers only); every answer is also parsed and
 * classified: GraphQL errors by `extensions.code`, and with `--field` the receipt's status. A
 * warm-up of `--warmup` requests (the first bodies) goes before the measured run.
 */

interface Args {
  url: string;
  bodies: string;
  out: string;
  token?: string;
  connections: number;
  amount?: number;
  seconds?: number;
  warmup: number;
  field?: string;
  cycle: boolean;
}

function parse(argv: string[]): Args {
  const o = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) o.set(a.slice(2), argv[++i]);
    else o.set(a.slice(2), 'true');
  }
  const need = (k: string) => {
    const v = o.get(k);
    if (!v) throw new Error(`--${k} is required`);
    return v;
  };
  const num = (k: string) => (o.has(k) ? Number(o.get(k)) : undefined);
  return {
    url: need('url'),
    bodies: need('bodies'),
    out: need('out'),
    token: o.get('token'),
    connections: num('connections') ?? 64,
    amount: num('amount'),
    seconds: num('seconds'),
    warmup: num('warmup') ?? 0,
    field: o.get('field'),
    cycle: o.get('cycle') === 'true',
  };
}

export interface Classified {
  /** Answers without GraphQL errors (and, with --field, whose status was COMMITTED). */
  ok: number;
  /** With --field: answers whose receipt status was not COMMITTED (e.g. REVERTED). */
  notCommitted: number;
  /** GraphQL error codes (extensions.code, else "UNCODED"), and answers that were not JSON. */
  errors: Record<string, number>;
  /** The first few error messages, for the report. */
  samples: string[];
}

export interface LoadResult {
  connections: number;
  requests: number;
  elapsedMs: number;
  /** Completed requests per second over the measured run. */
  requestsPerSec: number;
  /** autocannon's latency histogram (ms; 2xx answers). */
  latencyMs: { p50: number; p90: number; p97_5: number; p99: number; p99_9: number; max: number; mean: number; stddev: number };
  autocannon: { errors: number; timeouts: number; non2xx: number; resets: number; statusCodeStats?: Record<string, { count?: number }> };
  classified: Classified;
  /** CPU of this load process over the measured run, % of one core. */
  loadCpuPct: number;
}

function runOnce(a: Args, next: () => string | undefined, opts: { amount?: number; seconds?: number; classified: Classified }): Promise<autocannon.Result> {
  const { classified } = opts;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (a.token) headers.authorization = `Bearer ${a.token}`;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: a.url,
        method: 'POST',
        headers,
        connections: Math.min(a.connections, opts.amount ?? a.connections),
        pipelining: 1,
        timeout: 60,
        ...(opts.amount !== undefined ? { amount: opts.amount } : { duration: opts.seconds ?? 10 }),
        requests: [
          {
            setupRequest: (req) => {
              const body = next();
              // autocannon restarts its request sequence on a falsy value: send an empty query,
              // which only happens if the bodies run out (counted as an error).
              return { ...req, body: body ?? '{"query":""}' };
            },
            onResponse: (status, body) => {
              let parsed: { data?: Record<string, { status?: string } | null> | null; errors?: { message: string; extensions?: { code?: string } }[] };
              try {
                parsed = JSON.parse(body) as typeof parsed;
              } catch {
                classified.errors[`HTTP_${status}_NOT_JSON`] = (classified.errors[`HTTP_${status}_NOT_JSON`] ?? 0) + 1;
                return;
              }
              if (parsed.errors?.length) {
                const code = parsed.errors[0].extensions?.code ?? 'UNCODED';
                classified.errors[code] = (classified.errors[code] ?? 0) + 1;
                if (classified.samples.length < 5) classified.samples.push(`${code}: ${parsed.errors[0].message}`);
                return;
              }
              if (a.field && parsed.data?.[a.field]?.status !== 'COMMITTED') classified.notCommitted++;
              else classified.ok++;
            },
          },
        ],
      },
      (err, result) => (err ? reject(err as Error) : resolve(result)),
    );
  });
}

async function main(): Promise<void> {
  const a = parse(process.argv.slice(2));
  const lines = readFileSync(a.bodies, 'utf8').split('\n').filter((l) => l.length > 0);
  let at = 0;
  const next = () => {
    if (at >= lines.length) {
      if (!a.cycle) return undefined;
      at = 0;
    }
    return lines[at++];
  };
  if (a.warmup > 0) await runOnce(a, next, { amount: a.warmup, classified: { ok: 0, notCommitted: 0, errors: {}, samples: [] } });
  const classified: Classified = { ok: 0, notCommitted: 0, errors: {}, samples: [] };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await runOnce(a, next, { amount: a.amount, seconds: a.seconds, classified });
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const requests = r.requests.total;
  const out: LoadResult = {
    connections: r.connections,
    requests,
    elapsedMs: Math.round(elapsedMs),
    requestsPerSec: Math.round(requests / (elapsedMs / 1000)),
    latencyMs: {
      p50: r.latency.p50,
      p90: r.latency.p90,
      p97_5: r.latency.p97_5,
      p99: r.latency.p99,
      p99_9: r.latency.p99_9,
      max: r.latency.max,
      mean: Math.round(r.latency.mean * 100) / 100,
      stddev: Math.round(r.latency.stddev * 100) / 100,
    },
    autocannon: { errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx, resets: r.resets, statusCodeStats: r.statusCodeStats },
    classified,
    loadCpuPct: Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 100),
  };
  writeFileSync(a.out, JSON.stringify(out, null, 2));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);
