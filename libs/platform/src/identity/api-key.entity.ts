import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

export type ApiKeyStatus = 'PENDING' | 'ACTIVE' | 'REVOKED';

/** A machine's credential (`zk_<id>_<secret>`), scoped to one organisation and roles; the secret is stored hashed. */
@Entity('api_keys')
@Index('api_keys_org', ['org'])
export class ApiKeyEntity {
  /** 16 lowercase hex characters, the `<id>` part of the key. */
  @PrimaryColumn('text', { primaryKeyConstraintName: 'api_keys_pkey' })
  id!: string;

  @Column('text')
  org!: string;

  @Column('text')
  name!: string;

  @Column('text', { array: true })
  roles!: string[];

  /** SHA-256 (hex) of the secret: it has 256 bits of entropy, so a slow hash adds nothing. */
  @Column('text', { name: 'secret_hash' })
  secretHash!: string;

  @Column('text')
  status!: ApiKeyStatus;

  /** Ledger key id of the machine's signing key (keystore entry `apikey/<id>`). */
  @Column('text', { name: 'key_id', nullable: true })
  keyId!: string | null;

  @Column('text', { nullable: true })
  certificate!: string | null;

  /** The user (or API key) that issued it. */
  @Column('text', { name: 'created_by' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt!: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}
