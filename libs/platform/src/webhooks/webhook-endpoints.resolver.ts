import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Allow } from '../auth/allow.decorator.js';
import { Ctx } from '../auth/ctx.decorator.js';
import { Permission } from '../auth/permissions.js';
import { requirePrincipal, type RequestContext } from '../context/principal.js';
import { PageArgs, toConnection } from '../graphql/connection.js';
import { decodeCursor, decodeIntegerCursor, encodeCursor } from '../graphql/pagination.js';
import { CreateWebhookEndpointInput, WebhookDeliveriesArgs, WebhookEndpointIdArgs } from './dto/webhook-endpoint.inputs.js';
import {
  CreatedWebhookEndpointModel,
  RotatedWebhookEndpointSecretModel,
  WebhookDeliveryConnection,
  WebhookDeliveryModel,
  WebhookEndpointConnection,
  WebhookEndpointModel,
} from './models/webhook-endpoint.model.js';
import { WEBHOOK_ENDPOINT_ID_PATTERN, WebhookEndpointsService } from './webhook-endpoints.service.js';

/** Webhook endpoints of the caller's organisation and their delivery log, managed by its admins. */
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

  @Mutation(() => WebhookEndpointModel, { description: 'Stops deliveries to a webhook endpoint of your organisation (queued ones are dropped) until it is enabled again' })
  @Allow(Permission.ManageWebhooks)
  async disableWebhookEndpoint(@Ctx() ctx: RequestContext, @Args() args: WebhookEndpointIdArgs): Promise<WebhookEndpointModel> {
    return WebhookEndpointModel.from(await this.endpoints.disable(ctx, args.id));
  }

  @Mutation(() => WebhookEndpointModel, { description: 'Resumes deliveries of new events to a disabled webhook endpoint of your organisation (its URL is checked again)' })
  @Allow(Permission.ManageWebhooks)
  async enableWebhookEndpoint(@Ctx() ctx: RequestContext, @Args() args: WebhookEndpointIdArgs): Promise<WebhookEndpointModel> {
    return WebhookEndpointModel.from(await this.endpoints.enable(ctx, args.id));
  }

  @Mutation(() => RotatedWebhookEndpointSecretModel, {
    description: 'Issues a new signing secret for a webhook endpoint of your organisation, in this answer only; deliveries are signed under the old one too for a grace period',
  })
  @Allow(Permission.ManageWebhooks)
  async rotateWebhookEndpointSecret(@Ctx() ctx: RequestContext, @Args() args: WebhookEndpointIdArgs): Promise<RotatedWebhookEndpointSecretModel> {
    const { endpoint, secret } = await this.endpoints.rotateSecret(ctx, args.id);
    return { endpoint: WebhookEndpointModel.from(endpoint), secret };
  }

  @Query(() => WebhookDeliveryConnection, { description: 'Delivery attempts to a webhook endpoint of your organisation, newest first' })
  @Allow(Permission.ManageWebhooks)
  async webhookDeliveries(@Ctx() ctx: RequestContext, @Args() args: WebhookDeliveriesArgs): Promise<WebhookDeliveryConnection> {
    const before = args.after === undefined ? undefined : String(decodeIntegerCursor('webhook-delivery', args.after));
    const rows = await this.endpoints.deliveries(ctx, args.endpointId, args.first + 1, before);
    return toConnection(rows, args.first, (d) => encodeCursor('webhook-delivery', d.id), WebhookDeliveryModel.from);
  }
}
