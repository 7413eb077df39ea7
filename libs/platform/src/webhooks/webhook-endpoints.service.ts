import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, MoreThan, type Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { CLOCK, type Clock } from '../config/config.module.js';
import { ZIZHU_CONFIG } from '../config/config.js';
import type { ZizhuConfig } from '../config/config.schema.js';
import { requirePrincipal, type RequestContext } from '../context/principal.js';
import { badInput, conflict, forbidden, notFound } from '../graphql/errors.js';
import { EVENT_FILTER_PATTERN } from './event-webhooks.js';
import { WebhookDeliveryEntity } from './webhook-delivery.entity.js';
import { WebhookEndpointEntity } from './webhook-endpoint.entity.js';
import { WebhookSecretKeyring } from './webhook-secret-keyring.js';
import { WebhookTargetRefused, parseWebhookUrl, resolveWebhookTarget, webhookUrlPolicy, type WebhookUrlPolicy } from './webhook-url-guard.js';

export { WEBHOOK_URL_MAX_LENGTH } from './webhook-url-guard.js';
export const WEBHOOK_ENDPOINT_ID_PATTERN = /^we_[0-9a-f]{16}$/;
export const WEBHOOK_DESCRIPTION_MAX_LENGTH = 256;
export const WEBHOOK_EVENT_FILTERS_MAX = 32;
/** Endpoints one organisation may register: each event is delivered to every matching one. */
export const WEBHOOK_ENDPOINTS_PER_ORG = 16;
/** Why an endpoint is disabled (`disabledReason`). */
export const DISABLED_BY_ADMIN = 'DISABLED_BY_ADMIN';

export interface WebhookEndpointInput {
  url: string;
  events: string[];
  description?: string | null;
}

/**
 * Webhook endpoints of organisations: registered, disabled, enabled, given a new secret and deleted
 * by their admins, listed within the organisation, never with their secret after it was first
 * returned (it is kept sealed). Deliveries are enqueued by the modules' projections
 * (enqueueEventWebhooks), made by EventWebhookJob and logged per attempt (deliveries()).
 */
@Injectable()
export class WebhookEndpointsService {
  private readonly keyring: WebhookSecretKeyring;
  private readonly policy: WebhookUrlPolicy;

  constructor(
    @InjectRepository(WebhookEndpointEntity) private readonly endpoints: Repository<WebhookEndpointEntity>,
    @InjectRepository(WebhookDeliveryEntity) private readonly deliveryLog: Repository<WebhookDeliveryEntity>,
    private readonly audit: AuditService,
    @Inject(ZIZHU_CONFIG) private readonly config: ZizhuConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.keyring = WebhookSecretKeyring.fromConfig(config);
    this.policy = webhookUrlPolicy(config);
  }

  /** Registers an endpoint of the caller's organisation; its signing secret is returned here only. */
  async create(ctx: RequestContext, input: WebhookEndpointInput): Promise<{ endpoint: WebhookEndpointEntity; secret: string }> {
    const principal = requirePrincipal(ctx);
    const url = await this.checkedUrl(input.url);
    const events = [...new Set(input.events)];
    if (events.length === 0 || events.length > WEBHOOK_EVENT_FILTERS_MAX) throw badInput(`events must name 1 to ${WEBHOOK_EVENT_FILTERS_MAX} event types`, 'INVALID_EVENTS');
    const bad = events.find((e) => e.length > 100 || !EVENT_FILTER_PATTERN.test(e));
    if (bad !== undefined) throw badInput(`${JSON.stringify(bad)} is not an event type (evidence.anchored), a prefix wildcard (evidence.*) or *`, 'INVALID_EVENTS');
    const description = input.description?.trim() || null;
    if (description && description.length > WEBHOOK_DESCRIPTION_MAX_LENGTH) throw badInput(`description must be at most ${WEBHOOK_DESCRIPTION_MAX_LENGTH} characters`, 'INVALID_DESCRIPTION');
    if ((await this.endpoints.countBy({ org: principal.org })) >= WEBHOOK_ENDPOINTS_PER_ORG) {
      throw conflict(`${principal.org} already has ${WEBHOOK_ENDPOINTS_PER_ORG} webhook endpoints; delete one first`, 'TOO_MANY_ENDPOINTS');
    }
    const id = `we_${randomBytes(8).toString('hex')}`;
    const secret = newSecret();
    const endpoint = this.endpoints.create({ id, org: principal.org, url, events, description, secretSealed: this.keyring.seal(id, secret), createdBy: principal.id });
    await this.endpoints.insert(endpoint);
    await this.audit.record(ctx, { action: 'WEBHOOK_ENDPOINT_CREATED', target: `webhook/${id}`, detail: { origin: new URL(url).origin, events } });
    return { endpoint: (await this.endpoints.findOneBy({ id }))!, secret };
  }

  /** The organisation's endpoints by id, after the id `after`. */
  list(org: string, take: number, after?: string): Promise<WebhookEndpointEntity[]> {
    return this.endpoints.find({ where: after === undefined ? { org } : { org, id: MoreThan(after) }, order: { id: 'ASC' }, take });
  }

