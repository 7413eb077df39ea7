import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A notary record as the ledger holds it now (the `doc/<id>` state of a notary channel), projected in each block's commit. */
@Entity('notary_documents')
export class NotaryDocumentEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'notary_documents_pkey' })
  channel!: string;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'notary_documents_pkey' })
  id!: string;

  /** SHA-256 of the document's current version, 64 lowercase hex. */
  @Column('text')
  digest!: string;

  /** The organisation that recorded it. */
  @Column('text')
  owner!: string;

  @Column('text')
  title!: string;

  @Column('integer')
  version!: number;

  @Column('timestamptz', { name: 'recorded_at' })
  recordedAt!: Date;

  /** Height of the block that last changed it (bigint: a string, exact). */
  @Column('bigint')
  height!: string;
}
