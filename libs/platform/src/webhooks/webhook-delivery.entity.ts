import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One attempt to deliver one event to one webhook endpoint: what the receiver answered, or why it was not reached. */
@Entity('webhook_deliveries')
@Index('webhook_deliveries_endpoint_id', ['endpointId', 'id'])
@Index('webhook_deliveries_at', ['at'])
export class WebhookDeliveryEntity {
  /** bigint: comes back from PostgreSQL as a string, which keeps it exact. */
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'webhook_deliveries_pkey' })
  id!: string;

  @Column('text', { name: 'endpoint_id' })
  endpointId!: string;

  @Column('text', { name: 'event_id' })
  eventId!: string;

  /** The job id (`event:<event id>:<endpoint id>`), the same on every attempt: the `zizhu-delivery-id` header. */
  @Column('text', { name: 'delivery_id' })
  deliveryId!: string;

  /** 1 for the first attempt. */
  @Column('integer')
  attempt!: number;

  /** The receiver's HTTP status; null when it was not reached (refused address, timeout, connection error). */
  @Column('integer', { nullable: true })
  status!: number | null;

  /** Why the attempt failed (the URL's origin only, never its path or query); null for a 2xx answer. */
  @Column('text', { nullable: true })
  error!: string | null;

  @Column('integer', { name: 'duration_ms' })
  durationMs!: number;

  @Column('timestamptz')
  at!: Date;
}
