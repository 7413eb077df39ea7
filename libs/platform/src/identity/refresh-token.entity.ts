import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A refresh token, stored as the SHA-256 of its value. Using one rotates it (marks it used and
 * issues the next in the same family); presenting a used one revokes the whole family.
 */
@Entity('refresh_tokens')
@Index('refresh_tokens_token_hash', ['tokenHash'], { unique: true })
@Index('refresh_tokens_user', ['userId'])
@Index('refresh_tokens_expires_at', ['expiresAt'])
export class RefreshTokenEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'refresh_tokens_pkey' })
  id!: string;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  /** All tokens rotated from one login share a family. */
  @Column('uuid', { name: 'family_id' })
  familyId!: string;

  @Column('text', { name: 'token_hash' })
  tokenHash!: string;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'used_at', nullable: true })
  usedAt!: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}
