import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type UserStatus = 'PENDING' | 'ACTIVE' | 'REVOKED';

/** A person of one organisation, with roles and a signing key held in the node's keystore. */
@Entity('users')
@Index('users_org_username', ['org', 'username'], { unique: true })
export class UserEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'users_pkey' })
  id!: string;

  @Column('text')
  org!: string;

  @Column('text')
  username!: string;

  /** `scrypt$N$r$p$salt$hash` (base64): each hash records its own cost. */
  @Column('text', { name: 'password_hash' })
  passwordHash!: string;

  @Column('text', { array: true })
  roles!: string[];

  /** PENDING while its key is being registered on chain; REVOKED once its key is revoked. */
  @Column('text')
  status!: UserStatus;

  /** Ledger key id of the user's signing key (keystore entry `user/<id>`). */
  @Column('text', { name: 'key_id', nullable: true })
  keyId!: string | null;

  /** X.509 certificate issued by the organisation's CA for the signing key (base64 DER). */
  @Column('text', { nullable: true })
  certificate!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}
