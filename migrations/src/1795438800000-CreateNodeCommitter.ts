import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where the process that commits the ledger can be reached: replicas forward writes there
 * (libs/platform/src/ledger/write-forwarding.ts). One row, written by the committer when it starts
 * committing; a stale row only makes forwarding fail until a replica takes over and writes its own.
 */
export class CreateNodeCommitter1795438800000 implements MigrationInterface {
  name = 'CreateNodeCommitter1795438800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE node_committer (id smallint PRIMARY KEY CHECK (id = 1), url text NOT NULL, node text NOT NULL, pid integer NOT NULL, since timestamptz NOT NULL DEFAULT now())`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE node_committer`);
  }
}
