import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A digitised collateral asset (`col/<id>`): status public, owner sealed (the registering platform and the regulators). */
@Entity('lending_collaterals')
export class LendingCollateralEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'lending_collaterals_pkey' })
  id!: string;

  /** VEHICLE, PROPERTY, EQUIPMENT, RECEIVABLE, OTHER. */
  @Column('text')
  type!: string;

  /** Normalised identifier (a VIN, a certificate number). */
  @Column('text')
  identifier!: string;

  @Column('bigint', { name: 'appraised_value' })
  appraisedValue!: string;

  /** [{ alg, value }] digests of its documents. */
  @Column('jsonb')
  documents!: { alg: string; value: string }[];

  @Column('jsonb', { name: 'sealed_owner' })
  sealedOwner!: Record<string, unknown>;

  @Column('text', { name: 'registered_by' })
  registeredBy!: string;

  @Column('timestamptz', { name: 'registered_at' })
  registeredAt!: Date;

  /** FREE, PLEDGED or ENFORCEMENT. */
  @Column('text')
  status!: string;

  @Column('text', { name: 'lien_loan_id', nullable: true })
  lienLoanId!: string | null;

  @Column('text', { name: 'lien_platform', nullable: true })
  lienPlatform!: string | null;

  @Column('timestamptz', { name: 'lien_since', nullable: true })
  lienSince!: Date | null;
}

/** A listing and, once fully funded, the loan (`loan/<id>`; the id is the listing transaction's hash). Amounts in fen. */
@Entity('lending_loans')
@Index('lending_loans_listed_idx', ['listedAt', 'id'])
@Index('lending_loans_platform_page_idx', ['platform', 'listedAt', 'id'])
@Index('lending_loans_platform_status_page_idx', ['platform', 'status', 'listedAt', 'id'])
@Index('lending_loans_borrower_idx', ['borrower'])
export class LendingLoanEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'lending_loans_pkey' })
  id!: string;

  @Column('text')
  platform!: string;

  @Column('text')
  bank!: string;

  /** The borrower's customer id (pseudonymous). */
  @Column('text')
  borrower!: string;

  @Column('text', { name: 'borrower_ref' })
  borrowerRef!: string;

  @Column('text', { name: 'person_kind' })
  personKind!: string;

  @Column('bigint')
  amount!: string;

  @Column('integer', { name: 'apr_bps' })
  aprBps!: number;

  @Column('integer', { name: 'apr_cap_bps' })
  aprCapBps!: number;

  @Column('integer', { name: 'term_months' })
  termMonths!: number;

  @Column('text')
  method!: string;

  @Column('text')
  purpose!: string;

  @Column('timestamptz', { name: 'funding_deadline' })
  fundingDeadline!: Date;

  @Column('text', { name: 'collateral_id', nullable: true })
  collateralId!: string | null;

  /** The listing's description, sealed to the platform and the regulators. */
  @Column('jsonb', { nullable: true })
  sealed!: Record<string, unknown> | null;

  /** OPEN, ACTIVE, OVERDUE, DEFAULTED, REPAID, CANCELLED. */
  @Column('text')
  status!: string;

  @Column('bigint')
  funded!: string;

  @Column('integer')
  bids!: number;

  @Column('timestamptz', { name: 'listed_at' })
  listedAt!: Date;

  /** Height of the listing block. */
  @Column('bigint')
  height!: string;

  @Column('text')
  tx!: string;

  @Column('timestamptz', { name: 'activated_at', nullable: true })
  activatedAt!: Date | null;

  @Column('timestamptz', { name: 'matures_at', nullable: true })
  maturesAt!: Date | null;

  /** Principal still owed. */
  @Column('bigint')
  outstanding!: string;

  @Column('integer', { name: 'next_instalment' })
  nextInstalment!: number;

  @Column('integer', { name: 'overdue_instalments' })
  overdueInstalments!: number;

  @Column('timestamptz', { name: 'closed_at', nullable: true })
  closedAt!: Date | null;

  @Column('timestamptz', { name: 'defaulted_at', nullable: true })
  defaultedAt!: Date | null;

  @Column('text', { name: 'default_reason', nullable: true })
  defaultReason!: string | null;
}