  /** Deletes an endpoint of the caller's organisation and its delivery log: deliveries still queued for it are dropped. */
  async delete(ctx: RequestContext, id: string): Promise<WebhookEndpointEntity> {
    const endpoint = await this.ownEndpoint(ctx, id);
    await this.endpoints.manager.transaction(async (m) => {
      await m.delete(WebhookDeliveryEntity, { endpointId: id });
      await m.delete(WebhookEndpointEntity, { id });
    });
    await this.audit.record(ctx, { action: 'WEBHOOK_ENDPOINT_DELETED', target: `webhook/${id}`, detail: { origin: new URL(endpoint.url).origin } });
    return endpoint;
  }

  /** Stops deliveries to an endpoint of the caller's organisation (queued ones are dropped); disabling a disabled one changes nothing. */
  async disable(ctx: RequestContext, id: string): Promise<WebhookEndpointEntity> {
    const endpoint = await this.ownEndpoint(ctx, id);
    if (endpoint.disabledAt) return endpoint;
    await this.endpoints.update({ id }, { disabledAt: new Date(this.clock()), disabledReason: DISABLED_BY_ADMIN });
    await this.audit.record(ctx, { action: 'WEBHOOK_ENDPOINT_DISABLED', target: `webhook/${id}`, detail: {} });
    return (await this.endpoints.findOneBy({ id }))!;
  }

  /** Resumes deliveries of new events to an endpoint (whoever or whatever disabled it), its run of failures forgotten. */
  async enable(ctx: RequestContext, id: string): Promise<WebhookEndpointEntity> {
    const endpoint = await this.ownEndpoint(ctx, id);
    if (!endpoint.disabledAt) return endpoint;
    // The URL may have been registered under a policy since tightened: enabling checks it again.
    await this.checkedUrl(endpoint.url);
    await this.endpoints.update({ id }, { disabledAt: null, disabledReason: null, consecutiveFailures: 0 });
    await this.audit.record(ctx, { action: 'WEBHOOK_ENDPOINT_ENABLED', target: `webhook/${id}`, detail: { wasDisabledFor: endpoint.disabledReason } });
    return (await this.endpoints.findOneBy({ id }))!;
  }

  /**
   * Issues a new signing secret (returned here only). Deliveries carry a signature under the
   * secret it replaces too for WEBHOOK_SECRET_ROTATION_GRACE_SECONDS, so receivers can switch
   * without losing any; a secret replaced earlier is dropped at once.
   */
  async rotateSecret(ctx: RequestContext, id: string): Promise<{ endpoint: WebhookEndpointEntity; secret: string }> {
    const endpoint = await this.ownEndpoint(ctx, id);
    const secret = newSecret();
    const graceMs = this.config.WEBHOOK_SECRET_ROTATION_GRACE_SECONDS * 1000;
    await this.endpoints.update(
      { id },
      graceMs > 0
        ? { secretSealed: this.keyring.seal(id, secret), previousSecretSealed: endpoint.secretSealed, previousSecretExpiresAt: new Date(this.clock() + graceMs) }
        : { secretSealed: this.keyring.seal(id, secret), previousSecretSealed: null, previousSecretExpiresAt: null },
    );
    await this.audit.record(ctx, { action: 'WEBHOOK_ENDPOINT_SECRET_ROTATED', target: `webhook/${id}`, detail: { graceSeconds: graceMs / 1000 } });
    return { endpoint: (await this.endpoints.findOneBy({ id }))!, secret };
  }

  /** The delivery log of an endpoint of the caller's organisation, newest first, before the row id `before`. */
  async deliveries(ctx: RequestContext, endpointId: string, take: number, before?: string): Promise<WebhookDeliveryEntity[]> {
    await this.ownEndpoint(ctx, endpointId);
    return this.deliveryLog.find({ where: before === undefined ? { endpointId } : { endpointId, id: LessThan(before) }, order: { id: 'DESC' }, take });
  }

  /** The endpoint `id` if it belongs to the caller's organisation: NOT_FOUND when it does not exist, FORBIDDEN when it is another's. */
  private async ownEndpoint(ctx: RequestContext, id: string): Promise<WebhookEndpointEntity> {
    const principal = requirePrincipal(ctx);
    const endpoint = WEBHOOK_ENDPOINT_ID_PATTERN.test(id) ? await this.endpoints.findOneBy({ id }) : null;
    if (!endpoint) throw notFound(`no webhook endpoint ${id}`);
    if (endpoint.org !== principal.org) throw forbidden(`webhook endpoint ${id} belongs to another organisation`, 'OTHER_ORGANIZATION');
    return endpoint;
  }

  /** An https URL (http where WEBHOOK_ALLOW_HTTP allows it) whose host resolves only to public addresses, or one WEBHOOK_ALLOWED_HOSTS names. */
  private async checkedUrl(text: string): Promise<string> {
    try {
      const url = parseWebhookUrl(text, this.policy);
      await resolveWebhookTarget(url, this.policy);
      return url.href;
    } catch (e) {
      if (e instanceof WebhookTargetRefused) throw badInput(e.message, e.reason);
      throw e;
    }
  }
}

const newSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;
