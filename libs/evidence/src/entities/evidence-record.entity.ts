import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * An anchored evidence record (`ev/<id>` and `evs/<id>` of the evidence channel), projected in each
 * block's commit. `parties` are the organisations that may see it besides the regulator: its issuer,
 * every holder it has had, and the organisations asked to sign it.
 */
@Entity('evidence_records')
@Index('evidence_records_digest_idx', ['digest'])
@Index('evidence_records_recorded_idx', ['recordedAt', 'id'])
export class EvidenceRecordEntity {
  /** EvidenceContract.evidenceId(issuer, digest): 64 lowercase hex. */
  @PrimaryColumn('text', { primaryKeyConstraintName: 'evidence_records_pkey' })
  id!: string;

  @Column('text')
  channel!: string;

  /** `sha256` or `sm3`. */
  @Column('text', { name: 'digest_alg' })
  digestAlg!: string;

  /** The document digest, 64 lowercase hex. */
  @Column('text')
  digest!: string;

  @Column('text')
  type!: string;

  @Column('text')
  issuer!: string;

  /** The current holder organisation. */
  @Column('text')
  holder!: string;

  @Column('text', { array: true })
  parties!: string[];

  /** ACTIVE, AMENDED or REVOKED. */
  @Column('text')
  status!: string;

  /**
   * Holder identity and metadata sealed again by the last transfer of holding (the JWE recorded on
   * chain by it), or NULL: then they are as anchored, the `sealed` argument of the anchoring
   * transaction `tx`, which only the log keeps (EvidenceService.sealedOf).
   */
  @Column('jsonb', { nullable: true })
  resealed!: Record<string, unknown> | null;

  @Column('integer')
  version!: number;

  @Column('text', { nullable: true })
  replaces!: string | null;

  @Column('text', { name: 'replaced_by', nullable: true })
  replacedBy!: string | null;

  @Column('text', { name: 'revoke_reason', nullable: true })
  revokeReason!: string | null;

  @Column('timestamptz', { name: 'recorded_at' })
  recordedAt!: Date;

  /** Anchoring block height and transaction (bigint columns: strings, exact). */
  @Column('bigint')
  height!: string;

  @Column('text')
  tx!: string;

  @Column('bigint', { name: 'leaf_index' })
  leafIndex!: string;
}
