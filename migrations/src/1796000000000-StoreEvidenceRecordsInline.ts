import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Evidence records keep their sealed metadata (2-4 KB of JWE) in the row: with the default 2 KB
 * threshold every insert pglz-compressed it (base64 ciphertext barely compresses) and often moved it
 * to the TOAST table, at about 3x the cost of an inline row for no space saved. Rows now stay whole
 * in the heap up to a page (bench evidence-anchor; the ledger tables got the same in the chain's
 * own migration 2).
 */
export class StoreEvidenceRecordsInline1796000000000 implements MigrationInterface {
  name = 'StoreEvidenceRecordsInline1796000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "evidence_records" SET (toast_tuple_target = 8160)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "evidence_records" RESET (toast_tuple_target)`);
  }
}
