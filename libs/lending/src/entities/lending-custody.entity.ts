import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A bank's custody totals (amounts in fen), the figures a business day's reconciliation compares:
 * kept on chain now, at each day's close, and as the bank reports them.
 */
export abstract class CustodyTotalsColumns {
  /** Custody accounts the bank holds. */
  @Column('integer')
  accounts!: number;

  @Column('bigint')
  available!: string;

  @Column('bigint')
  frozen!: string;
}

/** A custodian bank's totals on chain (`bank/<org>`) now; amounts in fen. */
@Entity('lending_bank_totals')
export class LendingBankTotalsEntity extends CustodyTotalsColumns {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'lending_bank_totals_pkey' })
  bank!: string;

  @Column('bigint')
  deposited!: string;

  @Column('bigint')
  withdrawn!: string;

  @Column('bigint', { name: 'transferred_in' })
  transferredIn!: string;

  @Column('bigint', { name: 'transferred_out' })
  transferredOut!: string;

  @Column('integer')
  instructions!: number;

  @Column('bigint')
  height!: string;

  /** Block time of the last change. */
  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}

/**
 * The same totals as they stood at the end of a business day (China Standard Time): every block
 * overwrites its day's row, so the last block of the day leaves the day's closing totals.
 */
@Entity('lending_bank_totals_daily')
export class LendingBankTotalsDailyEntity extends CustodyTotalsColumns {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'lending_bank_totals_daily_pkey' })
  bank!: string;

  /** YYYY-MM-DD, in China Standard Time. */
  @PrimaryColumn('date', { name: 'business_date', primaryKeyConstraintName: 'lending_bank_totals_daily_pkey' })
  businessDate!: string;

  @Column('bigint')
  height!: string;
}

/** A bank's custody instruction as applied on chain (`ins/<bank>/<ref>`). */
@Entity('lending_custody_instructions')
@Index('lending_custody_instructions_customer_idx', ['customerId'])
export class LendingCustodyInstructionEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'lending_custody_instructions_pkey' })
  bank!: string;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'lending_custody_instructions_pkey' })
  ref!: string;

  /** DEPOSIT or WITHDRAWAL. */
  @Column('text')
  kind!: string;

  @Column('text', { name: 'customer_id' })
  customerId!: string;

  @Column('bigint')
  amount!: string;

  @Column('timestamptz')
  at!: Date;

  @Column('text')
  tx!: string;
}

/** The totals a bank reports from its core banking system for a business day (filled in through GraphQL). */
@Entity('lending_bank_reports')
export class LendingBankReportEntity extends CustodyTotalsColumns {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'lending_bank_reports_pkey' })
  bank!: string;

  @PrimaryColumn('date', { name: 'business_date', primaryKeyConstraintName: 'lending_bank_reports_pkey' })
  businessDate!: string;

  @Column('text', { name: 'reported_by' })
  reportedBy!: string;

  @Column('timestamptz', { name: 'reported_at' })
  reportedAt!: Date;
}

/** The outcome of reconciling a bank's business day: the chain's closing totals against the bank's report. */
@Entity('lending_reconciliations')
@Index('lending_reconciliations_date_idx', ['businessDate'])
export class LendingReconciliationEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'lending_reconciliations_pkey' })
  bank!: string;

  @PrimaryColumn('date', { name: 'business_date', primaryKeyConstraintName: 'lending_reconciliations_pkey' })
  businessDate!: string;

  /** MATCHED, MISMATCHED, or NOT_REPORTED (the bank sent no totals for the day). */
  @Column('text')
  status!: string;

  /** The chain's closing totals of the day: { accounts, available, frozen } (fen as strings). */
  @Column('jsonb')
  chain!: Record<string, unknown>;

  @Column('jsonb', { nullable: true })
  reported!: Record<string, unknown> | null;

  /** One entry per field that differs: { field, chain, reported, difference } (difference = reported − chain). */
  @Column('jsonb')
  differences!: Record<string, unknown>[];

  @Column('timestamptz', { name: 'checked_at' })
  checkedAt!: Date;
}

/**
 * One custody movement (a `FundsMoved` event): deposits and withdrawals, bid freezes and unfreezes,
 * disbursements, repayments and claim sales, so that a loan's whole fund flow can be followed.
 */
@Entity('lending_fund_movements')
@Index('lending_fund_movements_loan_idx', ['loanId', 'leafIndex', 'idx'])
@Index('lending_fund_movements_from_idx', ['fromAccount'])
@Index('lending_fund_movements_to_idx', ['toAccount'])
export class LendingFundMovementEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'lending_fund_movements_pkey' })
  tx!: string;

  /** The event's position among the transaction's events. */
  @PrimaryColumn('integer', { primaryKeyConstraintName: 'lending_fund_movements_pkey' })
  idx!: number;

  @Column('bigint')
  height!: string;

  /** The transaction's leaf index in the channel's log: with idx, the order the contract moved the money in. */
  @Column('bigint', { name: 'leaf_index' })
  leafIndex!: string;

  @Column('timestamptz')
  at!: Date;

  /** DEPOSIT, WITHDRAWAL, BID_FREEZE, BID_UNFREEZE, DISBURSEMENT, REPAYMENT, CLAIM_SALE. */
  @Column('text')
  kind!: string;

  @Column('text', { name: 'from_account', nullable: true })
  fromAccount!: string | null;

  @Column('text', { name: 'to_account', nullable: true })
  toAccount!: string | null;

  @Column('bigint')
  amount!: string;

  @Column('text', { name: 'from_bank', nullable: true })
  fromBank!: string | null;

  @Column('text', { name: 'to_bank', nullable: true })
  toBank!: string | null;

  @Column('text', { name: 'loan_id', nullable: true })
  loanId!: string | null;

  /** The bank's instruction reference (deposits, withdrawals). */
  @Column('text', { nullable: true })
  ref!: string | null;
}
