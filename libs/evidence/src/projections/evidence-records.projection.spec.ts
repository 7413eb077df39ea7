import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { CommittedBlock, SignedTransaction } from '@zizhu/chain';
import type { EvidenceRecord, EvidenceStatus } from '@zizhu/contract-evidence';
import { EVIDENCE_MIGRATIONS, PLATFORM_MIGRATIONS } from '@zizhu/migrations';
import { dataSourceOptions } from '@zizhu/platform';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.js';
import { evidenceRecordsProjection } from './evidence-records.projection.js';

const hex = (c: string) => c.repeat(64);
const jwe = (tag: string) => ({ protected: 'eyJlbmMiOiJBMjU2R0NNIn0', recipients: [{ header: { kid: 'bank-a' }, encrypted_key: tag }], iv: 'aXY', ciphertext: tag, tag: 'dGFn' });

/** A block of the evidence channel anchoring `records`, each in its own transaction, as the chain hands it to projections. */
function block(height: number, anchors: { record: EvidenceRecord & { sealed?: unknown }; args: Record<string, unknown> }[]): CommittedBlock {
  const status: EvidenceStatus = { status: 'ACTIVE', holder: 'platform-a', replacedBy: null, revokedAt: null, revokeReason: null, flows: 0 };
  return {
    channel: 'evidence',
    header: { height } as CommittedBlock['header'],
    hash: hex('b'),
    checkpoint: '',
    receipts: anchors.map(({ record }, i) => ({ hash: record.tx, channel: 'evidence', height, blockHash: hex('b'), leafIndex: height * 10 + i, status: 'COMMITTED', value: null, events: [] })),
    transactions: anchors.map(({ args }) => ({ envelope: { v: 1, channel: 'evidence', contract: 'evidence', method: 'anchor', args, signer: hex('c'), nonce: 'n', ts: 1 }, signature: '', publicKey: '' }) as unknown as SignedTransaction),
    writes: anchors.flatMap(({ record }) => [
      [`ev/${record.id}`, record as never],
      [`evs/${record.id}`, status as never],
    ]),
  };
}

const record = (id: string, tx: string): EvidenceRecord => ({
  id,
  digest: { alg: 'sha256', value: hex('d') },
  type: 'INVOICE',
  issuer: 'bank-a',
  holder: 'platform-a',
  version: 1,
  replaces: null,
  recordedAt: 1_800_000_000_000,
  height: 1,
  tx,
  anchoredBy: hex('c'),
});

describe('evidence records projection', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(dataSourceOptions(db.url, [], [...PLATFORM_MIGRATIONS, ...EVIDENCE_MIGRATIONS]));
    await ds.initialize();
    await ds.runMigrations();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await ds?.destroy();
    await db?.drop();
  });

  async function project(b: CommittedBlock): Promise<void> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await evidenceRecordsProjection(['evidence'])(b, client);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  }

  it("takes a record's sealed metadata from its anchoring transaction (contract 1.3.0 on), or from the record written by an earlier version", async () => {
    const current = record(hex('1'), hex('a'));
    const earlier = { ...record(hex('2'), hex('e')), sealed: jwe('ZWFybGllcg') };
    await project(
      block(1, [
        { record: current, args: { digest: current.digest, type: 'INVOICE', holder: 'platform-a', sealed: jwe('Y3VycmVudA') } },
        { record: earlier, args: { digest: earlier.digest, type: 'INVOICE', holder: 'platform-a', sealed: jwe('aWdub3JlZA') } },
      ]),
    );
    const rows = (await pool.query<{ id: string; sealed: unknown; leaf_index: string; status: string }>('SELECT id, sealed, leaf_index, status FROM evidence_records ORDER BY id')).rows;
    expect(rows).toEqual([
      { id: current.id, sealed: jwe('Y3VycmVudA'), leaf_index: '10', status: 'ACTIVE' },
      { id: earlier.id, sealed: jwe('ZWFybGllcg'), leaf_index: '11', status: 'ACTIVE' },
    ]);
  });
});
