import type { SqlClient } from '@zizhu/chain';
import type { JobHandler } from '../queue/job-handler.js';
import { QueueName } from '../queue/queue.types.js';
import { resealWebhookSecrets, type WebhookSecretKeyring } from '../webhooks/webhook-secret-keyring.js';

export interface CleanupOptions {
  /** Dispatched outbox rows are kept this long (their job ids dedupe re-enqueues meanwhile). Default 7. */
  outboxRetentionDays?: number;
  /** Expired refresh tokens are kept this long after expiry (to tell "expired" from "unknown"). Default 1. */
  refreshTokenGraceDays?: number;
  /** Webhook delivery attempts are kept this long (WEBHOOK_DELIVERY_LOG_RETENTION_DAYS). Default 30. */
  webhookDeliveryRetentionDays?: number;
  /** When given, endpoint secrets sealed under an older key are re-sealed under its current one. */
  webhookSecrets?: WebhookSecretKeyring;
}

export interface CleanupResult {
  /** Refresh tokens deleted; null while the refresh_tokens table does not exist yet. */
  refreshTokens: number | null;
  outboxRows: number;
  /** Delivery attempts deleted; null (like webhookSecrets) while the webhook_deliveries table does not exist yet. */
  webhookDeliveries: number | null;
  /** Endpoint secrets re-sealed under the current key, and those no configured key opens; null without a keyring. */
  webhookSecrets: { resealed: number; unopenable: number } | null;
}

/**
 * The scheduled clean-up (hourly, QUEUE_SETTINGS): expired refresh tokens, old dispatched outbox
 * rows and old webhook delivery attempts; and webhook secrets re-sealed after a key rotation. Nonce windows need no job: the chain engine keeps them in memory, drops buckets
 * older than the clock-skew window as it goes, and reloads only recent ones from the ledger at
 * restart.
 */
export class CleanupJob implements JobHandler<QueueName.CLEANUP> {
  readonly queue = QueueName.CLEANUP;

  constructor(
    private readonly sql: SqlClient,
    private readonly options: CleanupOptions = {},
  ) {}

  async handle(): Promise<CleanupResult> {
    const graceDays = this.options.refreshTokenGraceDays ?? 1;
    const retentionDays = this.options.outboxRetentionDays ?? 7;
    // These tables belong to migrations that may not have run yet (the outbox can exist alone).
    const { rows } = await this.sql.query<{ tokens: boolean; webhooks: boolean }>(
      "SELECT to_regclass('refresh_tokens') IS NOT NULL AS tokens, to_regclass('webhook_deliveries') IS NOT NULL AS webhooks",
    );
    const refreshTokens = rows[0]?.tokens
      ? ((await this.sql.query("DELETE FROM refresh_tokens WHERE expires_at < now() - make_interval(days => $1)", [graceDays])).rowCount ?? 0)
      : null;
    const outbox = await this.sql.query('DELETE FROM job_outbox WHERE dispatched_at < now() - make_interval(days => $1)', [retentionDays]);
    if (!rows[0]?.webhooks) return { refreshTokens, outboxRows: outbox.rowCount ?? 0, webhookDeliveries: null, webhookSecrets: null };
    const deliveries = await this.sql.query('DELETE FROM webhook_deliveries WHERE at < now() - make_interval(days => $1)', [this.options.webhookDeliveryRetentionDays ?? 30]);
    const webhookSecrets = this.options.webhookSecrets ? await resealWebhookSecrets(this.sql, this.options.webhookSecrets) : null;
    return { refreshTokens, outboxRows: outbox.rowCount ?? 0, webhookDeliveries: deliveries.rowCount ?? 0, webhookSecrets };
  }
}
