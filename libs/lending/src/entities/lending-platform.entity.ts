import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A lending platform in a bank's custody (`plat/<org>`), projected in each block's commit. */
@Entity('lending_platforms')
export class LendingPlatformEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'lending_platforms_pkey' })
  org!: string;

  /** The custodian bank. */
  @Column('text')
  custodian!: string;

  @Column('text', { name: 'registration_no' })
  registrationNo!: string;

  @Column('text')
  name!: string;

  /** FILED, FILING_IN_PROGRESS or NOT_FILED. */
  @Column('text', { name: 'filing_status' })
  filingStatus!: string;

  @Column('text', { name: 'custody_agreement_ref' })
  custodyAgreementRef!: string;

  /** PENDING, ACTIVE or SUSPENDED. */
  @Column('text')
  status!: string;

  @Column('timestamptz', { name: 'registered_at' })
  registeredAt!: Date;

  @Column('timestamptz', { name: 'approved_at', nullable: true })
  approvedAt!: Date | null;

  @Column('timestamptz', { name: 'suspended_at', nullable: true })
  suspendedAt!: Date | null;

  @Column('text', { name: 'suspend_reason', nullable: true })
  suspendReason!: string | null;

  /** Height of the block that last changed it. */
  @Column('bigint')
  height!: string;
}

/** The regulator's settings (`cfg`): caps, APR cap mode, prohibited purposes, grace days. One row, id `cfg`. */
@Entity('lending_config')
export class LendingConfigEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'lending_config_pkey' })
  id!: string;

  /** The contract's LendingConfig as it stands in state. */
  @Column('jsonb')
  config!: Record<string, unknown>;

  @Column('bigint')
  height!: string;
}

/** One entry of the regulator's one-year LPR table (`lpr/<effectiveFrom>`). */
@Entity('lending_lprs')
export class LendingLprEntity {
  @PrimaryColumn('timestamptz', { name: 'effective_from', primaryKeyConstraintName: 'lending_lprs_pkey' })
  effectiveFrom!: Date;

  @Column('integer')
  bps!: number;

  @Column('timestamptz', { name: 'published_at' })
  publishedAt!: Date;

  @Column('text')
  tx!: string;
}
