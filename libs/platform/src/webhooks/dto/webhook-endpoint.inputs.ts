import { ArgsType, Field, ID, InputType } from '@nestjs/graphql';
import { PageArgs } from '../../graphql/connection.js';
import { ArrayMaxSize, ArrayMinSize, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { EVENT_FILTER_PATTERN } from '../event-webhooks.js';
import { WEBHOOK_DESCRIPTION_MAX_LENGTH, WEBHOOK_ENDPOINT_ID_PATTERN, WEBHOOK_EVENT_FILTERS_MAX, WEBHOOK_URL_MAX_LENGTH } from '../webhook-endpoints.service.js';

@InputType({ description: "A webhook endpoint of the caller's organisation" })
export class CreateWebhookEndpointInput {
  @Field(() => String, { description: `An https URL (http only where the node allows it, for development) of a public host, at most ${WEBHOOK_URL_MAX_LENGTH} characters` })
  @IsString()
  @MaxLength(WEBHOOK_URL_MAX_LENGTH)
  url!: string;

  @Field(() => [String], { description: 'Event types (evidence.anchored, evidence.signed), prefix wildcards (evidence.*) or *' })
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_FILTERS_MAX)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  @Matches(EVENT_FILTER_PATTERN, { each: true, message: 'each event must be an event type (evidence.anchored), a prefix wildcard (evidence.*) or *' })
  events!: string[];

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(WEBHOOK_DESCRIPTION_MAX_LENGTH)
  description?: string | null;
}

@ArgsType()
export class WebhookEndpointIdArgs {
  @Field(() => ID)
  @IsString()
  @Matches(WEBHOOK_ENDPOINT_ID_PATTERN, { message: 'id must be a webhook endpoint id (we_ and 16 hex characters)' })
  id!: string;
}

@ArgsType()
export class WebhookDeliveriesArgs extends PageArgs {
  @Field(() => ID)
  @IsString()
  @Matches(WEBHOOK_ENDPOINT_ID_PATTERN, { message: 'endpointId must be a webhook endpoint id (we_ and 16 hex characters)' })
  endpointId!: string;
}
