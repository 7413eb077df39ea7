import { performance } from 'node:perf_hooks';
import type { SqlClient } from '@zizhu/chain';
import { WebhookDeliveryError, pinnedFetch, postWebhook } from '../jobs/webhook-post.js';
import type { JobContext, JobHandler } from '../queue/job-handler.js';
import { QueueName, type EventWebhookPayload } from '../queue/queue.types.js';
import type { WebhookSecretKeyring } from './webhook-secret-keyring.js';
import { WEBHOOK_SIGNATURE_HEADER, signWebhookPayload } from './webhook-signature.js';
import { parseWebhookUrl, resolveWebhookTarget, type AddressLookup, type WebhookUrlPolicy } from './webhook-url-guard.js';

export interface EventWebhookOptions {
  /** Opens the endpoints' sealed secrets. */
  keyring: WebhookSecretKeyring;
  /** Checked again at every attempt, on the address actually connected to. */
  policy: WebhookUrlPolicy;
  /** An endpoint is disabled after this many failed attempts in a row. Default 50. */
  disableAfterFailures?: number;
  /** Per attempt. Default 10 s. */
  timeoutMs?: number;
  /** ms since the epoch: the signature's timestamp, the log's time, the end of a rotated secret's grace. Default Date.now. */
  clock?: () => number;
  /** DNS resolution (tests). Default the system resolver. */
  lookup?: AddressLookup;
}

export type EventDeliveryResult = { status: number } | { dropped: 'ENDPOINT_DELETED' | 'ENDPOINT_DISABLED' };

type EndpointRow = {
  url: string;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Date | null;
  disabled_at: Date | null;
};

/**
 * Delivers one event to one endpoint: POSTs `{ id, type, createdAt, data }` as JSON with
 * `zizhu-event-id`, `zizhu-delivery-id` (the job id, the same on every retry) and
 * `zizhu-signature` (HMAC-SHA256 under the endpoint's secret, and under the one a rotation
 * replaced while its grace lasts; verifyWebhookSignature). URL and sealed secret are read from
 * PostgreSQL now, not carried in the job: a deleted or disabled endpoint's delivery completes as
 * dropped. The host is resolved once and every address checked (webhook-url-guard); the request
 * goes to that address. Every attempt is logged (webhook_deliveries); a 2xx answer is a delivery,
 * anything else fails the attempt, which BullMQ retries with exponential backoff, and the
 * endpoint is disabled after disableAfterFailures failures in a row.
 */
export class EventWebhookJob implements JobHandler<QueueName.EVENT_WEBHOOK> {
  readonly queue = QueueName.EVENT_WEBHOOK;
  private readonly timeoutMs: number;
  private readonly clock: () => number;
  private readonly disableAfterFailures: number;

  constructor(
    private readonly sql: SqlClient,
    private readonly options: EventWebhookOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.clock = options.clock ?? Date.now;
    this.disableAfterFailures = options.disableAfterFailures ?? 50;
  }

  async handle(payload: EventWebhookPayload, context: JobContext): Promise<EventDeliveryResult> {
    const { endpointId } = payload;
    const { rows } = await this.sql.query<EndpointRow>(
      'SELECT url, secret_sealed, previous_secret_sealed, previous_secret_expires_at, disabled_at FROM webhook_endpoints WHERE id = $1',
      [endpointId],
    );
    const endpoint = rows[0];
    if (!endpoint) return { dropped: 'ENDPOINT_DELETED' };
    if (endpoint.disabled_at) return { dropped: 'ENDPOINT_DISABLED' };
    const now = this.clock();
    const started = performance.now();
    let result: { status: number } | undefined;
    let failure: WebhookDeliveryError | undefined;
    try {
      result = await this.post(payload, endpoint, context, now);
    } catch (e) {
      failure = e instanceof WebhookDeliveryError ? e : new WebhookDeliveryError(`event webhook ${originOf(endpoint.url)}: ${(e as Error).message}`);
    }
    await this.log(payload, context, now, Math.round(performance.now() - started), result?.status ?? failure?.status ?? null, failure?.message ?? null);
    if (failure) throw failure;
    return result!;
  }

  private async post(payload: EventWebhookPayload, endpoint: EndpointRow, context: JobContext, now: number): Promise<{ status: number }> {
    const { keyring, policy, lookup } = this.options;
    const secrets = [keyring.open(payload.endpointId, endpoint.secret_sealed)];
    if (endpoint.previous_secret_sealed && endpoint.previous_secret_expires_at && endpoint.previous_secret_expires_at.getTime() > now) {
      secrets.push(keyring.open(payload.endpointId, endpoint.previous_secret_sealed));
    }
    const target = await resolveWebhookTarget(parseWebhookUrl(endpoint.url, policy), policy, lookup);
    const { id, type, createdAt, data } = payload.event;
    const body = JSON.stringify({ id, type, createdAt, data });
    const headers = {
      'zizhu-event-id': id,
      'zizhu-delivery-id': context.jobId,
      [WEBHOOK_SIGNATURE_HEADER]: signWebhookPayload(secrets, body, Math.floor(now / 1000)),
    };
    return postWebhook('event webhook', endpoint.url, body, headers, { fetch: pinnedFetch(target), timeoutMs: this.timeoutMs, context });
  }

  /** One row in the delivery log, and the endpoint's run of failures (disabling it at the limit), in one statement. */
  private async log(payload: EventWebhookPayload, context: JobContext, at: number, durationMs: number, status: number | null, error: string | null): Promise<void> {
    await this.sql.query(
      `WITH attempt AS (
         INSERT INTO webhook_deliveries (endpoint_id, event_id, delivery_id, attempt, status, error, duration_ms, at)
         SELECT id, $2, $3, $4, $5, $6, $7, $8::timestamptz FROM webhook_endpoints WHERE id = $1
       )
       UPDATE webhook_endpoints SET
         consecutive_failures = CASE WHEN $9::boolean THEN 0 ELSE consecutive_failures + 1 END,
         disabled_at = CASE WHEN NOT $9::boolean AND disabled_at IS NULL AND consecutive_failures + 1 >= $10::int THEN $8::timestamptz ELSE disabled_at END,
         disabled_reason = CASE WHEN NOT $9::boolean AND disabled_at IS NULL AND consecutive_failures + 1 >= $10::int THEN 'CONSECUTIVE_FAILURES' ELSE disabled_reason END
       WHERE id = $1`,
      [payload.endpointId, payload.event.id, context.jobId, context.attempt, status, error, durationMs, new Date(at), error === null, this.disableAfterFailures],
    );
  }
}

/** Only the origin in logs and errors: webhook URLs often carry a token in their path or query. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}
