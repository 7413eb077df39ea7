import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { TEST_CLOCK_PATH } from '@zizhu/node';
import { ConfigError, loadConfig } from '@zizhu/platform';
import { startTestNode, type TestNode } from '../../support/node.js';

const TOKEN = 'test-clock-token-0123456789abcdef0123';
const DAY = 86_400_000;

/**
 * ZIZHU_TEST_CLOCK_TOKEN (tests and benchmarks of a node in its own process): the node's clock moves
 * forward over HTTP, with the token; never in production.
 */
describe('the controlled clock of a test node (ZIZHU_TEST_CLOCK_TOKEN)', () => {
  let t: TestNode;
  const clock = (init: RequestInit = {}, token = TOKEN) =>
    fetch(`${t.url}${TEST_CLOCK_PATH}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });

  beforeAll(async () => {
    t = await startTestNode({ ZIZHU_TEST_CLOCK_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is refused in production, and needs a token of 32 characters or more', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', ZIZHU_KEYSTORE_PASSPHRASE: 'a long production passphrase', ZIZHU_TEST_CLOCK_TOKEN: TOKEN })).toThrow(ConfigError);
    try {
      loadConfig({ NODE_ENV: 'production', ZIZHU_KEYSTORE_PASSPHRASE: 'a long production passphrase', ZIZHU_TEST_CLOCK_TOKEN: TOKEN });
    } catch (e) {
      expect((e as ConfigError).variable).toBe('ZIZHU_TEST_CLOCK_TOKEN');
      expect((e as ConfigError).message).not.toContain(TOKEN);
    }
    expect(() => loadConfig({ ZIZHU_TEST_CLOCK_TOKEN: 'short' })).toThrow(/ZIZHU_TEST_CLOCK_TOKEN/);
  });

  it('answers 401 without the token, 400 for a step back, and moves forward with it: blocks and sessions follow', async () => {
    expect((await clock({}, 'not the token at all, but just as long')).status).toBe(401);
    expect((await fetch(`${t.url}${TEST_CLOCK_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"advanceMs":1}' })).status).toBe(401);
    expect((await clock({ method: 'POST', body: JSON.stringify({ advanceMs: -1 }) })).status).toBe(400);
    const before = (await (await clock()).json()) as { now: number; offsetMs: number };
    expect(before.offsetMs).toBe(0);
    expect(Math.abs(before.now - Date.now())).toBeLessThan(5_000);

    const token = await t.login('bank-a', 'admin', t.adminPassword('bank-a'));
    const moved = (await (await clock({ method: 'POST', body: JSON.stringify({ advanceMs: 30 * DAY }) })).json()) as { now: number; offsetMs: number };
    expect(moved.offsetMs).toBe(30 * DAY);
    expect(moved.now - Date.now()).toBeGreaterThan(30 * DAY - 5_000);
    // The access token issued a month ago has expired on the node's clock.
    const expired = await t.gql('{ me { organization } }', undefined, { token });
    expect(expired.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // A block committed now carries the node's time.
    const fresh = await t.login('bank-a', 'admin', t.adminPassword('bank-a'));
    const r = await t.gql<{ registerLendingPlatform: { registeredAt: string } }>(
      'mutation($i: RegisterLendingPlatformInput!) { registerLendingPlatform(input: $i) { registeredAt } }',
      { i: { org: 'platform-a', registrationNo: '91110000PLATFORMA', name: 'Platform A', filingStatus: 'FILED', custodyAgreementRef: 'CUST-A' } },
      { token: fresh },
    );
    expect(r.body.errors).toBeUndefined();
    expect(new Date(r.body.data!.registerLendingPlatform.registeredAt).getTime()).toBeGreaterThanOrEqual(moved.now);
  });
});
