import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Where an organisation receives the events of its records (Stripe-style webhooks). The node must
 * sign every delivery with the signing secret, so unlike an API key's secret it cannot be kept as
 * a hash: it is sealed (WebhookSecretKeyring) and opened only to sign.
 */
@Entity('webhook_endpoints')
@Index('webhook_endpoints_org_idx', ['org'])
export class WebhookEndpointEntity {
  /** `we_` and 16 lowercase hex characters. */
  @PrimaryColumn('text', { primaryKeyConstraintName: 'webhook_endpoints_pkey' })
  id!: string;

  @Column('text')
  org!: string;

  @Column('text')
  url!: string;

  /** Event types (`evidence.anchored`), prefix wildcards (`evidence.*`) or `*`. */
  @Column('text', { array: true })
  events!: string[];

  @Column('text', { nullable: true })
  description!: string | null;

  /** `whsec_…`, the HMAC-SHA256 key of the deliveries' signatures, sealed under the node's webhook secret key with the id as associated data. */
  @Column('text', { name: 'secret_sealed' })
  secretSealed!: string;

  /** The secret a rotation replaced, sealed the same way; deliveries are signed under it too until previousSecretExpiresAt. */
  @Column('text', { name: 'previous_secret_sealed', nullable: true })
  previousSecretSealed!: string | null;

  @Column('timestamptz', { name: 'previous_secret_expires_at', nullable: true })
  previousSecretExpiresAt!: Date | null;

  /** Set while disabled: no delivery is made (queued ones are dropped) until an admin enables it. */
  @Column('timestamptz', { name: 'disabled_at', nullable: true })
  disabledAt!: Date | null;

  /** `DISABLED_BY_ADMIN` or `CONSECUTIVE_FAILURES`. */
  @Column('text', { name: 'disabled_reason', nullable: true })
  disabledReason!: string | null;

  /** Failed attempts since the last successful one; at WEBHOOK_DISABLE_AFTER_FAILURES the endpoint is disabled. */
  @Column('integer', { name: 'consecutive_failures', default: 0 })
  consecutiveFailures!: number;

  /** The user (or API key) that registered it. */
  @Column('text', { name: 'created_by' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
