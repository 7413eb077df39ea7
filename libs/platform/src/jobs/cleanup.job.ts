import type { SqlClient } from '@zizhu/chain';
import type { JobHandler } from '../queue/job-handler.js';
import { QueueName } from '../queue/queue.types.js';

export interface CleanupOptions {
  /** Dispatched outbox rows are kept this long (their job ids dedupe re-enqueues meanwhile). Default 7. */
  outboxRetentionDays?: number;
  /** Expired refresh tokens are kept this long after expiry (to tell "expired" from "unknown"). Default 1. */
  refreshTokenGraceDays?: number;
}

export interface CleanupResult {
  /** Refresh tokens deleted; null while the refresh_tokens table does not exist yet. */
  refreshTokens: number | null;
  outboxRows: number;
}

/**
 * The scheduled clean-up (hourly, QUEUE_SETTINGS): expired refresh tokens and old dispatched
 * outbox rows. Nonce windows need no job: the chain engine keeps them in memory, drops buckets
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
    // The table belongs to the identity module, whose migration may not have run yet.
    const { rows } = await this.sql.query<{ present: boolean }>("SELECT to_regclass('refresh_tokens') IS NOT NULL AS present");
    const refreshTokens = rows[0]?.present
      ? ((await this.sql.query("DELETE FROM refresh_tokens WHERE expires_at < now() - make_interval(days => $1)", [graceDays])).rowCount ?? 0)
      : null;
    const outbox = await this.sql.query('DELETE FROM job_outbox WHERE dispatched_at < now() - make_interval(days => $1)', [retentionDays]);
    return { refreshTokens, outboxRows: outbox.rowCount ?? 0 };
  }
}
