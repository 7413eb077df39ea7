import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One audited event: a decryption, a login, a change to users or API keys. Append-only by use. */
@Entity('audit_records')
@Index('audit_records_org_id', ['org', 'id'])
export class AuditRecordEntity {
  /** bigint: comes back from PostgreSQL as a string, which keeps it exact. */
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'audit_records_pkey' })
  id!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  at!: Date;

  /** The organisation whose records these are (the actor's, or the target's for a failed login). */
  @Column('text')
  org!: string;

  @Column('text')
  action!: string;

  @Column('text', { name: 'actor_kind', nullable: true })
  actorKind!: string | null;

  @Column('text', { name: 'actor_id', nullable: true })
  actorId!: string | null;

  @Column('text', { name: 'actor_name', nullable: true })
  actorName!: string | null;

  @Column('text', { nullable: true })
  target!: string | null;

  @Column('jsonb')
  detail!: Record<string, unknown>;

  @Column('text', { name: 'request_id', nullable: true })
  requestId!: string | null;
}
