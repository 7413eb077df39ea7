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

  it('keeps no copy of metadata as anchored (the log has it, whatever the contract version), only metadata sealed again by a transfer', async () => {
    const current = record(hex('1'), hex('a'));
    const earlier = { ...record(hex('2'), hex('e')), sealed: jwe('ZWFybGllcg') };
    await project(
      block(1, [
        { record: current, args: { digest: current.digest, type: 'INVOICE', holder: 'platform-a', sealed: jwe('Y3VycmVudA') } },
        { record: earlier, args: { digest: earlier.digest, type: 'INVOICE', holder: 'platform-a', sealed: jwe('ZWFybGllcg') } },
      ]),
    );
    const rows = async () => (await pool.query<{ id: string; resealed: unknown; leaf_index: string; holder: string }>('SELECT id, resealed, leaf_index, holder FROM evidence_records ORDER BY id')).rows;
    expect(await rows()).toEqual([
      { id: current.id, resealed: null, leaf_index: '10', holder: 'platform-a' },
      { id: earlier.id, resealed: null, leaf_index: '11', holder: 'platform-a' },
    ]);
    // A transfer of holding: the metadata sealed for the new holder is what the read model keeps.
    const transferred: EvidenceStatus = { status: 'ACTIVE', holder: 'platform-b', replacedBy: null, revokedAt: null, revokeReason: null, flows: 2 };
    await project({
      ...block(2, []),
      writes: [
        [`evm/${current.id}`, jwe('cmVzZWFsZWQ') as never],
        [`evs/${current.id}`, transferred as never],
      ],
    });
    expect(await rows()).toEqual([
      { id: current.id, resealed: jwe('cmVzZWFsZWQ'), leaf_index: '10', holder: 'platform-b' },
      { id: earlier.id, resealed: null, leaf_index: '11', holder: 'platform-a' },
    ]);
  });

  it('writes each column as the block left it: statuses changed in the anchoring block, free-text reasons of any character, timelines; a one-record block too', async () => {
    const revoked = record(hex('3'), hex('f'));
    const amended = record(hex('4'), hex('0'));
    const reason = 'a reason, "quoted" \\ with \u001f, {braces}, NULL and é';
    const statusRevoked: EvidenceStatus = { status: 'REVOKED', holder: 'platform-b', replacedBy: null, revokedAt: 1, revokeReason: reason, flows: 2 };
    const statusAmended: EvidenceStatus = { status: 'AMENDED', holder: 'platform-a', replacedBy: hex('5'), revokedAt: null, revokeReason: null, flows: 2 };
    const flow = (id: string, seq: number, action: string, detail: Record<string, unknown>) =>
      [`tl/${id}/${String(seq).padStart(8, '0')}`, { seq, action, at: 1_800_000_000_000 + seq, height: 3, tx: hex('9'), org: 'bank-a', keyId: hex('c'), detail } as never] as [string, never];
    await project({
      ...block(3, [
        { record: revoked, args: {} },
        { record: amended, args: {} },
      ]),
      writes: [
        [`ev/${revoked.id}`, revoked as never],
        [`evs/${revoked.id}`, statusRevoked as never],
        flow(revoked.id, 1, 'ANCHORED', { holder: 'platform-a', replaces: null }),
        flow(revoked.id, 2, 'REVOKED', { reason }),
        [`ev/${amended.id}`, amended as never],
        [`evs/${amended.id}`, statusAmended as never],
      ],
    });
    const { rows } = await pool.query('SELECT id, status, holder, parties, replaced_by, revoke_reason, leaf_index FROM evidence_records WHERE id = ANY($1) ORDER BY id', [[revoked.id, amended.id]]);
    expect(rows).toEqual([
      { id: revoked.id, status: 'REVOKED', holder: 'platform-b', parties: ['bank-a', 'platform-a', 'platform-b'], replaced_by: null, revoke_reason: reason, leaf_index: '30' },
      { id: amended.id, status: 'AMENDED', holder: 'platform-a', parties: ['bank-a', 'platform-a'], replaced_by: hex('5'), revoke_reason: null, leaf_index: '31' },
    ]);
    const flows = await pool.query('SELECT seq, action, detail, extract(epoch FROM at) * 1000 AS at FROM evidence_flows WHERE evidence_id = $1 ORDER BY seq', [revoked.id]);
    expect(flows.rows).toEqual([
      { seq: 1, action: 'ANCHORED', detail: { holder: 'platform-a', replaces: null }, at: '1800000000001.000000' },
      { seq: 2, action: 'REVOKED', detail: { reason }, at: '1800000000002.000000' },
    ]);
    // One record alone, its nullable columns null.
    const alone = record(hex('6'), hex('7'));
    await project(block(4, [{ record: alone, args: {} }]));
    const one = await pool.query('SELECT replaces, replaced_by, revoke_reason, status FROM evidence_records WHERE id = $1', [alone.id]);
    expect(one.rows).toEqual([{ replaces: null, replaced_by: null, revoke_reason: null, status: 'ACTIVE' }]);
  });
});
