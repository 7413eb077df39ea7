import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootNode } from '@zizhu/node';
import { ConfigError, loadConfig, openNodeHome } from '@zizhu/platform';
import { NotaryContract } from '@zizhu/contract-sample';
import { createTestDatabase, TEST_ADMIN_URL, type TestDatabase } from '../../support/database.js';
import { TEST_ENV } from '../../support/node.js';
import { deletePrefix, testPrefix } from '../../../libs/platform/src/queue/testing/local-redis.js';

/** Configuration errors stop the node at boot with a message naming the variable. */

async function configErrorOf(p: Promise<unknown>): Promise<ConfigError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw new Error(`expected a ConfigError, got ${(e as Error)?.stack ?? e}`, { cause: e });
  }
  throw new Error('expected a ConfigError, but it succeeded');
}

const syncConfigErrorOf = (f: () => unknown) => configErrorOf(Promise.resolve().then(f));

describe('configuration errors', () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'zizhu-config-'));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('loadConfig names each bad variable, and never echoes a secret', async () => {
    const url = await syncConfigErrorOf(() => loadConfig({ DATABASE_URL: 'mysql://root:hunter2@db/zizhu' }));
    expect(url.variable).toBe('DATABASE_URL');
    expect(url.message).toMatch(/^configuration: DATABASE_URL /);
    expect(url.message).not.toContain('hunter2');
    expect((await syncConfigErrorOf(() => loadConfig({ PORT: 'eighty' }))).variable).toBe('PORT');
    expect((await syncConfigErrorOf(() => loadConfig({ ZIZHU_KEYSTORE_SCRYPT_N: '1000' }))).message).toMatch(/ZIZHU_KEYSTORE_SCRYPT_N .*power of two/);
    expect((await syncConfigErrorOf(() => loadConfig({ ZIZHU_ROLE: 'everything' }))).variable).toBe('ZIZHU_ROLE');
    expect((await syncConfigErrorOf(() => loadConfig({ CHECKPOINT_WEBHOOK_URLS: 'http://ok.example, ftp://no' }))).variable).toBe('CHECKPOINT_WEBHOOK_URLS');
    const passphrase = await syncConfigErrorOf(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/zizhu' }));
    expect(passphrase.variable).toBe('ZIZHU_KEYSTORE_PASSPHRASE');
    expect(passphrase.message).toMatch(/required in production/);
    expect(loadConfig({}).PORT).toBe(4000);
  });

  it('boot stops on a bad DATABASE_URL: not a PostgreSQL URL, no such database, nothing listening', async () => {
    const base = { ...TEST_ENV, ZIZHU_HOME: home };
    expect((await configErrorOf(bootNode({ env: { ...base, DATABASE_URL: 'not a url' }, logger: false }))).variable).toBe('DATABASE_URL');
    const missing = new URL(TEST_ADMIN_URL);
    missing.pathname = '/zizhu_no_such_database';
    const noDb = await configErrorOf(bootNode({ env: { ...base, DATABASE_URL: missing.toString() }, logger: false }));
    expect(noDb.variable).toBe('DATABASE_URL');
    expect(noDb.message).toMatch(/zizhu_no_such_database/);
    const started = Date.now();
    const closed = await configErrorOf(bootNode({ env: { ...base, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/zizhu', DATABASE_CONNECT_TIMEOUT_MS: '1500' }, logger: false }));
    expect(closed.variable).toBe('DATABASE_URL');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('boot stops in production without a passphrase, or without a keystore and genesis (it never creates a development consortium)', async () => {
    const db = await createTestDatabase('zizhu_config');
    const empty = await mkdtemp(join(tmpdir(), 'zizhu-prod-'));
    try {
      const env = { ...TEST_ENV, NODE_ENV: 'production', ZIZHU_HOME: empty, DATABASE_URL: db.url };
      expect((await configErrorOf(bootNode({ env, logger: false }))).variable).toBe('ZIZHU_KEYSTORE_PASSPHRASE');
      const noFiles = await configErrorOf(bootNode({ env: { ...env, ZIZHU_KEYSTORE_PASSPHRASE: 'a long production passphrase' }, logger: false }));
      expect(noFiles.variable).toBe('ZIZHU_HOME');
      expect(noFiles.message).toMatch(/zizhu genesis create/);
    } finally {
      await db.drop();
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('a keystore that the passphrase does not open names ZIZHU_KEYSTORE_PASSPHRASE', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zizhu-home-'));
    try {
      const registration = { contracts: [NotaryContract], devChannels: [{ name: 'notary', contracts: ['notary'] }] };
      const first = await openNodeHome(loadConfig({ ...TEST_ENV, ZIZHU_HOME: dir, ZIZHU_KEYSTORE_PASSPHRASE: 'the first passphrase' }), registration);
      expect(first.created).toBe(true);
      const again = await openNodeHome(loadConfig({ ...TEST_ENV, ZIZHU_HOME: dir, ZIZHU_KEYSTORE_PASSPHRASE: 'the first passphrase' }), registration);
      expect(again.created).toBe(false);
      expect(again.genesis).toEqual(first.genesis);
      const wrong = await configErrorOf(openNodeHome(loadConfig({ ...TEST_ENV, ZIZHU_HOME: dir, ZIZHU_KEYSTORE_PASSPHRASE: 'some other passphrase' }), registration));
      expect(wrong.variable).toBe('ZIZHU_KEYSTORE_PASSPHRASE');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the node command exits 1 with one JSON line naming the variable (or the --role flag)', async () => {
    const run = (args: string[], env: Record<string, string>) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [join(process.cwd(), 'apps/node/dist/main.js'), ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        // 'close', not 'exit': only then has all of stderr been read (under load 'exit' can come first).
        child.on('close', (code) => resolve({ code, stderr }));
      });
    const prod = await run([], { NODE_ENV: 'production', DATABASE_URL: 'postgres://127.0.0.1:1/x' });
    expect(prod.code).toBe(1);
    expect(JSON.parse(prod.stderr.trim().split('\n').pop()!)).toMatchObject({ level: 'fatal', variable: 'ZIZHU_KEYSTORE_PASSPHRASE' });
    const role = await run(['--role', 'everything'], {});
    expect(role.code).toBe(1);
    expect(JSON.parse(role.stderr.trim().split('\n').pop()!)).toMatchObject({ variable: '--role' });
  });
});

describe('roles', () => {
  let db: TestDatabase;
  let home: string;
  beforeAll(async () => {
    db = await createTestDatabase('zizhu_roles');
    home = await mkdtemp(join(tmpdir(), 'zizhu-worker-'));
  });
  afterAll(async () => {
    await db?.drop();
    await rm(home, { recursive: true, force: true });
  });

  it('a worker-only process serves no HTTP, opens no keystore (and migrates the database)', async () => {
    const output: string[] = [];
    const prefix = testPrefix();
    const node = await bootNode({ env: { ...TEST_ENV, DATABASE_URL: db.url, ZIZHU_HOME: home, QUEUE_PREFIX: prefix }, role: 'worker', logger: false, output: (text) => output.push(text) });
    try {
      expect(node.role).toBe('worker');
      expect(node.url).toBeUndefined();
      expect('getHttpServer' in node.app).toBe(false);
      expect(output.join('\n')).toMatch(/worker ready.*no HTTP/);
      await expect(readdir(home)).resolves.toEqual([]);
    } finally {
      await node.close();
      await deletePrefix(node.config.REDIS_URL!, prefix);
    }
  });
});
