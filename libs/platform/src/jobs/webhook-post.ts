import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { JobContext } from '../queue/job-handler.js';

export class WebhookDeliveryError extends Error {
  override readonly name = 'WebhookDeliveryError';
  constructor(
    message: string,
    /** The receiver's answer, when it answered (not 2xx). */
    readonly status?: number,
  ) {
    super(message);
  }
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
    throw new WebhookDeliveryError(`${what} ${where} answered ${response.status} (attempt ${options.context.attempt} of ${options.context.maxAttempts})`, response.status);
  }
  return { status: response.status };
}

/**
 * A fetch (as much of it as postWebhook uses) that connects to `address` whatever the URL's host
 * resolves to by then: the URL's host still names the server (Host header, TLS name and
 * certificate check), but the connection goes only where the caller checked. No redirect is followed.
 */
export function pinnedFetch(target: { address: string; family: 4 | 6 }): typeof fetch {
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [target]);
    else callback(null, target.address, target.family);
  };
  const pinned = (input: string | URL | Request, init: RequestInit = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(String(input));
      const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
        url,
        { method: init.method ?? 'GET', headers: init.headers as Record<string, string>, signal: init.signal ?? undefined, lookup, agent: false },
        (res) => {
          res.resume();
          try {
            resolve(new Response(null, { status: res.statusCode ?? 0 }));
          } catch {
            reject(new Error(`answered with status ${res.statusCode}`));
          }
        },
      );
      request.on('error', reject);
      request.end(init.body as string | undefined);
    });
  return pinned as typeof fetch;
}
