/**
 * Every job queue of a node, in one enum (Immich's rule): a queue has one payload type, one
 * handler, and settings declared once below. A business module adds its queue here.
 */
export enum QueueName {
  /** POST each new checkpoint to the configured webhook URLs (CHECKPOINT_WEBHOOK_URLS). */
  CHECKPOINT_WEBHOOK = 'checkpoint-webhook',
  /** Scheduled: expired refresh tokens, old dispatched outbox rows. */
  CLEANUP = 'cleanup',
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

/** The payload of each queue's jobs. Plain JSON only: payloads travel through jsonb and Redis. */
export interface JobPayloads {
  [QueueName.CHECKPOINT_WEBHOOK]: CheckpointWebhookPayload;
  [QueueName.CLEANUP]: CleanupPayload;
}

// A queue without a payload type fails to compile here.
const everyQueueHasAPayload: [Exclude<QueueName, keyof JobPayloads>] extends [never] ? true : false = true;
void everyQueueHasAPayload;

export interface QueueSettings {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Exponential backoff: the n-th retry waits backoffMs × 2^(n-1). */
  backoffMs: number;
  /** Jobs of this queue one worker process runs at once. */
  concurrency: number;
  /** Repeat on a schedule (a BullMQ job scheduler, upserted by every worker; BullMQ runs each slot once). */
  schedule?: { every: number } | { pattern: string };
}

export const QUEUE_SETTINGS: Readonly<Record<QueueName, Readonly<QueueSettings>>> = {
  // 10 s, 20 s, … 640 s: about 21 minutes of retries before a delivery is given up (kept as failed).
  [QueueName.CHECKPOINT_WEBHOOK]: { attempts: 8, backoffMs: 10_000, concurrency: 8 },
  [QueueName.CLEANUP]: { attempts: 3, backoffMs: 60_000, concurrency: 1, schedule: { every: 60 * 60_000 } },
};

/** Per-queue changes to QUEUE_SETTINGS (tests shorten backoffs; operators may raise concurrency). */
export type QueueSettingsOverrides = { [Q in QueueName]?: Partial<QueueSettings> };

export function settingsOf(queue: QueueName, overrides?: QueueSettingsOverrides): QueueSettings {
  return { ...QUEUE_SETTINGS[queue], ...overrides?.[queue] };
}

export const QUEUE_NAMES: readonly QueueName[] = Object.values(QueueName);

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
