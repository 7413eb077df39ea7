import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ConnectionType } from '../../graphql/connection.js';
import type { WebhookDeliveryEntity } from '../webhook-delivery.entity.js';
import type { WebhookEndpointEntity } from '../webhook-endpoint.entity.js';

@ObjectType('WebhookEndpoint', { description: "Where an organisation receives its records' events, signed (header zizhu-signature)" })
export class WebhookEndpointModel {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  organization!: string;

  @Field(() => String)
  url!: string;

  @Field(() => [String], { description: 'Event types (evidence.anchored), prefix wildcards (evidence.*) or *' })
  events!: string[];

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Boolean, { description: 'False while disabled: no delivery is made, queued ones are dropped' })
  enabled!: boolean;

  @Field(() => Date, { nullable: true })
  disabledAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'DISABLED_BY_ADMIN, or CONSECUTIVE_FAILURES when the node disabled it after too many failed deliveries in a row' })
  disabledReason!: string | null;

  @Field(() => Int, { description: 'Failed delivery attempts since the last successful one' })
  consecutiveFailures!: number;

  @Field(() => Date, { nullable: true, description: 'Until then deliveries are also signed under the secret the last rotation replaced' })
  previousSecretExpiresAt!: Date | null;

  static from(e: WebhookEndpointEntity): WebhookEndpointModel {
    return {
      id: e.id,
      organization: e.org,
      url: e.url,
      events: e.events,
      description: e.description,
      createdAt: e.createdAt,
      enabled: e.disabledAt === null,
      disabledAt: e.disabledAt,
      disabledReason: e.disabledReason,
      consecutiveFailures: e.consecutiveFailures,
      previousSecretExpiresAt: e.previousSecretExpiresAt,
    };
  }
}

@ObjectType('WebhookEndpointConnection')
export class WebhookEndpointConnection extends ConnectionType(WebhookEndpointModel, 'WebhookEndpoint') {}

@ObjectType('CreatedWebhookEndpoint')
export class CreatedWebhookEndpointModel {
  @Field(() => WebhookEndpointModel)
  endpoint!: WebhookEndpointModel;

  @Field(() => String, { description: 'The HMAC-SHA256 key of its deliveries\' signatures (whsec_…); shown once, in this answer only' })
  secret!: string;
}

@ObjectType('RotatedWebhookEndpointSecret')
export class RotatedWebhookEndpointSecretModel {
  @Field(() => WebhookEndpointModel)
  endpoint!: WebhookEndpointModel;

  @Field(() => String, { description: 'The new HMAC-SHA256 key (whsec_…); shown once, in this answer only. Deliveries carry a v1 signature under each secret until endpoint.previousSecretExpiresAt' })
  secret!: string;
}

@ObjectType('WebhookDelivery', { description: 'One attempt to deliver one event to a webhook endpoint' })
export class WebhookDeliveryModel {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  endpointId!: string;

  @Field(() => String, { description: 'The zizhu-event-id header' })
  eventId!: string;

  @Field(() => String, { description: 'The zizhu-delivery-id header, the same on every attempt of a delivery' })
  deliveryId!: string;

  @Field(() => Int, { description: '1 for the first attempt' })
  attempt!: number;

  @Field(() => Int, { nullable: true, description: "The receiver's HTTP status; null when it was not reached" })
  status!: number | null;

  @Field(() => String, { nullable: true, description: 'Why the attempt failed; null for a 2xx answer' })
  error!: string | null;

  @Field(() => Int)
  durationMs!: number;

  @Field(() => Date)
  at!: Date;

  static from(d: WebhookDeliveryEntity): WebhookDeliveryModel {
    return { id: d.id, endpointId: d.endpointId, eventId: d.eventId, deliveryId: d.deliveryId, attempt: d.attempt, status: d.status, error: d.error, durationMs: d.durationMs, at: d.at };
  }
}

@ObjectType('WebhookDeliveryConnection')
export class WebhookDeliveryConnection extends ConnectionType(WebhookDeliveryModel, 'WebhookDelivery') {}
