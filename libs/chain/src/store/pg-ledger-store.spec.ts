import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import pg from 'pg';
import { canonicalJson, Ed25519Signer, generateEd25519 } from '@zizhu/crypto';
import { signTransactionWithPreimage } from '../formats/index.js';
import type { StoredTx } from './ledger-store.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.js';
import { joinFields, PgLedgerStore, READ_NODES_SQL, READ_STATE_SQL, signedColumn } from './pg-ledger-store.js';

/** Every "Node Type" of an EXPLAIN (FORMAT JSON) plan, with the relation each one reads. */
interface PlanNode {
  type: string;
  relation?: string;
  indexCond?: string;
}

function planNodes(plan: Record<string, unknown>): PlanNode[] {
  const out: PlanNode[] = [{ type: plan['Node Type'] as string, relation: plan['Relation Name'] as string | undefined, indexCond: plan['Index Cond'] as string | undefined }];
  for (const child of (plan.Plans as Record<string, unknown>[] | undefined) ?? []) out.push(...planNodes(child));
  return out;
}

describe('PgLedgerStore reads by key on a channel whose statistics lag behind its tables', () => {
  let db: TestDatabase;
  let store: PgLedgerStore;
  let client: pg.Client;
  const STORED = 30_000;

  beforeAll(async () => {
    db = await createTestDatabase('zizhu_state_read');
    store = new PgLedgerStore({ connectionString: db.url });
    await store.migrate();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    // As on a channel filling fast: the planner last saw the table nearly empty.
    for (const table of ['ledger_state', 'ledger_tree_nodes']) await client.query(`ALTER TABLE ${table} SET (autovacuum_enabled = false)`);
    await client.query(`INSERT INTO ledger_state (channel, key, value) VALUES ('ch', 'k/seed', '1')`);
    await client.query('ANALYZE ledger_state');
    await client.query('ANALYZE ledger_tree_nodes');
    await client.query(`INSERT INTO ledger_state (channel, key, value) SELECT 'ch', 'k/' || g, '{"n":' || g || '}' FROM generate_series(1, ${STORED}) g`);
    // Tree nodes go in as the engine writes them, and ledger tables refuse edits only after the fact.
    await client.query(`INSERT INTO ledger_tree_nodes (channel, leaf_end, level, hash) SELECT 'ch', g, 0, sha256(g::text::bytea) FROM generate_series(0, ${STORED}) g`);
  }, 60_000);

  afterAll(async () => {
    await client?.end();
    await store?.close();
    await db?.drop();
  });

  it('looks each key up by the primary key, even when planned for the values given (no scan of the channel)', async () => {
    await client.query('SET plan_cache_mode = force_custom_plan');
    const keys = Array.from({ length: 2_000 }, (_, i) => `k/${i * 7 + 1}`);
    await client.query(`PREPARE read_state(text, text) AS ${READ_STATE_SQL}`);
    const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: Record<string, unknown> }] }>(`EXPLAIN (FORMAT JSON) EXECUTE read_state('ch', '${keys.join('\x1f')}')`);
    const nodes = planNodes(rows[0]['QUERY PLAN'][0].Plan);
    const reads = nodes.filter((n) => n.relation === 'ledger_state');
    expect(reads).toHaveLength(1);
    expect(reads[0].type).toBe('Index Scan');
    expect(reads[0].indexCond).toContain('key');
    expect(nodes.map((n) => n.type)).not.toContain('Hash Join');
  });

  it('looks each tree node up by the primary key too (proofs)', async () => {
    await client.query('SET plan_cache_mode = force_custom_plan');
    const ends = Array.from({ length: 40 }, (_, i) => i * 701);
    await client.query(`PREPARE read_nodes(text, bigint[], smallint[]) AS ${READ_NODES_SQL}`);
    const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: Record<string, unknown> }] }>(
      `EXPLAIN (FORMAT JSON) EXECUTE read_nodes('ch', '{${ends.join(',')}}', '{${ends.map(() => 0).join(',')}}')`,
    );
    const nodes = planNodes(rows[0]['QUERY PLAN'][0].Plan);
    const reads = nodes.filter((n) => n.relation === 'ledger_tree_nodes');
    expect(reads).toHaveLength(1);
    expect(reads[0].indexCond).toContain('leaf_end');
    expect(nodes.map((n) => n.type)).not.toContain('Hash Join');
    const found = await store.nodes('ch', [{ leafEnd: 701, level: 0 }, { leafEnd: 5, level: 1 }]);
    expect([...found.keys()]).toEqual(['701/0']);
  });

  it('answers the stored keys and leaves out the missing ones', async () => {
    const got = await store.readState('ch', ['k/1', 'k/29999', 'k/none', 'k/1']);
    expect([...got].sort()).toEqual([
      ['k/1', '{"n":1}'],
      ['k/29999', '{"n":29999}'],
    ]);
    expect((await store.readState('other', ['k/1'])).size).toBe(0);
    expect((await store.readState('ch', [])).size).toBe(0);
  });

  it('a text that is no state key (empty, or holding U+001F, the separator) has no value, and the others are still read', async () => {
    const got = await store.readState('ch', ['', 'k/1\x1fk/2', 'k/2']);
    expect([...got]).toEqual([['k/2', '{"n":2}']]);
    expect((await store.readState('ch', ['', '\x1f'])).size).toBe(0);
  });
});

describe('joinFields (a block commit sends each text column as one parameter)', () => {
  it('joins with U+001F, and refuses a field PostgreSQL would split or drop', () => {
    expect(joinFields(['{"a":1}', '{"b":"x\\u001f"}'])).toBe('{"a":1}\x1f{"b":"x\\u001f"}');
    expect(joinFields([])).toBe('');
    expect(() => joinFields(['a\x1fb'])).toThrow(/U\+001F/);
    expect(() => joinFields(['a', 'b\x1f'])).toThrow(/U\+001F/);
    expect(() => joinFields(['a', ''])).toThrow(/empty/);
    expect(() => joinFields([''])).toThrow(/empty/);
  });

  it("a block's signed transactions go as the UTF-8 of their canonical texts joined with U+001F, from preimages where there are", () => {
    const signer = new Ed25519Signer(generateEd25519().privateKey);
    const made = ['é ✓ "quoted"', 'a\u001fb in JSON is escaped', 'plain'].map((title, i) =>
      signTransactionWithPreimage({ channel: 'ch', contract: 'c', method: 'm', args: { title, i }, ts: i }, signer),
    );
    const tx = (i: number, extra: Partial<StoredTx>): StoredTx => ({ channel: 'ch', leafIndex: i, height: 1, hash: '0'.repeat(64), signed: made[i].signed, status: 'COMMITTED', result: '{}', leaf: '{}', ...extra });
    const txs = [tx(0, { preimage: made[0].preimage }), tx(1, { rawSigned: canonicalJson(made[1].signed) }), tx(2, {})];
    expect(signedColumn(txs).equals(Buffer.from(joinFields(made.map((m) => canonicalJson(m.signed))), 'utf8'))).toBe(true);
    expect(signedColumn([]).length).toBe(0);
    expect(() => signedColumn([tx(0, { rawSigned: 'a\x1fb' })])).toThrow(/U\+001F/);
    expect(() => signedColumn([tx(0, { rawSigned: '' })])).toThrow(/empty/);
  });
});
