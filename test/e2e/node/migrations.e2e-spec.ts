import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { readdir } from 'node:fs/promises';
import { DataSource } from 'typeorm';
import pg from 'pg';
import { setWebhookSecretSealer } from '@zizhu/migrations';
import { PgLedgerStore } from '@zizhu/chain';
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

  it("drop evidence records' copies of metadata as anchored (the log keeps it), keep metadata sealed again, and restore the copies on the way down", async () => {
    const other = await createTestDatabase('zizhu_resealed');
    const stamp = (m: { name: string }) => Number(/(\d{13})$/.exec(m.name)![1]);
    const older = new DataSource(dataSourceOptions(other.url, [], NODE_MIGRATIONS.filter((m) => stamp(m) < 1796100000000)));
    const all = new DataSource(dataSourceOptions(other.url, NODE.entities, NODE_MIGRATIONS));
    const store = new PgLedgerStore({ connectionString: other.url });
    const jwe = (tag: string) => ({ protected: 'eyJlbmMiOiJBMjU2R0NNIn0', recipients: [{ encrypted_key: tag }], iv: 'aXY', ciphertext: tag, tag: 'dGFn' });
    try {
      await store.migrate();
      await older.initialize();
      await older.runMigrations({ transaction: 'each' });
      // Two anchoring transactions in the log; the second record was later transferred (sealed again).
      for (const [seq, tag] of [[0, 'YQ'], [1, 'Yg']] as const) {
        const signed = JSON.stringify({ envelope: { args: { digest: { alg: 'sha256', value: 'd'.repeat(64) }, sealed: jwe(tag) } }, publicKey: '', signature: '' });
        await older.query(`INSERT INTO ledger_txs (channel, seq, height, hash, signed, status, result, leaf) VALUES ('evidence', $1, 1, $2, $3, 'COMMITTED', '{}', '')`, [seq, Buffer.alloc(32, seq + 1), signed]);
        await older.query(
          `INSERT INTO evidence_records (id, channel, digest_alg, digest, type, issuer, holder, parties, status, sealed, version, recorded_at, height, tx, leaf_index)
           VALUES ($1, 'evidence', 'sha256', $2, 'INVOICE', 'bank-a', 'platform-a', '{bank-a,platform-a}', 'ACTIVE', $3, 1, now(), 1, $4, $5)`,
          [String(seq).repeat(64), 'd'.repeat(64), JSON.stringify(seq === 0 ? jwe(tag) : jwe('cmVzZWFsZWQ')), Buffer.alloc(32, seq + 1).toString('hex'), seq],
        );
      }
      await older.destroy();
      await all.initialize();
      await all.runMigrations({ transaction: 'each' });
      expect(await all.query('SELECT leaf_index, resealed FROM evidence_records ORDER BY leaf_index')).toEqual([
        { leaf_index: '0', resealed: null },
        { leaf_index: '1', resealed: jwe('cmVzZWFsZWQ') },
      ]);
      const after = NODE_MIGRATIONS.filter((m) => stamp(m) >= 1796100000000).length;
      for (let i = 0; i < after; i++) await all.undoLastMigration({ transaction: 'each' });
      expect(await all.query('SELECT leaf_index, sealed FROM evidence_records ORDER BY leaf_index')).toEqual([
        { leaf_index: '0', sealed: jwe('YQ') },
        { leaf_index: '1', sealed: jwe('cmVzZWFsZWQ') },
      ]);
    } finally {
      if (older.isInitialized) await older.destroy();
      if (all.isInitialized) await all.destroy();
      await store.close();
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
