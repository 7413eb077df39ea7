import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keystore } from '@zizhu/crypto';
import type { DevCredentialsFile } from '@zizhu/platform';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { TEST_ENV, type GraphQLResponse } from '../../support/node.js';

/**
 * Fault tests run the node as a real process (`node apps/node/dist/main.js`, built by the root
 * `pretest`), so that it can be killed, cut off from its database or from Redis, and watched for
 * crashes. Clients talk to it over HTTP from the test process.
 */

export const NODE_MAIN = join(process.cwd(), 'apps/node/dist/main.js');
export const CLI_MAIN = join(process.cwd(), 'apps/cli/dist/main.js');

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const digest = (): string => randomBytes(32).toString('hex');

/** A TCP port nobody listens on right now (the kernel's pick, released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(everyMs);
  }
}

/** `p`, or a rejection naming `what` after `ms`. */
export function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------
// GraphQL over HTTP

export interface Gql {
  url: string;
  /** POST /graphql; throws only when there is no HTTP answer at all (connection refused, reset, timeout). */
  <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string, timeoutMs?: number): Promise<GraphQLResponse<T>>;
}

export function graphqlClient(url: string): Gql {
  const gql = async <T>(query: string, variables?: Record<string, unknown>, token?: string, timeoutMs = 30_000): Promise<GraphQLResponse<T>> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) as GraphQLResponse<T>['body'] };
    } catch {
      throw new Error(`not JSON (HTTP ${res.status}): ${text.slice(0, 500)}`);
    }
  };
  return Object.assign(gql, { url }) as Gql;
}

export async function login(gql: Gql, org: string, username: string, password: string): Promise<string> {
  const r = await gql<{ login: { accessToken: string } }>('mutation($i: LoginInput!) { login(input: $i) { accessToken } }', { i: { organization: org, username, password } });
  if (!r.body.data?.login) throw new Error(`login ${org}/${username} failed: ${JSON.stringify(r.body.errors)}`);
  return r.body.data.login.accessToken;
}

export const RECORD = 'mutation($i: RecordDocumentInput!) { recordDocument(input: $i) { hash status } }';
export const SUBMIT = 'mutation($s: SignedTransactionInput!) { submitTransaction(signed: $s) { hash status } }';

