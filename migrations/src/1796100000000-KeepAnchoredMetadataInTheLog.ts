import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An evidence record's sealed metadata is kept once, in the log: it is the `sealed` argument of the
 * record's anchoring transaction. The read model kept a second copy of every JWE (2-4 KB a record,
 * about 40% of a record's storage and a tenth of anchoring's throughput, bench evidence-anchor);
 * it now keeps only metadata sealed again by a transfer of holding (`resealed`, NULL until then).
 * Rows whose copy equals their anchoring transaction's argument drop it.
 */
export class KeepAnchoredMetadataInTheLog1796100000000 implements MigrationInterface {
  name = 'KeepAnchoredMetadataInTheLog1796100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "evidence_records" RENAME COLUMN "sealed" TO "resealed"`);
    await q.query(`ALTER TABLE "evidence_records" ALTER COLUMN "resealed" DROP NOT NULL`);
    if (await ledgerStored(q)) {
      await q.query(
        `UPDATE "evidence_records" e SET "resealed" = NULL FROM ledger_txs t
          WHERE t.channel = e.channel AND t.seq = e.leaf_index AND (t.signed::jsonb #> '{envelope,args,sealed}') = e."resealed"`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    if (await ledgerStored(q)) {
      await q.query(
        `UPDATE "evidence_records" e SET "resealed" = t.signed::jsonb #> '{envelope,args,sealed}' FROM ledger_txs t
          WHERE e."resealed" IS NULL AND t.channel = e.channel AND t.seq = e.leaf_index`,
      );
    }
    await q.query(`ALTER TABLE "evidence_records" ALTER COLUMN "resealed" SET NOT NULL`);
    await q.query(`ALTER TABLE "evidence_records" RENAME COLUMN "resealed" TO "sealed"`);
  }
}

/** The chain's tables live in the same database, created by the chain when it first opens (perhaps after this). */
async function ledgerStored(q: QueryRunner): Promise<boolean> {
  const rows = (await q.query(`SELECT to_regclass('ledger_txs') IS NOT NULL AS stored`)) as { stored: boolean }[];
  return rows[0].stored;
}
