import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A regulator alert: a listing the contract REVERTED for a supervised reason (DOUBLE_PLEDGE,
 * CAP_EXCEEDED, APR_CAP_EXCEEDED), with the ids of the attempt taken from the transaction's arguments.
 */
@Entity('lending_alerts')
@Index('lending_alerts_at_idx', ['at', 'tx'])
@Index('lending_alerts_platform_idx', ['platform', 'reason'])
export class LendingAlertEntity {
  /** The reverted transaction. */
  @PrimaryColumn('text', { primaryKeyConstraintName: 'lending_alerts_pkey' })
  tx!: string;

  @Column('text')
  reason!: string;

  @Column('text')
  method!: string;

  /** The platform that tried (the borrower's platform). */
  @Column('text', { nullable: true })
  platform!: string | null;

  @Column('text', { nullable: true })
  borrower!: string | null;

  @Column('text', { name: 'borrower_ref', nullable: true })
  borrowerRef!: string | null;

  @Column('text', { name: 'collateral_id', nullable: true })
  collateralId!: string | null;

  @Column('bigint', { nullable: true })
  amount!: string | null;

  @Column('integer', { name: 'apr_bps', nullable: true })
  aprBps!: number | null;

  @Column('text')
  message!: string;

  @Column('bigint')
  height!: string;

  @Column('timestamptz')
  at!: Date;
}

/**
 * Supervisory figures per platform, and for the whole consortium under platform `*`, kept up to
 * date in each block's commit so that the dashboard reads a handful of rows. Amounts in fen.
 */
@Entity('lending_stats')
export class LendingStatsEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'lending_stats_pkey' })
  platform!: string;

  /** Outstanding principal of ACTIVE, OVERDUE and DEFAULTED loans. */
  @Column('bigint')
  outstanding!: string;

  /** The part of it on OVERDUE and DEFAULTED loans. */
  @Column('bigint', { name: 'overdue_outstanding' })
  overdueOutstanding!: string;

  @Column('integer', { name: 'active_loans' })
  activeLoans!: number;

  @Column('integer', { name: 'overdue_loans' })
  overdueLoans!: number;

  /** Persons (borrower pseudonyms) owing principal. */
  @Column('integer')
  borrowers!: number;

  /** Persons holding claims with principal outstanding. */
  @Column('integer')
  lenders!: number;

  @Column('integer', { name: 'cap_breaches' })
  capBreaches!: number;

  @Column('integer', { name: 'apr_breaches' })
  aprBreaches!: number;

  @Column('integer', { name: 'double_pledges' })
  doublePledges!: number;
}

/**
 * Outstanding principal per person (pseudonym) and platform (`*`: across platforms), as BORROWER
 * (owing) or LENDER (holding claims); rows at zero are removed. Feeds the counts and the
 * largest-borrower concentration.
 */
@Entity('lending_exposures')
@Index('lending_exposures_largest_idx', ['role', 'platform', 'outstanding'])
export class LendingExposureEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'lending_exposures_pkey' })
  role!: string;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'lending_exposures_pkey' })
  platform!: string;

  @PrimaryColumn('text', { name: 'person_ref', primaryKeyConstraintName: 'lending_exposures_pkey' })
  personRef!: string;

  @Column('bigint')
  outstanding!: string;
}

/** A notification to a platform and its customer (an instalment overdue, a loan in default), projected from the ledger's events. */
@Entity('lending_notifications')
@Index('lending_notifications_org_idx', ['org', 'at'])
@Index('lending_notifications_customer_idx', ['customerId', 'at'])
export class LendingNotificationEntity {
  /** `<tx>:<event index>`: the same event never notifies twice. */
  @PrimaryColumn('text', { primaryKeyConstraintName: 'lending_notifications_pkey' })
  id!: string;

  /** The platform notified. */
  @Column('text')
  org!: string;

  /** The customer concerned (the borrower). */
  @Column('text', { name: 'customer_id', nullable: true })
  customerId!: string | null;

  /** INSTALMENT_OVERDUE or LOAN_DEFAULTED. */
  @Column('text')
  kind!: string;

  @Column('text', { name: 'loan_id' })
  loanId!: string;

  @Column('integer', { nullable: true })
  instalment!: number | null;

  @Column('text')
  message!: string;

  @Column('timestamptz')
  at!: Date;

  @Column('bigint')
  height!: string;
}