/** Which of `hashes` the log has (transaction(hash) non-null), asked in batches of aliased fields. */
export async function transactionsInLog(gql: Gql, token: string, hashes: string[]): Promise<Map<string, { status: string; height: number }>> {
  const found = new Map<string, { status: string; height: number }>();
  for (let i = 0; i < hashes.length; i += 50) {
    const batch = hashes.slice(i, i + 50);
    const query = `{ ${batch.map((h, j) => `t${j}: transaction(hash: "${h}") { hash status height }`).join(' ')} }`;
    const r = await gql<Record<string, { hash: string; status: string; height: number } | null>>(query, {}, token);
    if (r.body.errors) throw new Error(`transaction lookup failed: ${JSON.stringify(r.body.errors)}`);
    for (const tx of Object.values(r.body.data!)) if (tx) found.set(tx.hash, { status: tx.status, height: tx.height });
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// A webhook receiver

export interface CheckpointDelivery {
  deliveryId: string;
  channel: string;
  height: number;
  treeSize: number;
  checkpoint: string;
}

/** An HTTP server in the test process recording every checkpoint webhook POSTed to it (answers 204). */
export async function webhookReceiver(): Promise<{ url: string; deliveries: CheckpointDelivery[]; close(): Promise<void> }> {
  const deliveries: CheckpointDelivery[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      try {
        const b = JSON.parse(body) as Omit<CheckpointDelivery, 'deliveryId'>;
        deliveries.push({ deliveryId: String(req.headers['x-zizhu-delivery']), channel: b.channel, height: b.height, treeSize: b.treeSize, checkpoint: b.checkpoint });
        res.statusCode = 204;
      } catch {
        res.statusCode = 400;
      }
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/checkpoints`,
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// The node as a child process

export interface NodeHomeDir {
  db: TestDatabase;
  home: string;
  /** Environment of every start on this database and home (tests add their own). */
  env: Record<string, string>;
  credentials(): Promise<DevCredentialsFile>;
  adminPassword(org: string): Promise<string>;
  keystore(): Promise<Keystore>;
  cleanup(): Promise<void>;
}

/** A fresh database and ZIZHU_HOME for a node; a consortium id of its own keeps its Redis keys apart. */
export async function nodeHomeDir(prefix: string): Promise<NodeHomeDir> {
  const db = await createTestDatabase(prefix);
  const home = await mkdtemp(join(tmpdir(), `${prefix.replace(/_/g, '-')}-`));
  const tag = `faults-${randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = {
    ...TEST_ENV,
    LOG_LEVEL: 'warn',
    DATABASE_URL: db.url,
    ZIZHU_HOME: home,
    CONSORTIUM_ID: tag,
    // Queues of their own too: nodes sharing a Redis and a prefix would work each other's jobs.
    QUEUE_PREFIX: tag,
  };
  const credentials = async () => JSON.parse(await readFile(join(home, 'dev-credentials.json'), 'utf8')) as DevCredentialsFile;
  return {
    db,
    home,
    env,
    credentials,
    async adminPassword(org) {
      const c = (await credentials()).users.find((u) => u.organization === org && u.username === 'admin');
      if (!c) throw new Error(`no admin credentials for ${org}`);
      return c.password;
    },
    async keystore() {
      const passphrase = (await readFile(join(home, 'dev-passphrase'), 'utf8')).trim();
      return Keystore.load(join(home, 'keystore.json'), passphrase);
    },
    async cleanup() {
      await db.drop().catch(() => undefined);
      await rm(home, { recursive: true, force: true });
    },
  };
}

export interface NodeProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the process wrote (stdout and stderr), for diagnostics. */
  output(): string;
  /** Still running? */
  alive(): boolean;
  /** How often the process exited by itself (it is never restarted by this helper: any exit is a crash). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL (kill -9) and wait for the exit. */
  kill9(): Promise<void>;
  /** SIGTERM, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `node apps/node/dist/main.js` and waits until /ready answers 200. */
export async function spawnNode(env: Record<string, string>, opts: { port?: number; readyTimeoutMs?: number } = {}): Promise<NodeProcess> {
  const port = opts.port ?? (await freePort());
  // Not the test runner's NODE_OPTIONS (--experimental-vm-modules): the node runs as `npm start` runs it.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS' && !k.startsWith('ZIZHU_') && k !== 'DATABASE_URL' && k !== 'REDIS_URL')) as Record<string, string>;
  const child = spawn(process.execPath, [NODE_MAIN], { env: { ...base, ...env, HOST: '127.0.0.1', PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let running = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running = false;
      resolve({ code, signal });
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const p: NodeProcess = {
    url,
    port,
    child,
    output: () => out,
    alive: () => running,
    exited,
    async kill9() {
      if (running) child.kill('SIGKILL');
      await exited;
    },
    async stop(graceMs = 10_000) {
      if (!running) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
  try {
    await waitFor(
      `the node on port ${port} to be ready`,
      async () => {
        if (!running) throw new Error(`the node exited before it was ready:\n${out.slice(-4000)}`);
        const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
        await res?.text();
        return res?.status === 200 ? true : undefined;
      },
      opts.readyTimeoutMs ?? 60_000,
    );
  } catch (e) {
    await p.kill9();
    throw new Error(`${(e as Error).message}\n--- node output ---\n${out.slice(-4000)}`, { cause: e });
  }
  return p;
}

/** Runs `body`; if it fails, the error says what the node process printed last. */
export async function withOutput<T>(node: NodeProcess, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    const err = e as Error;
    err.message = `${err.message}\n--- node output (last 6000 characters) ---\n${node.output().slice(-6000)}`;
    throw err;
  }
}

/** Runs the zizhu CLI (apps/cli/dist/main.js); resolves with its exit code and output. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr })); // 'close': all output read
  });
}

// ---------------------------------------------------------------------------------------------
// A TCP proxy that can be cut (PostgreSQL "going down" without stopping the shared server)

export class TcpProxy {
  private readonly server: net.Server;
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket; cut: boolean }>();
  private cutOff = false;
  /** Server-side connections of a cut, until they have closed. */
  private readonly closing = new Set<Promise<void>>();
  private trigger?: { first: Buffer; then: Buffer; armed: WeakSet<net.Socket>; fired: () => void };
  /** Connections accepted, and refused while cut. */
  accepted = 0;
  refused = 0;

  private constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((c) => this.accept(c));
  }

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Client connections open through the proxy now. */
  get open(): number {
    return this.pairs.size;
  }

  private accept(client: net.Socket): void {
    if (this.cutOff) {
      this.refused++;
      client.resetAndDestroy();
      return;
    }
    this.accepted++;
    const upstream = net.connect(this.target.port, this.target.host);
    const pair = { client, upstream, cut: false };
    this.pairs.add(pair);
    for (const s of [client, upstream]) {
      s.on('error', () => undefined);
      s.on('close', () => {
        this.pairs.delete(pair);
        // One side gone: the other goes too (unless cut, which closes each side its own way).
        if (!pair.cut) (s === client ? upstream : client).destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
    // After pipe's own listener: a chunk that fires the trigger has been forwarded already.
    client.on('data', (chunk: Buffer) => {
      const t = this.trigger;
      if (!t) return;
      if (t.armed.has(client) && chunk.includes(t.then)) {
        this.trigger = undefined;
        this.cut();
        t.fired();
      } else if (chunk.includes(t.first)) t.armed.add(client);
    });
  }

  /**
   * Cuts the moment one connection, having sent bytes containing `first`, sends `then` (which is
   * forwarded first): e.g. PostgreSQL going away after it was sent a block's COMMIT, before the
   * node hears back. Resolves once cut.
   */
  cutAfter(first: string, then: string): Promise<void> {
    return new Promise((fired) => (this.trigger = { first: Buffer.from(first), then: Buffer.from(then), armed: new WeakSet(), fired }));
  }

  /**
   * PostgreSQL "goes down": clients' connections are reset, new ones refused. Toward the server
   * each connection is closed gracefully, so whatever was forwarded reaches it (as when a server
   * dies after reading a request); its answers go nowhere.
   */
  cut(): void {
    this.cutOff = true;
    this.trigger = undefined;
    for (const pair of this.pairs) {
      const { client, upstream } = pair;
      pair.cut = true;
      upstream.unpipe(client);
      client.unpipe(upstream);
      // A reset (RST) like a server that vanished; but libuv cannot reset a socket whose shutdown
      // is under way (ended writing): it would leak the handle and spin the event loop. Close those.
      if (client.writableEnded || client.destroyed) client.destroy();
      else client.resetAndDestroy();
      // Keep reading (and dropping) until the server closes its side: a paused socket whose peer
      // hangs up can spin the event loop.
      upstream.on('data', () => undefined);
      upstream.resume();
      upstream.end();
      const closing = new Promise<void>((resolve) => {
        const timer = setTimeout(() => upstream.destroy(), 3000);
        upstream.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      this.closing.add(closing);
      void closing.then(() => this.closing.delete(closing));
    }
    this.pairs.clear();
  }

  /** PostgreSQL "is back". */
  restore(): void {
    this.cutOff = false;
  }

  async close(): Promise<void> {
    this.cut();
    await Promise.all([...this.closing]);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------------------------------------
// A Redis server of the test's own

export interface RedisProcess {
  port: number;
  url: string;
  child: ChildProcess;
  kill9(): Promise<void>;
}

/** `redis-server --port <port> --save "" --appendonly no`, resolved once it accepts connections. */
export async function spawnRedis(port?: number): Promise<RedisProcess> {
  const p = port ?? (await freePort());
  const child = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  let running = true;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running = false;
      resolve();
    }),
  );
  await waitFor(`redis-server on port ${p}`, async () => {
    if (!running) throw new Error(`redis-server exited: ${out.slice(-2000)}`);
    return (await redisPing(p)) ? true : undefined;
  }, 20_000, 100);
  return {
    port: p,
    url: `redis://127.0.0.1:${p}`,
    child,
    async kill9() {
      if (running) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A raw RESP PING: true when Redis answers +PONG. */
export function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(2000, () => done(false));
    s.on('error', () => done(false));
    s.on('data', (d) => done(d.toString().startsWith('+PONG')));
    s.on('connect', () => s.write('PING\r\n'));
  });
}
