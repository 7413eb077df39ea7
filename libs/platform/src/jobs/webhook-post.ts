import type { JobContext } from '../queue/job-handler.js';

export class WebhookDeliveryError extends Error {
  override readonly name = 'WebhookDeliveryError';
}

/**
 * POSTs a JSON body to a webhook receiver: a 2xx answer resolves with its status; anything else (another
 * status, a timeout, a refused connection, a redirect, which is not followed) throws WebhookDeliveryError,
 * which fails the job's attempt so that BullMQ retries it with backoff. `what` names the webhook in errors.
 */
export async function postWebhook(
  what: string,
  url: string,
  body: string,
  headers: Record<string, string>,
  options: { fetch: typeof fetch; timeoutMs: number; context: JobContext },
): Promise<{ status: number }> {
  // Only the origin in errors: webhook URLs often carry a token in their path or query.
  const where = new URL(url).origin;
  let response: Response;
  try {
    response = await options.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'zizhu-node', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (e) {
    throw new WebhookDeliveryError(`${what} ${where}: ${(e as Error).message}`);
  }
  await response.body?.cancel().catch(() => {});
  if (response.status < 200 || response.status > 299) {
    throw new WebhookDeliveryError(`${what} ${where} answered ${response.status} (attempt ${options.context.attempt} of ${options.context.maxAttempts})`);
  }
  return { status: response.status };
}
