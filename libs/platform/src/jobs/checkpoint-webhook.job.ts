import type { Projection } from '@zizhu/chain';
import { sha256Hex } from '@zizhu/crypto';
import type { JobContext, JobHandler } from '../queue/job-handler.js';
import { jobId } from '../queue/job-id.js';
import { enqueueManyInTransaction } from '../queue/outbox.js';
import { QueueName, type CheckpointWebhookPayload } from '../queue/queue.types.js';
import { postWebhook } from './webhook-post.js';

/** One delivery per (channel, height, URL): enqueueing the same block again is a no-op. */
export function checkpointDeliveryId(channel: string, height: number, url: string): string {
  return jobId('checkpoint', channel, height, sha256Hex(url).slice(0, 16));
}

/**
 * A chain projection enqueueing one webhook delivery per committed block and URL inside the
 * block's own commit transaction: a block that commits has its deliveries, one that does not
 * has none. The job_outbox table must exist before the chain commits a block (the migrations).
 */
export function checkpointWebhookProjection(urls: readonly string[], options: { channels?: readonly string[] } = {}): Projection {
  return async (block, sql) => {
    if (urls.length === 0 || (options.channels && !options.channels.includes(block.channel))) return;
    const { height, treeSize } = block.header;
    await enqueueManyInTransaction(
      sql,
      QueueName.CHECKPOINT_WEBHOOK,
      urls.map((url) => ({
        jobId: checkpointDeliveryId(block.channel, height, url),
        payload: { url, channel: block.channel, height, treeSize, checkpoint: block.checkpoint },
      })),
    );
  };
}

export interface CheckpointWebhookOptions {
  /** Per attempt. Default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * POSTs `{ channel, height, treeSize, checkpoint }` as JSON with `x-zizhu-delivery: <job id>` (the
 * same on every retry, so a receiver can drop a repeat). A 2xx answer is a delivery; anything
 * else (another status, a timeout, a refused connection) fails the attempt and BullMQ retries it
 * with exponential backoff.
 */
export class CheckpointWebhookJob implements JobHandler<QueueName.CHECKPOINT_WEBHOOK> {
  readonly queue = QueueName.CHECKPOINT_WEBHOOK;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(options: CheckpointWebhookOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetch = options.fetch ?? fetch;
  }

  handle(payload: CheckpointWebhookPayload, context: JobContext): Promise<{ status: number }> {
    const { url, channel, height, treeSize, checkpoint } = payload;
    return postWebhook('checkpoint webhook', url, JSON.stringify({ channel, height, treeSize, checkpoint }), { 'x-zizhu-delivery': context.jobId }, { fetch: this.fetch, timeoutMs: this.timeoutMs, context });
  }
}
