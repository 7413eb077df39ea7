import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { EnvelopeRecipient } from '@zizhu/contract-evidence';

/** A signing envelope (`env/<id>`) as the ledger holds it now. */
@Entity('evidence_envelopes')
@Index('evidence_envelopes_evidence_idx', ['evidenceId'])
@Index('evidence_envelopes_expiry_idx', ['status', 'expiresAt'])
export class EvidenceEnvelopeEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'evidence_envelopes_pkey' })
  id!: string;

  @Column('text', { name: 'evidence_id' })
  evidenceId!: string;

  @Column('text', { name: 'sender_org' })
  senderOrg!: string;

  @Column('text')
  status!: string;

  @Column('jsonb')
  recipients!: EnvelopeRecipient[];

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt!: Date;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'completed_at', nullable: true })
  completedAt!: Date | null;

  @Column('text', { name: 'void_reason', nullable: true })
  voidReason!: string | null;

  @Column('bigint')
  height!: string;
}
