import { describe, it, expect, afterAll } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { startTestNode, type TestNode } from '../../support/node.js';

/** Per-caller rate limits, shared through Redis, and kept in-process when Redis does not answer. */
describe('rate limits', () => {
  const nodes: TestNode[] = [];
  afterAll(async () => {
    for (const n of nodes) await n.close();
  });

  async function exhaust(t: TestNode, token: string, limit: number) {
    const answers = [];
    for (let i = 0; i < limit + 2; i++) answers.push(await t.gql('{ me { name } }', {}, { token }));
    return answers;
  }

  it('limits each user per minute through Redis (429, RATE_LIMITED, Retry-After); other users are not affected', async () => {
    // A consortium id of its own keeps this suite's counters apart from other suites' in the shared Redis.
    const consortium = `rl-${randomBytes(4).toString('hex')}`;
    const t = await startTestNode({ RATE_LIMIT_PER_MINUTE: '5', CONSORTIUM_ID: consortium });
    nodes.push(t);
    const bank = await t.login('bank-a', 'admin', t.adminPassword('bank-a'));
    const regulator = await t.login('regulator', 'admin', t.adminPassword('regulator'));
    // The logins themselves were anonymous operations, counted per address.
    const answers = await exhaust(t, bank, 5);
    expect(answers.slice(0, 5).every((a) => a.status === 200 && !a.body.errors)).toBe(true);
    const limited = answers[5];
    expect(limited.status).toBe(429);
    expect(limited.body.errors![0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'RATE_LIMITED' });
    expect(limited.body.data).toBeUndefined();
    const raw = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${bank}` }, body: '{"query":"{ me { name } }"}' });
    expect(Number(raw.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await t.gql('{ me { name } }', {}, { token: regulator })).body.errors).toBeUndefined();

    const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      expect((await redis.keys(`*${consortium}*`)).length).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });

  it('keeps limiting, in-process, and keeps answering when Redis does not answer', async () => {
    const t = await startTestNode({ RATE_LIMIT_PER_MINUTE: '5', REDIS_URL: 'redis://127.0.0.1:1' });
    nodes.push(t);
    const token = await t.login('bank-a', 'admin', t.adminPassword('bank-a'));
    const started = Date.now();
    const answers = await exhaust(t, token, 5);
    expect(Date.now() - started).toBeLessThan(5000); // no request waits on the absent Redis
    expect(answers.slice(0, 5).every((a) => a.status === 200 && !a.body.errors)).toBe(true);
    expect(answers[5].status).toBe(429);
    expect(answers[5].body.errors![0].extensions!.code).toBe('RATE_LIMITED');
  });
});
