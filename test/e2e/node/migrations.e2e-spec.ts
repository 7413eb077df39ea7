import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { readdir } from 'node:fs/promises';
import { DataSource } from 'typeorm';
import pg from 'pg';
import { setWebhookSecretSealer } from '@zizhu/migrations';
import { NODE } from '@zizhu/node';
import { WebhookSecretKeyring, dataSourceOptions, ensureOutboxSchema } from '@zizhu/platform';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

// Every module's migrations, in the node's order: the whole timeline.
const NODE_MIGRATIONS = NODE.migrations;

describe('migrations', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('zizhu_migrations');
    ds = new DataSource(dataSourceOptions(db.url, NODE.entities, NODE_MIGRATIONS));
    await ds.initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('apply on an empty database, and generating a migration from the entities then yields nothing', async () => {
    const applied = await ds.runMigrations({ transaction: 'each' });
    expect(applied.map((m) => m.name)).toEqual(NODE_MIGRATIONS.map((m) => new m().name));
    const pending = await ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('create the job outbox exactly as ensureOutboxSchema (OUTBOX_SCHEMA_SQL) does, with no entity for the schema diff to touch', async () => {
    const shape = async (query: (text: string) => Promise<unknown[]>) => ({
      columns: await query(
        "SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_name = 'job_outbox' ORDER BY ordinal_position",
      ),
      indexes: await query("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'job_outbox' ORDER BY indexname"),
    });
    const migrated = await shape((text) => ds.query(text));
    expect(migrated.columns.length).toBe(7);
    const other = await createTestDatabase('zizhu_outbox');
    const pool = new pg.Pool({ connectionString: other.url, max: 1 });
    try {
      await ensureOutboxSchema(pool);
      expect(await shape(async (text) => (await pool.query(text)).rows)).toEqual(migrated);
    } finally {
      await pool.end();
      await other.drop();
    }
  });

  it('revert and apply again (every migration has a working down)', async () => {
    for (let i = 0; i < NODE_MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    const drift = await ds.driver.createSchemaBuilder().log();
    expect(drift.upQueries.length).toBeGreaterThan(0);
    await ds.runMigrations({ transaction: 'each' });
    expect((await ds.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
  });

  it("seal existing webhook endpoints' secrets under the key the node provides (and open them again on the way down)", async () => {
    const other = await createTestDatabase('zizhu_seal');
    // The timeline up to the migration that seals them: endpoints with secrets in clear.
    const older = new DataSource(dataSourceOptions(other.url, [], NODE_MIGRATIONS.filter((m) => Number(/(\d{13})$/.exec(m.name)![1]) < 1795900000000)));
    const all = new DataSource(dataSourceOptions(other.url, NODE.entities, NODE_MIGRATIONS));
    const keyring = new WebhookSecretKeyring([{ id: 'k1', key: Buffer.alloc(32, 9) }]);
    try {
      await older.initialize();
      await older.runMigrations({ transaction: 'each' });
      await older.query("INSERT INTO webhook_endpoints (id, org, url, events, secret, created_by) VALUES ('we_00000000000000a1', 'bank-a', 'https://hooks.example/x', '{*}', 'whsec_plain', 'test')");
      await older.destroy();
      await all.initialize();
      setWebhookSecretSealer(undefined);
      await expect(all.runMigrations({ transaction: 'each' })).rejects.toThrow(/no key was provided/);
      setWebhookSecretSealer(keyring);
      await all.runMigrations({ transaction: 'each' });
      const [row] = (await all.query("SELECT * FROM webhook_endpoints WHERE id = 'we_00000000000000a1'")) as Record<string, unknown>[];
      expect(row.secret).toBeUndefined();
      expect(row.secret_sealed).toMatch(/^v1\.k1\./);
      expect(keyring.open('we_00000000000000a1', String(row.secret_sealed))).toBe('whsec_plain');
      expect(row).toMatchObject({ previous_secret_sealed: null, disabled_at: null, consecutive_failures: 0 });
      // Back down through the sealing migration (and those after it).
      const after = NODE_MIGRATIONS.filter((m) => Number(/(\d{13})$/.exec(m.name)![1]) >= 1795900000000).length;
      for (let i = 0; i < after; i++) await all.undoLastMigration({ transaction: 'each' });
      expect(await all.query("SELECT secret FROM webhook_endpoints WHERE id = 'we_00000000000000a1'")).toEqual([{ secret: 'whsec_plain' }]);
    } finally {
      setWebhookSecretSealer(undefined);
      if (older.isInitialized) await older.destroy();
      if (all.isInitialized) await all.destroy();
      await other.drop();
    }
  });

  it('are named <timestamp>-<PascalCaseWhatItDoes>.ts with the class <PascalCaseWhatItDoes><timestamp>, in order', async () => {
    const files = (await readdir(new URL('../../../migrations/src/', import.meta.url))).filter((f) => /^\d/.test(f)).sort();
    expect(files.length).toBe(NODE_MIGRATIONS.length);
    files.forEach((file, i) => {
      const m = /^(\d{13})-([A-Z][A-Za-z0-9]+)\.ts$/.exec(file);
      expect(m).not.toBeNull();
      expect(NODE_MIGRATIONS[i].name).toBe(`${m![2]}${m![1]}`);
    });
  });
});
