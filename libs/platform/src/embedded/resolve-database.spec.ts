import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ConfigError } from '../config/config.js';
import { TEST_ADMIN_URL } from '../../../../test/support/database.js';
import { resolveDatabase, type ResolvedDatabase } from './resolve-database.js';
import { processAlive, waitFor, waitForExit } from './local-process.js';

async function query<T extends Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

const postmasterPid = (home: string) => Number(readFileSync(join(home, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);

/** A node process (our TypeScript, through ts-hooks.mjs) that resolves the embedded database, writes a row, and idles. */
function spawnNode(home: string): { child: ChildProcess; url: Promise<string> } {
  const hooks = new URL('./testing/ts-hooks.mjs', import.meta.url).href;
  const script = `
    const { resolveDatabase } = await import(${JSON.stringify(new URL('./resolve-database.ts', import.meta.url).href)});
    const pg = (await import('pg')).default;
    const db = await resolveDatabase({ ZIZHU_HOME: ${JSON.stringify(home)} });
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query("INSERT INTO notes VALUES ('written by the child')");
    await c.end();
    console.log('READY ' + db.url);
    setInterval(() => {}, 60000);`;
  const child = spawn(process.execPath, ['--import', `data:text/javascript,import{register}from'node:module';register(${JSON.stringify(hooks)})`, '--input-type=module', '-e', script], {
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /READY (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => reject(new Error(`child exited (${code}): ${err}`)));
  });
  return { child, url };
}

describe('resolveDatabase: embedded PostgreSQL', () => {
  let root: string;
  let home: string;
  const handles: ResolvedDatabase[] = [];
  const open = async () => {
    const db = await resolveDatabase({ ZIZHU_HOME: home });
    handles.push(db);
    return db;
  };

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'zizhu-embedded-pg-'));
    // mkdtemp makes 0700 directories; the server runs as "postgres" when we are root and must enter it.
    chmodSync(root, 0o711);
    home = join(root, 'home');
  });
  afterAll(async () => {
    for (const h of handles) await h.stop().catch(() => {});
    rmSync(root, { recursive: true, force: true });
  });

  it('initialises on first run, answers with fsync on, and restarts on the same data and port', async () => {
    const db = await open();
    expect(db.source).toBe('embedded');
    expect(db.url).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/zizhu$/);
    const [settings] = await query<{ fsync: string; synchronous_commit: string; db: string }>(db.url, "SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS synchronous_commit, current_database() AS db");
    expect(settings).toEqual({ fsync: 'on', synchronous_commit: 'on', db: 'zizhu' });
    await query(db.url, 'CREATE TABLE notes (text text)');
    await query(db.url, "INSERT INTO notes VALUES ('before restart')");
    const state = JSON.parse(readFileSync(join(home, 'postgres.json'), 'utf8'));
    expect(db.url).toContain(`:${state.port}/`);
    await db.stop();
    await expect(query(db.url, 'SELECT 1')).rejects.toThrow();

    const again = await open();
    expect(again.url).toBe(db.url);
    expect(await query(again.url, 'SELECT text FROM notes')).toEqual([{ text: 'before restart' }]);
    await again.stop();
  });

  it('recovers after its server is killed with SIGKILL (stale postmaster.pid), keeping committed rows', async () => {
    const db = await open();
    await query(db.url, "INSERT INTO notes VALUES ('before kill -9')");
    const pid = postmasterPid(home);
    process.kill(pid, 'SIGKILL');
    expect(await waitForExit(pid, 10_000)).toBe(true);

    const recovered = await open();
    expect(recovered.url).toBe(db.url);
    expect((await query<{ text: string }>(recovered.url, 'SELECT text FROM notes ORDER BY text')).map((r) => r.text)).toEqual(['before kill -9', 'before restart']);
    // The killed handle's stop() must not hang on a server that is already gone.
    await db.stop();
    await recovered.stop();
  });

  it('starts although the stale postmaster.pid names a pid that another process now has', async () => {
    // Of the server's own user: PostgreSQL takes a pid it may not signal (EPERM) for stale by itself.
    const owner = process.getuid?.() === 0 ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) } : {};
    const impostor = spawn('sleep', ['30'], owner);
    try {
      const lock = join(home, 'postgres', 'postmaster.pid');
      writeFileSync(lock, `${impostor.pid}\n${join(home, 'postgres')}\n1700000000\n5432\n\n127.0.0.1\n  1234567    98304\nready\n`);
      const db = await open();
      expect((await query<{ n: string }>(db.url, 'SELECT count(*) AS n FROM notes'))[0].n).toBe('2');
      await db.stop();
    } finally {
      impostor.kill('SIGKILL');
    }
  });

  it('adopts the server left running by a node process killed with SIGKILL, and stops it', async () => {
    const node = spawnNode(home);
    const url = await node.url;
    const pid = postmasterPid(home);
    node.child.kill('SIGKILL');
    await new Promise((resolve) => node.child.once('exit', resolve));
    expect(processAlive(pid)).toBe(true); // orphaned, still serving

    const db = await open();
    expect(db.url).toBe(url);
    expect(postmasterPid(home)).toBe(pid); // reused, not restarted
    expect((await query<{ text: string }>(db.url, 'SELECT text FROM notes ORDER BY text')).map((r) => r.text)).toContain('written by the child');
    await db.stop();
    expect(await waitFor(() => (processAlive(pid) ? undefined : true), 5_000)).toBe(true);
  });

  it('shares a running server with a second handle, which does not stop it', async () => {
    const owner = await open();
    const second = await open();
    expect(second.url).toBe(owner.url);
    await second.stop();
    expect((await query(owner.url, 'SELECT 1 AS one'))[0]).toEqual({ one: 1 });
    await owner.stop();
  });
});

describe('resolveDatabase: DATABASE_URL', () => {
  const home = '/nonexistent/zizhu-home';

  it('returns a URL that answers, without starting anything', async () => {
    const db = await resolveDatabase({ DATABASE_URL: TEST_ADMIN_URL, ZIZHU_HOME: home });
    expect(db).toMatchObject({ url: TEST_ADMIN_URL, source: 'DATABASE_URL' });
  });

  it.each([
    ['malformed', 'not a url', /DATABASE_URL is not a URL/],
    ['of another scheme', 'mysql://root@127.0.0.1/zizhu', /DATABASE_URL must be a postgres/],
    ['unreachable', 'postgres://postgres:secret-password@127.0.0.1:1/zizhu', /DATABASE_URL does not answer \(127\.0\.0\.1:1\/zizhu\)/],
  ])('refuses a DATABASE_URL %s with a ConfigError naming it (and never its password)', async (_what, url, message) => {
    const error = await resolveDatabase({ DATABASE_URL: url, ZIZHU_HOME: home }, { timeoutMs: 1_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ variable: 'DATABASE_URL' });
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('secret-password');
  });
});
