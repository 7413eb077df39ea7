import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Allow } from '../auth/allow.decorator.js';
import { Ctx } from '../auth/ctx.decorator.js';
import { Permission } from '../auth/permissions.js';
import { requirePrincipal, type RequestContext } from '../context/principal.js';
import { PageArgs, toConnection } from '../graphql/connection.js';
import { decodeCursor, encodeCursor } from '../graphql/pagination.js';
import { CreateWebhookEndpointInput, WebhookEndpointIdArgs } from './dto/webhook-endpoint.inputs.js';
import { CreatedWebhookEndpointModel, WebhookEndpointConnection, WebhookEndpointModel } from './models/webhook-endpoint.model.js';
import { WEBHOOK_ENDPOINT_ID_PATTERN, WebhookEndpointsService } from './webhook-endpoints.service.js';

/** Webhook endpoints of the caller's organisation, managed by its admins. */
@Resolver(() => WebhookEndpointModel)
export class WebhookEndpointsResolver {
  constructor(private readonly endpoints: WebhookEndpointsService) {}

  @Query(() => WebhookEndpointConnection, { description: "Webhook endpoints of the caller's organisation (never their secrets)" })
  @Allow(Permission.ManageWebhooks)
  async webhookEndpoints(@Ctx() ctx: RequestContext, @Args() page: PageArgs): Promise<WebhookEndpointConnection> {
    const principal = requirePrincipal(ctx);
    const after = page.after === undefined ? undefined : decodeCursor('webhook', page.after, WEBHOOK_ENDPOINT_ID_PATTERN);
    const rows = await this.endpoints.list(principal.org, page.first + 1, after);
    return toConnection(rows, page.first, (e) => encodeCursor('webhook', e.id), WebhookEndpointModel.from);
  }

  @Mutation(() => CreatedWebhookEndpointModel, { description: "Registers a webhook endpoint for the caller's organisation; the signing secret is in this answer only" })
  @Allow(Permission.ManageWebhooks)
  async createWebhookEndpoint(@Ctx() ctx: RequestContext, @Args('input') input: CreateWebhookEndpointInput): Promise<CreatedWebhookEndpointModel> {
    const { endpoint, secret } = await this.endpoints.create(ctx, input);
    return { endpoint: WebhookEndpointModel.from(endpoint), secret };
  }

  @Mutation(() => WebhookEndpointModel, { description: 'Deletes a webhook endpoint of your organisation; deliveries still queued for it are dropped' })
  @Allow(Permission.ManageWebhooks)
  async deleteWebhookEndpoint(@Ctx() ctx: RequestContext, @Args() args: WebhookEndpointIdArgs): Promise<WebhookEndpointModel> {
    return WebhookEndpointModel.from(await this.endpoints.delete(ctx, args.id));
  }
}
