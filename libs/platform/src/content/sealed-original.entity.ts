import { Column, CreateDateColumn } from 'typeorm';

/**
 * The columns of an original in custody, whichever module keeps it: the JWE holding it is in the
 * content store (`content` names it). A module's entity extends this and adds its own key.
 */
export abstract class SealedOriginalColumns {
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

  /** Organisations the JWE is encrypted to. */
  @Column('text', { array: true })
  recipients!: string[];

  @Column('text', { name: 'uploaded_by' })
  uploadedBy!: string;

  @CreateDateColumn({ name: 'uploaded_at', type: 'timestamptz' })
  uploadedAt!: Date;
}
