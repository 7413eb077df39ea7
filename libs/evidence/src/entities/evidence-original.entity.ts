import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** The original document of an evidence record, in custody: a JWE in the content store (`content` names it). */
@Entity('evidence_originals')
export class EvidenceOriginalEntity {
  @PrimaryColumn('text', { name: 'evidence_id', primaryKeyConstraintName: 'evidence_originals_pkey' })
  evidenceId!: string;

  /** Content-store digest (SHA-256) of the JWE holding it. */
  @Column('text')
  content!: string;

  /** Byte length of the original. */
  @Column('bigint')
  size!: string;

  @Column('text')
  filename!: string;

  @Column('text', { name: 'media_type' })
  mediaType!: string;

  @Column('text', { array: true })
  recipients!: string[];

  @Column('text', { name: 'uploaded_by' })
  uploadedBy!: string;

  @CreateDateColumn({ name: 'uploaded_at', type: 'timestamptz' })
  uploadedAt!: Date;
}
