import type { SqlClient } from '@zizhu/chain';
import { postWebhook } from '../jobs/webhook-post.js';
import type { JobContext, JobHandler } from '../queue/job-handler.js';
import { QueueName, type EventWebhookPayload } from '../queue/queue.types.js';
import { WEBHOOK_SIGNATURE_HEADER, signWebhookPayload } from './webhook-signature.js';

export interface EventWebhookOptions {
  /** Per attempt. Default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** ms since the epoch, for the signature's timestamp. Default Date.now. */
  clock?: () => number;
}

export type EventDeliveryResult = { status: number } | { dropped: 'ENDPOINT_DELETED' };

/**
 * Delivers one event to one endpoint: POSTs `{ id, type, createdAt, data }` as JSON with
 * `zizhu-event-id`, `zizhu-delivery-id` (the job id, the same on every retry) and
 * `zizhu-signature` (HMAC-SHA256 under the endpoint's secret, verifyWebhookSignature). URL and
 * secret are read from PostgreSQL now, not carried in the job: a deleted endpoint's delivery
 * completes as dropped. A 2xx answer is a delivery; anything else fails the attempt, which BullMQ
 * retries with exponential backoff.
 */
export class EventWebhookJob implements JobHandler<QueueName.EVENT_WEBHOOK> {
  readonly queue = QueueName.EVENT_WEBHOOK;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;
  private readonly clock: () => number;

  constructor(
    private readonly sql: SqlClient,
    options: EventWebhookOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetch = options.fetch ?? fetch;
    this.clock = options.clock ?? Date.now;
  }

  async handle(payload: EventWebhookPayload, context: JobContext): Promise<EventDeliveryResult> {
    const { rows } = await this.sql.query<{ url: string; secret: string }>('SELECT url, secret FROM webhook_endpoints WHERE id = $1', [payload.endpointId]);
    const endpoint = rows[0];
    if (!endpoint) return { dropped: 'ENDPOINT_DELETED' };
    const { id, type, createdAt, data } = payload.event;
    const body = JSON.stringify({ id, type, createdAt, data });
    const headers = {
      'zizhu-event-id': id,
      'zizhu-delivery-id': context.jobId,
      [WEBHOOK_SIGNATURE_HEADER]: signWebhookPayload(endpoint.secret, body, Math.floor(this.clock() / 1000)),
    };
    return postWebhook('event webhook', endpoint.url, body, headers, { fetch: this.fetch, timeoutMs: this.timeoutMs, context });
  }
}
