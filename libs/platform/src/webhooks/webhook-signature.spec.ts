import { describe, it, expect } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { signWebhookPayload, verifyWebhookSignature } from './webhook-signature.js';

const secret = 'whsec_test-secret';
const body = JSON.stringify({ id: 'evt_1', type: 'evidence.anchored', createdAt: 1_800_000_000_000, data: { evidenceId: 'ab' } });
const t = 1_800_000_000;
const now = t * 1000 + 20_000;

describe('webhook signatures (Stripe scheme: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">)', () => {
  it('signs as the scheme says, and the signature verifies', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    const header = signWebhookPayload(secret, body, t);
    expect(header).toBe(`t=${t},v1=${expected}`);
    expect(verifyWebhookSignature(secret, header, body, 300, now)).toBe(true);
  });

  it('refuses another body (one byte), another secret, or no header', () => {
    const header = signWebhookPayload(secret, body, t);
    expect(verifyWebhookSignature(secret, header, body.replace('ab', 'ac'), 300, now)).toBe(false);
    expect(verifyWebhookSignature('whsec_other', header, body, 300, now)).toBe(false);
    expect(verifyWebhookSignature(secret, undefined, body, 300, now)).toBe(false);
    expect(verifyWebhookSignature(secret, '', body, 300, now)).toBe(false);
  });

  it('refuses a timestamp outside the tolerance (a replayed delivery), either way', () => {
    const header = signWebhookPayload(secret, body, t);
    expect(verifyWebhookSignature(secret, header, body, 10, now)).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, 300, t * 1000 - 301_000)).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, 21, now)).toBe(true);
  });

  it('refuses a signature moved to another timestamp', () => {
    const v1 = signWebhookPayload(secret, body, t).split(',')[1];
    expect(verifyWebhookSignature(secret, `t=${t + 1},${v1}`, body, 300, now)).toBe(false);
  });

  it('signs under several secrets (a rotation): one v1 entry each, the current first; each secret verifies it', () => {
    const header = signWebhookPayload(['whsec_new', 'whsec_old'], body, t);
    expect(header).toBe(`t=${t},v1=${createHmac('sha256', 'whsec_new').update(`${t}.${body}`).digest('hex')},v1=${createHmac('sha256', 'whsec_old').update(`${t}.${body}`).digest('hex')}`);
    expect(verifyWebhookSignature('whsec_new', header, body, 300, now)).toBe(true);
    expect(verifyWebhookSignature('whsec_old', header, body, 300, now)).toBe(true);
    expect(verifyWebhookSignature('whsec_other', header, body, 300, now)).toBe(false);
  });

  it('accepts any matching v1 among several (secret rotation), ignores unknown schemes, refuses malformed headers', () => {
    const good = signWebhookPayload(secret, body, t).split(',')[1];
    const other = signWebhookPayload('whsec_old', body, t).split(',')[1];
    expect(verifyWebhookSignature(secret, `t=${t},${other},v0=abc,${good}`, body, 300, now)).toBe(true);
    expect(verifyWebhookSignature(secret, `t=${t},v0=${good.slice(3)}`, body, 300, now)).toBe(false);
    expect(verifyWebhookSignature(secret, `${good}`, body, 300, now)).toBe(false);
    expect(verifyWebhookSignature(secret, `t=soon,${good}`, body, 300, now)).toBe(false);
    expect(verifyWebhookSignature(secret, `t=${t},v1=${good.slice(3, 40)}`, body, 300, now)).toBe(false);
  });
});
