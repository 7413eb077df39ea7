import { Field, ID, ObjectType } from '@nestjs/graphql';
import { ConnectionType } from '../../graphql/connection.js';
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

  static from(e: WebhookEndpointEntity): WebhookEndpointModel {
    return { id: e.id, organization: e.org, url: e.url, events: e.events, description: e.description, createdAt: e.createdAt };
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
