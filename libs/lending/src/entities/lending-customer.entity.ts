import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A platform's customer (`cust/<id>`): pseudonymous on chain. `sealed` is the custody envelope, a
 * JWE to the platform, the regulators and the custodian bank holding the bank card and, nested, the
 * KYC JWE to the platform and the regulators alone (name, national ID, phone).
 */
@Entity('lending_customers')
@Index('lending_customers_platform_idx', ['platform', 'registeredAt', 'id'])
@Index('lending_customers_ref_idx', ['borrowerRef'])
export class LendingCustomerEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'lending_customers_pkey' })
  id!: string;

  @Column('text')
  platform!: string;

  /** LENDER, BORROWER, GUARANTOR. */
  @Column('text', { array: true })
  roles!: string[];

  /** NATURAL or LEGAL. */
  @Column('text', { name: 'person_kind' })
  personKind!: string;

  /** HMAC-SHA256 of the normalised national ID under the consortium's identity key (lending-identity.ts). */
  @Column('text', { name: 'borrower_ref' })
  borrowerRef!: string;

  @Column('jsonb')
  sealed!: Record<string, unknown>;

  @Column('timestamptz', { name: 'registered_at' })
  registeredAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('text')
  tx!: string;
}

/** A customer's custody sub-account at the platform's custodian bank (`acct/<customerId>`), amounts in fen. */
@Entity('lending_accounts')
@Index('lending_accounts_bank_idx', ['bank'])
export class LendingAccountEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'lending_accounts_pkey' })
  id!: string;

  @Column('text')
  platform!: string;

  @Column('text')
  bank!: string;

  @Column('bigint')
  available!: string;

  @Column('bigint')
  frozen!: string;
}

/** A user of a platform organisation with a terminal role (borrower, lender), acting for one customer. */
@Entity('lending_terminal_users')
@Index('lending_terminal_users_customer_idx', ['customerId'])
export class LendingTerminalUserEntity {
  @PrimaryColumn('uuid', { name: 'user_id', primaryKeyConstraintName: 'lending_terminal_users_pkey' })
  userId!: string;

  @Column('text')
  org!: string;

  @Column('text', { name: 'customer_id' })
  customerId!: string;

  /** Who linked them (`user/<id>` or `apikey/<id>`). */
  @Column('text', { name: 'linked_by' })
  linkedBy!: string;

  @Column('timestamptz', { name: 'linked_at' })
  linkedAt!: Date;
}