/** A lender's bid (`bid/<loanId>/<bidId>`): the amount plaintext (the contract moves it), the detail sealed. */
@Entity('lending_bids')
@Index('lending_bids_loan_idx', ['loanId', 'at'])
@Index('lending_bids_lender_idx', ['lender'])
export class LendingBidEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'lending_bids_pkey' })
  id!: string;

  @Column('text', { name: 'loan_id' })
  loanId!: string;

  @Column('text')
  lender!: string;

  @Column('bigint')
  amount!: string;

  @Column('jsonb')
  sealed!: Record<string, unknown>;

  @Column('timestamptz')
  at!: Date;
}

/** A claim token (`claim/<loanId>/<claimId>`): one per lender of a loan, transferable whole. */
@Entity('lending_claims')
@Index('lending_claims_loan_idx', ['loanId'])
@Index('lending_claims_holder_idx', ['holder'])
export class LendingClaimEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'lending_claims_pkey' })
  id!: string;

  @Column('text', { name: 'loan_id' })
  loanId!: string;

  @Column('text')
  holder!: string;

  @Column('text', { name: 'holder_platform' })
  holderPlatform!: string;

  @Column('bigint')
  face!: string;

  @Column('bigint')
  outstanding!: string;

  @Column('bigint', { name: 'principal_received' })
  principalReceived!: string;

  @Column('bigint', { name: 'interest_received' })
  interestReceived!: string;

  @Column('timestamptz', { name: 'acquired_at' })
  acquiredAt!: Date;

  @Column('integer')
  transfers!: number;
}

/** The one open sale offer of a claim (`offer/<loanId>/<claimId>`); gone once accepted or withdrawn. */
@Entity('lending_claim_offers')
@Index('lending_claim_offers_buyer_idx', ['buyer'])
export class LendingClaimOfferEntity {
  @PrimaryColumn('text', { name: 'loan_id', primaryKeyConstraintName: 'lending_claim_offers_pkey' })
  loanId!: string;

  @PrimaryColumn('text', { name: 'claim_id', primaryKeyConstraintName: 'lending_claim_offers_pkey' })
  claimId!: string;

  @Column('text')
  seller!: string;

  @Column('text', { name: 'seller_platform' })
  sellerPlatform!: string;

  @Column('text')
  buyer!: string;

  @Column('text', { name: 'buyer_platform' })
  buyerPlatform!: string;

  @Column('bigint')
  price!: string;

  @Column('jsonb')
  sealed!: Record<string, unknown>;

  @Column('timestamptz', { name: 'offered_at' })
  offeredAt!: Date;

  @Column('text')
  tx!: string;
}

/** One instalment of a loan's schedule (`inst/<loanId>/<k>`) and, once paid, its split over the holders. */
@Entity('lending_instalments')
@Index('lending_instalments_due_idx', ['status', 'dueAt'])
export class LendingInstalmentEntity {
  @PrimaryColumn('text', { name: 'loan_id', primaryKeyConstraintName: 'lending_instalments_pkey' })
  loanId!: string;

  @PrimaryColumn('integer', { primaryKeyConstraintName: 'lending_instalments_pkey' })
  k!: number;

  @Column('timestamptz', { name: 'due_at' })
  dueAt!: Date;

  @Column('bigint')
  principal!: string;

  @Column('bigint')
  interest!: string;

  @Column('bigint')
  total!: string;

  /** DUE, OVERDUE or PAID. */
  @Column('text')
  status!: string;

  @Column('timestamptz', { name: 'overdue_at', nullable: true })
  overdueAt!: Date | null;

  @Column('timestamptz', { name: 'paid_at', nullable: true })
  paidAt!: Date | null;

  @Column('boolean', { name: 'paid_late' })
  paidLate!: boolean;

  /** [{ claimId, holder, principal, interest }] once paid. */
  @Column('jsonb')
  shares!: { claimId: string; holder: string; principal: string; interest: string }[];
}
