import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One flow record of an evidence's timeline (`tl/<id>/<seq>`): anchoring, views, downloads, transfers, signatures... */
@Entity('evidence_flows')
export class EvidenceFlowEntity {
  @PrimaryColumn('text', { name: 'evidence_id', primaryKeyConstraintName: 'evidence_flows_pkey' })
  evidenceId!: string;

  @PrimaryColumn('integer', { primaryKeyConstraintName: 'evidence_flows_pkey' })
  seq!: number;

  @Column('text')
  action!: string;

  @Column('timestamptz')
  at!: Date;

  @Column('bigint')
  height!: string;

  @Column('text')
  tx!: string;

  @Column('text')
  org!: string;

  @Column('text', { name: 'key_id' })
  keyId!: string;

  @Column('jsonb')
  detail!: Record<string, string | number | null>;
}
