import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * The original of a notary record's version, deposited by its owner: kept in the content store as a
 * JWE for the owner and the regulators (`content` names the ciphertext there).
 */
@Entity('notary_originals')
export class NotaryOriginalEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'notary_originals_pkey' })
  channel!: string;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'notary_originals_pkey' })
  id!: string;

  /** SHA-256 of the original (the recorded digest). */
  @PrimaryColumn('text', { primaryKeyConstraintName: 'notary_originals_pkey' })
  digest!: string;

  /** Content-store digest of the JWE holding it. */
  @Column('text')
  content!: string;

  /** Byte length of the original. */
  @Column('bigint')
  size!: string;

  @Column('text')
  filename!: string;

  @Column('text', { name: 'media_type' })
  mediaType!: string;

  /** Organisations the JWE is encrypted to. */
  @Column('text', { array: true })
  recipients!: string[];

  @Column('text', { name: 'uploaded_by' })
  uploadedBy!: string;

  @CreateDateColumn({ name: 'uploaded_at', type: 'timestamptz' })
  uploadedAt!: Date;
}
