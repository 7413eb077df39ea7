import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Where an organisation receives the events of its records (Stripe-style webhooks). The signing
 * secret is stored as it was issued: the node must sign every delivery with it, so unlike an API
 * key's secret it cannot be kept as a hash.
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

  /** `whsec_…`: the HMAC-SHA256 key of the deliveries' signatures. */
  @Column('text')
  secret!: string;

  /** The user (or API key) that registered it. */
  @Column('text', { name: 'created_by' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
