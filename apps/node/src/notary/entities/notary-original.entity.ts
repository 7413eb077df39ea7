import { SealedOriginalColumns } from '@zizhu/platform';
import { Entity, PrimaryColumn } from 'typeorm';

/**
 * The original of a notary record's version, deposited by its owner: kept in the content store as a
 * JWE for the owner and the regulators (`content` names the ciphertext there).
 */
@Entity('notary_originals')
export class NotaryOriginalEntity extends SealedOriginalColumns {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'notary_originals_pkey' })
  channel!: string;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'notary_originals_pkey' })
  id!: string;

  /** SHA-256 of the original (the recorded digest). */
  @PrimaryColumn('text', { primaryKeyConstraintName: 'notary_originals_pkey' })
  digest!: string;
}
