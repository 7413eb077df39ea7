/**
 * Every job queue of a node, in one enum (Immich's rule): a queue has one payload type, one
 * handler, and settings declared once below. A business module adds its queue here.
 */
export enum QueueName {
  /** POST each new checkpoint to the configured webhook URLs (CHECKPOINT_WEBHOOK_URLS). */
  CHECKPOINT_WEBHOOK = 'checkpoint-webhook',
  /** Scheduled: expired refresh tokens, old dispatched outbox rows. */
  CLEANUP = 'cleanup',
  /** POST one business event (evidence.anchored, …) to one organisation's webhook endpoint, signed with its secret. */
  EVENT_WEBHOOK = 'event-webhook',
  /** Committer: submit `expireEnvelope` for an evidence signing envelope when its expiry has passed (a delayed job). */
  EVIDENCE_ENVELOPE_EXPIRY = 'evidence-envelope-expiry',
  /** Committer, scheduled: submit `markOverdue` for lending instalments unpaid past their due date plus the grace days. */
  LENDING_OVERDUE = 'lending-overdue',
  /** Scheduled, daily: reconcile each custodian bank's custody totals on chain with the totals it reported for the day. */
  LENDING_RECONCILIATION = 'lending-reconciliation',
}

export interface CheckpointWebhookPayload {
  url: string;
  channel: string;
  height: number;
  treeSize: number;
  /** The C2SP signed note text. */
  checkpoint: string;
}

/** Scheduled jobs carry nothing: what to clean is decided when the job runs. */
export type CleanupPayload = Record<string, never>;

/**
 * One event for one endpoint. Never the endpoint's URL or secret: both are read from PostgreSQL
 * when the job runs (a deleted endpoint's deliveries are dropped), so Redis holds no secret.
 */
export interface EventWebhookPayload {
  endpointId: string;
  event: {
    id: string;
    type: string;
    /** ms since the epoch (the block time for ledger events). */
    createdAt: number;
    data: { [key: string]: string | number | boolean | null };
  };
}

export interface EnvelopeExpiryPayload {
  envelopeId: string;
  /** ms since the epoch; the job is delayed until just after it. */
  expiresAt: number;
}

/** The payload of each queue's jobs. Plain JSON only: payloads travel through jsonb and Redis. */
export interface JobPayloads {
  [QueueName.CHECKPOINT_WEBHOOK]: CheckpointWebhookPayload;
  [QueueName.CLEANUP]: CleanupPayload;
  [QueueName.EVENT_WEBHOOK]: EventWebhookPayload;
  [QueueName.EVIDENCE_ENVELOPE_EXPIRY]: EnvelopeExpiryPayload;
  [QueueName.LENDING_OVERDUE]: Record<string, never>;
  [QueueName.LENDING_RECONCILIATION]: Record<string, never>;
}

// A queue without a payload type fails to compile here.
const everyQueueHasAPayload: [Exclude<QueueName, keyof JobPayloads>] extends [never] ? true : false = true;
void everyQueueHasAPayload;

/**
 * Who runs a queue's jobs: `worker` processes (roles `all` and `worker`; no chain, no keystore), or
 * the process that commits the ledger (roles `all` and `api`, while it commits), for jobs that submit
 * transactions signed with the node's keys.
 */
export type QueueConsumer = 'worker' | 'committer';

export interface QueueSettings {
  /** Default `worker`. */
  consumer?: QueueConsumer;
  /** Attempts in all, the first included. */
  attempts: number;
  /** Exponential backoff: the n-th retry waits backoffMs × 2^(n-1). */
  backoffMs: number;
  /** Jobs of this queue one worker process runs at once. */
  concurrency: number;
  /** Repeat on a schedule (a BullMQ job scheduler, upserted by every worker; BullMQ runs each slot once). */
  schedule?: { every: number } | { pattern: string; /** IANA time zone of the cron pattern (default: the process's). */ tz?: string };
}

export const QUEUE_SETTINGS: Readonly<Record<QueueName, Readonly<QueueSettings>>> = {
  // 10 s, 20 s, … 640 s: about 21 minutes of retries before a delivery is given up (kept as failed).
  [QueueName.CHECKPOINT_WEBHOOK]: { attempts: 8, backoffMs: 10_000, concurrency: 8 },
  [QueueName.CLEANUP]: { attempts: 3, backoffMs: 60_000, concurrency: 1, schedule: { every: 60 * 60_000 } },
  // As checkpoint webhooks: about 21 minutes of retries, then kept as failed.
  [QueueName.EVENT_WEBHOOK]: { attempts: 8, backoffMs: 10_000, concurrency: 8 },
  // 1 s, 2 s, … 256 s: a job that ran a little before the block time passed the expiry tries again.
  [QueueName.EVIDENCE_ENVELOPE_EXPIRY]: { consumer: 'committer', attempts: 10, backoffMs: 1_000, concurrency: 4 },
  // Every 15 minutes; an instalment is marked within a quarter of an hour of its grace period's end.
  [QueueName.LENDING_OVERDUE]: { consumer: 'committer', attempts: 3, backoffMs: 60_000, concurrency: 1, schedule: { every: 15 * 60_000 } },
  // Daily at 00:30 China Standard Time, once the previous business day is closed.
  [QueueName.LENDING_RECONCILIATION]: { attempts: 5, backoffMs: 60_000, concurrency: 1, schedule: { pattern: '30 0 * * *', tz: 'Asia/Shanghai' } },
};

/** Per-queue changes to QUEUE_SETTINGS (tests shorten backoffs; operators may raise concurrency). */
export type QueueSettingsOverrides = { [Q in QueueName]?: Partial<QueueSettings> };

export function settingsOf(queue: QueueName, overrides?: QueueSettingsOverrides): QueueSettings {
  return { ...QUEUE_SETTINGS[queue], ...overrides?.[queue] };
}

export const QUEUE_NAMES: readonly QueueName[] = Object.values(QueueName);

/** The queues one kind of consumer runs (the registry of that consumer checks exactly these). */
export function queuesConsumedBy(consumer: QueueConsumer): QueueName[] {
  return QUEUE_NAMES.filter((q) => (QUEUE_SETTINGS[q].consumer ?? 'worker') === consumer);
}

/** Where the queues live: a Redis URL and the key prefix of this deployment (or test run). */
export interface QueueConnection {
  url: string;
  /** BullMQ key prefix (default `zizhu`); tests use a unique one per run. */
  prefix?: string;
}

export const DEFAULT_QUEUE_PREFIX = 'zizhu';

/** Structured log lines from the queue machinery; the node passes its JSON logger. */
export interface QueueLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** The default: warnings and errors as JSON lines on stderr. */
export const stderrQueueLogger: QueueLogger = {
  info: () => {},
  warn: (message, fields) => process.stderr.write(JSON.stringify({ level: 'warn', time: new Date().toISOString(), msg: message, ...fields }) + '\n'),
  error: (message, fields) => process.stderr.write(JSON.stringify({ level: 'error', time: new Date().toISOString(), msg: message, ...fields }) + '\n'),
};
