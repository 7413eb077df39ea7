import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { MoreThan, type Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { requirePrincipal, type RequestContext } from '../context/principal.js';
import { badInput, conflict, forbidden, notFound } from '../graphql/errors.js';
import { EVENT_FILTER_PATTERN } from './event-webhooks.js';
import { WebhookEndpointEntity } from './webhook-endpoint.entity.js';

export const WEBHOOK_ENDPOINT_ID_PATTERN = /^we_[0-9a-f]{16}$/;
export const WEBHOOK_URL_MAX_LENGTH = 2048;
export const WEBHOOK_DESCRIPTION_MAX_LENGTH = 256;
export const WEBHOOK_EVENT_FILTERS_MAX = 32;
/** Endpoints one organisation may register: each event is delivered to every matching one. */
export const WEBHOOK_ENDPOINTS_PER_ORG = 16;

export interface WebhookEndpointInput {
  url: string;
  events: string[];
  description?: string | null;
}

/**
 * Webhook endpoints of organisations: registered and deleted by their admins, listed within the
 * organisation, never with their secret after it was first returned. Deliveries are enqueued by
 * the modules' projections (enqueueEventWebhooks) and made by EventWebhookJob.
 */
@Injectable()
export class WebhookEndpointsService {
  constructor(
    @InjectRepository(WebhookEndpointEntity) private readonly endpoints: Repository<WebhookEndpointEntity>,
    private readonly audit: AuditService,
  ) {}

  /** Registers an endpoint of the caller's organisation; its signing secret is returned here only. */
  async create(ctx: RequestContext, input: WebhookEndpointInput): Promise<{ endpoint: WebhookEndpointEntity; secret: string }> {
    const principal = requirePrincipal(ctx);
    const url = checkedUrl(input.url);
    const events = [...new Set(input.events)];
    if (events.length === 0 || events.length > WEBHOOK_EVENT_FILTERS_MAX) throw badInput(`events must name 1 to ${WEBHOOK_EVENT_FILTERS_MAX} event types`, 'INVALID_EVENTS');
    const bad = events.find((e) => e.length > 100 || !EVENT_FILTER_PATTERN.test(e));
    if (bad !== undefined) throw badInput(`${JSON.stringify(bad)} is not an event type (evidence.anchored), a prefix wildcard (evidence.*) or *`, 'INVALID_EVENTS');
    const description = input.description?.trim() || null;
    if (description && description.length > WEBHOOK_DESCRIPTION_MAX_LENGTH) throw badInput(`description must be at most ${WEBHOOK_DESCRIPTION_MAX_LENGTH} characters`, 'INVALID_DESCRIPTION');
    if ((await this.endpoints.countBy({ org: principal.org })) >= WEBHOOK_ENDPOINTS_PER_ORG) {
      throw conflict(`${principal.org} already has ${WEBHOOK_ENDPOINTS_PER_ORG} webhook endpoints; delete one first`, 'TOO_MANY_ENDPOINTS');
    }
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const endpoint = this.endpoints.create({ id: `we_${randomBytes(8).toString('hex')}`, org: principal.org, url, events, description, secret, createdBy: principal.id });
    await this.endpoints.insert(endpoint);
    await this.audit.record(ctx, { action: 'WEBHOOK_ENDPOINT_CREATED', target: `webhook/${endpoint.id}`, detail: { origin: new URL(url).origin, events } });
    return { endpoint: (await this.endpoints.findOneBy({ id: endpoint.id }))!, secret };
  }

  /** The organisation's endpoints by id, after the id `after`. */
  list(org: string, take: number, after?: string): Promise<WebhookEndpointEntity[]> {
    return this.endpoints.find({ where: after === undefined ? { org } : { org, id: MoreThan(after) }, order: { id: 'ASC' }, take });
  }

  /** Deletes an endpoint of the caller's organisation: deliveries still queued for it are dropped. */
  async delete(ctx: RequestContext, id: string): Promise<WebhookEndpointEntity> {
    const principal = requirePrincipal(ctx);
    const endpoint = WEBHOOK_ENDPOINT_ID_PATTERN.test(id) ? await this.endpoints.findOneBy({ id }) : null;
    if (!endpoint) throw notFound(`no webhook endpoint ${id}`);
    if (endpoint.org !== principal.org) throw forbidden(`webhook endpoint ${id} belongs to another organisation`, 'OTHER_ORGANIZATION');
    await this.endpoints.delete({ id });
    await this.audit.record(ctx, { action: 'WEBHOOK_ENDPOINT_DELETED', target: `webhook/${id}`, detail: { origin: new URL(endpoint.url).origin } });
    return endpoint;
  }
}

/** An absolute http(s) URL without credentials in it, at most WEBHOOK_URL_MAX_LENGTH characters. */
function checkedUrl(text: string): string {
  if (text.length > WEBHOOK_URL_MAX_LENGTH) throw badInput(`url must be at most ${WEBHOOK_URL_MAX_LENGTH} characters`, 'INVALID_URL');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badInput('url must be an absolute http or https URL', 'INVALID_URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badInput('url must be an http or https URL', 'INVALID_URL');
  if (url.username || url.password) throw badInput('url must not carry a user name or password (put a token in its path or query)', 'INVALID_URL');
  if (url.hash) throw badInput('url must not have a #fragment', 'INVALID_URL');
  return url.href;
}
