import { SealedOriginalColumns } from '@zizhu/platform';
import { Entity, PrimaryColumn } from 'typeorm';

/** The original document of an evidence record, in custody: a JWE in the content store (`content` names it). */
@Entity('evidence_originals')
export class EvidenceOriginalEntity extends SealedOriginalColumns {
  @PrimaryColumn('text', { name: 'evidence_id', primaryKeyConstraintName: 'evidence_originals_pkey' })
  evidenceId!: string;
}
