import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header every event delivery carries: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const WEBHOOK_SIGNATURE_HEADER = 'zizhu-signature';

const hmac = (secret: string, timestamp: number, body: string) => createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');

/**
 * The signature header of `body` sent at `timestamp` (unix seconds), Stripe's scheme: one v1 entry
 * per secret (the current one first, then one rotated out and still in its grace period).
 */
export function signWebhookPayload(secrets: string | readonly string[], body: string, timestamp: number): string {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  return [`t=${timestamp}`, ...list.map((secret) => `v1=${hmac(secret, timestamp, body)}`)].join(',');
}

/**
 * For receivers: true when `header` holds a v1 signature of the exact `body` bytes under `secret`,
 * made at most `toleranceSec` seconds from now (a replayed old delivery fails). Several v1 entries
 * may be present; one match is enough. The comparison takes constant time.
 */
export function verifyWebhookSignature(secret: string, header: string | undefined, body: string, toleranceSec = 300, now: number = Date.now()): boolean {
  if (!header) return false;
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) candidates.push(value);
  }
  if (timestamp === undefined || candidates.length === 0) return false;
  if (Math.abs(now / 1000 - timestamp) > toleranceSec) return false;
  const expected = Buffer.from(hmac(secret, timestamp, body), 'hex');
  return candidates.some((c) => timingSafeEqual(Buffer.from(c, 'hex'), expected));
}
