import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import { WebSocket } from 'ws';
import { Keystore } from '@zizhu/crypto';
import { bootNode, type RunningNode } from '@zizhu/node';
import type { DevCredentialsFile, QueueSettingsOverrides } from '@zizhu/platform';
import { deletePrefix, testPrefix } from '../../libs/platform/src/queue/testing/local-redis.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  body: {
    data?: T | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; reason?: string; [k: string]: unknown } }[];
  };
}

export interface Credentials {
  token?: string;
  apiKey?: string;
}

/** A node booted in-process on a fresh database and ZIZHU_HOME, listening on 127.0.0.1. */
export interface TestNode {
  node: RunningNode;
  url: string;
  db: TestDatabase;
  home: string;
  /** The first-start credentials (dev-credentials.json). */
  credentials: DevCredentialsFile;
  /** What the node printed on first start. */
  output: string[];
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, as?: Credentials): Promise<GraphQLResponse<T>>;
  /** Raw POST to /graphql. */
  post(body: string, headers?: Record<string, string>): Promise<{ status: number; text: string }>;
  adminPassword(org: string): string;
  /** Logs in and returns the access token. */
  login(org: string, username: string, password: string): Promise<string>;
  /** The node's keystore, opened with its development passphrase (what a client holding its own keys has). */
  keystore(): Promise<Keystore>;
  /** Stops the node and boots it again on the same database and ZIZHU_HOME. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Test defaults: cheap scrypt, quiet logs, no worker threads, generous rate limits. */
export const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  ZIZHU_KEYSTORE_SCRYPT_N: '1024',
  PASSWORD_SCRYPT_N: '1024',
  LOG_LEVEL: 'error',
  VERIFY_WORKERS: '0',
  RATE_LIMIT_PER_MINUTE: '1000000',
  PUBLIC_RATE_LIMIT_PER_MINUTE: '1000000',
  BLOCK_MAX_WAIT_MS: '5',
  DATABASE_CONNECT_TIMEOUT_MS: '5000',
};

export function headersFor(as?: Credentials): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/json' };
  if (as?.token) h.authorization = `Bearer ${as.token}`;
  if (as?.apiKey) h['x-api-key'] = as.apiKey;
  return h;
}

export async function startTestNode(env: Record<string, string> = {}, options: { clock?: () => number; queueSettings?: QueueSettingsOverrides } = {}): Promise<TestNode> {
  const db = await createTestDatabase('zizhu_node');
  const home = await mkdtemp(join(tmpdir(), 'zizhu-node-'));
  const output: string[] = [];
  // Its own BullMQ keys: test nodes share the local Redis, and each one's workers take only its jobs.
  const queuePrefix = env.QUEUE_PREFIX ?? testPrefix();
  const boot = (port = 0) =>
    bootNode({
      env: { ...TEST_ENV, DATABASE_URL: db.url, ZIZHU_HOME: home, QUEUE_PREFIX: queuePrefix, ...env },
      listen: { host: '127.0.0.1', port },
      output: (text) => output.push(text),
      clock: options.clock,
      queueSettings: options.queueSettings,
      // TEST_NODE_LOGS=1 shows the node's JSON logs (internal errors are logged there, not answered).
      logger: process.env.TEST_NODE_LOGS ? undefined : false,
    });
  let node: RunningNode;
  try {
    node = await boot();
  } catch (e) {
    await db.drop();
    await rm(home, { recursive: true, force: true });
    throw e;
  }
  const url = node.url!;
  const credentials = JSON.parse(await readFile(join(home, 'dev-credentials.json'), 'utf8')) as DevCredentialsFile;
  const post = async (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body });
    return { status: res.status, text: await res.text() };
  };
  const gql = async <T>(query: string, variables?: Record<string, unknown>, as?: Credentials): Promise<GraphQLResponse<T>> => {
    const res = await post(JSON.stringify({ query, variables }), headersFor(as));
    let body: GraphQLResponse<T>['body'];
    try {
      body = JSON.parse(res.text) as GraphQLResponse<T>['body'];
    } catch {
      throw new Error(`not JSON (HTTP ${res.status}): ${res.text.slice(0, 500)}`);
    }
    return { status: res.status, body };
  };
  const adminPassword = (org: string) => {
    const c = credentials.users.find((u) => u.organization === org && u.username === 'admin');
    if (!c) throw new Error(`no admin credentials for ${org}`);
    return c.password;
  };
  const t: TestNode = {
    node,
    url,
    db,
    home,
    credentials,
    output,
    gql,
    post,
    adminPassword,
    async login(org, username, password) {
      const r = await gql<{ login: { accessToken: string } }>(
        'mutation($input: LoginInput!) { login(input: $input) { accessToken } }',
        { input: { organization: org, username, password } },
      );
      if (!r.body.data?.login) throw new Error(`login ${org}/${username} failed: ${JSON.stringify(r.body.errors)}`);
      return r.body.data.login.accessToken;
    },
    async keystore() {
      const passphrase = (await readFile(join(home, 'dev-passphrase'), 'utf8')).trim();
      return Keystore.load(join(home, 'keystore.json'), passphrase);
    },
    async restart() {
      await t.node.close();
      t.node = await boot(Number(new URL(url).port));
    },
    async close() {
      await t.node.close();
      await deletePrefix(t.node.config.REDIS_URL!, queuePrefix).catch(() => {});
      await db.drop();
      await rm(home, { recursive: true, force: true });
    },
  };
  return t;
}

export interface Subscription<T> {
  /** The next payload (data or errors), or rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<{ data?: T | null; errors?: { message: string; extensions?: { code?: string; reason?: string } }[] }>;
  dispose(): void;
}

/** A graphql-ws subscription (the ws package as the client's WebSocket), authenticated by connectionParams. */
export function subscribe<T = Record<string, unknown>>(url: string, query: string, variables: Record<string, unknown> = {}, as?: Credentials): Subscription<T> {
  const client = createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { ...(as?.token ? { authorization: `Bearer ${as.token}` } : {}), ...(as?.apiKey ? { apiKey: as.apiKey } : {}) },
    retryAttempts: 0,
    lazy: true,
  });
  type Payload = Awaited<ReturnType<Subscription<T>['next']>>;
  const queue: Payload[] = [];
  const waiting: ((p: Payload) => void)[] = [];
  const push = (p: Payload) => {
    const w = waiting.shift();
    if (w) w(p);
    else queue.push(p);
  };
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => push(value as Payload),
      error: (err) => push({ errors: Array.isArray(err) ? (err as Payload['errors']) : [{ message: String((err as { reason?: string })?.reason ?? err), extensions: { code: 'TRANSPORT' } }] }),
      complete: () => undefined,
    },
  );
  return {
    next(timeoutMs = 5000) {
      const ready = queue.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const waiter = (p: Payload) => {
          clearTimeout(timer);
          resolve(p);
        };
        const timer = setTimeout(() => {
          // Withdraw, or the next payload would go to nobody.
          waiting.splice(waiting.indexOf(waiter), 1);
          reject(new Error(`no subscription payload within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.push(waiter);
      });
    },
    dispose() {
      unsubscribe();
      void client.dispose();
    },
  };
}

/** The error codes of a response (top-level errors). */
export const codesOf = (r: GraphQLResponse): (string | undefined)[] => (r.body.errors ?? []).map((e) => e.extensions?.code);
