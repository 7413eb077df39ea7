import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DevCredentialsFile } from '@zizhu/platform';
import { deletePrefix, testPrefix } from '../../../libs/platform/src/queue/testing/local-redis.js';
import { processAlive } from '../../../libs/platform/src/embedded/local-process.js';
import { TEST_ENV } from '../../support/node.js';
import { spawnNodeMain, type NodeMainProcess } from '../../support/node-process.js';

/**
 * `npm start` with no DATABASE_URL: the node runs an embedded PostgreSQL under ZIZHU_HOME, creates
 * the development consortium on first start, says where GraphQL, the sandbox and the credentials
 * are, stops its PostgreSQL on SIGTERM, and starts again on the same data.
 */

const READY = /Zizhu node ready: GraphQL (http:\/\/127\.0\.0\.1:\d+)\/graphql \| sandbox: open \S+ in a browser \(GraphiQL\) \| demo credentials: (\S+)\n/;
const RECORD = 'mutation($i: RecordDocumentInput!) { recordDocument(input: $i) { hash height status } }';

async function gql<T>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<{ data?: T; errors?: unknown[] }> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: T; errors?: unknown[] };
}

async function login(url: string, password: string): Promise<string> {
  const r = await gql<{ login: { accessToken: string } }>(url, 'mutation($i: LoginInput!) { login(input: $i) { accessToken } }', { i: { organization: 'bank-a', username: 'admin', password } });
  if (!r.data?.login) throw new Error(`login failed: ${JSON.stringify(r.errors)}`);
  return r.data.login.accessToken;
}

describe('the embedded default: a node with no DATABASE_URL', () => {
  let root: string;
  let home: string;
  let env: Record<string, string>;
  let node: NodeMainProcess | undefined;
  const prefix = testPrefix();

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'zizhu-embedded-'));
    // mkdtemp makes 0700 directories; as root the server runs as "postgres", which must enter it.
    await chmod(root, 0o711);
    home = join(root, 'home');
    // The test environment, minus any database: nothing but ZIZHU_HOME says where the data goes.
    env = { ...TEST_ENV, DATABASE_CONNECT_TIMEOUT_MS: '30000', ZIZHU_HOME: home, HOST: '127.0.0.1', PORT: '0', QUEUE_PREFIX: prefix };
  });
  afterAll(async () => {
    await node?.stop();
    await deletePrefix('redis://127.0.0.1:6379', prefix).catch(() => {});
    await rm(root, { recursive: true, force: true });
  });

  let first: { url: string; password: string; hash: string; height: number };

  it('first start: initialises PostgreSQL under ZIZHU_HOME, creates the consortium, prints the GraphQL URL, sandbox and credentials file', async () => {
    node = spawnNodeMain([], env);
    const [, url, credentialsFile] = await node.waitFor(READY, 40_000);
    expect(credentialsFile).toBe(join(home, 'dev-credentials.json'));
    expect(node.output()).toContain('admin users created (shown once');
    expect((await stat(credentialsFile)).mode & 0o777).toBe(0o600);
    const credentials = JSON.parse(await readFile(credentialsFile, 'utf8')) as DevCredentialsFile;
    expect(credentials.users).toHaveLength(14);
    const password = credentials.users.find((u) => u.organization === 'bank-a')!.password;

    const ready = await fetch(`${url}/ready`);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', chain: 'ok' } });
    const token = await login(url, password);
    const r = await gql<{ recordDocument: { hash: string; height: number; status: string } }>(url, RECORD, { i: { id: 'embedded-1', digest: randomBytes(32).toString('hex') } }, token);
    expect(r.errors).toBeUndefined();
    expect(r.data!.recordDocument.status).toBe('COMMITTED');
    first = { url, password, ...r.data!.recordDocument };

    // The data is in the embedded server (its port and password in ${ZIZHU_HOME}/postgres.json, 0600).
    expect((await stat(join(home, 'postgres.json'))).mode & 0o777).toBe(0o600);
    const { port, password: pgPassword } = JSON.parse(await readFile(join(home, 'postgres.json'), 'utf8')) as { port: number; password: string };
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: pgPassword, database: 'zizhu' });
    await client.connect();
    try {
      expect((await client.query("SELECT count(*)::int AS n FROM users WHERE username = 'admin'")).rows[0].n).toBe(14);
      expect((await client.query("SELECT current_setting('data_directory') AS dir")).rows[0].dir).toBe(join(home, 'postgres'));
    } finally {
      await client.end();
    }
  });

  it('SIGTERM stops the node and the PostgreSQL it started; a restart reuses the data and prints no new passwords', async () => {
    const postmaster = Number((await readFile(join(home, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    expect(await node!.stop()).toEqual({ code: 0, signal: null });
    expect(processAlive(postmaster)).toBe(false);

    node = spawnNodeMain([], env);
    const [, url] = await node.waitFor(READY, 30_000);
    expect(node.output()).not.toContain('admin users created');
    const token = await login(url, first.password);
    const tx = await gql<{ transaction: { hash: string; height: number } }>(url, 'query($h: String!) { transaction(hash: $h) { hash height } }', { h: first.hash }, token);
    expect(tx.data?.transaction).toEqual({ hash: first.hash, height: first.height });
    const next = await gql<{ recordDocument: { height: number; status: string } }>(url, RECORD, { i: { id: 'embedded-2', digest: randomBytes(32).toString('hex') } }, token);
    expect(next.data?.recordDocument.status).toBe('COMMITTED');
    expect(next.data!.recordDocument.height).toBeGreaterThan(first.height);
    expect(await node.stop()).toEqual({ code: 0, signal: null });
    node = undefined;
  });
});
