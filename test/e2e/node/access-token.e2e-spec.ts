import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { startTestNode, type TestNode } from '../../support/node.js';

/**
 * Access tokens are checked once and then remembered (an EdDSA verification per request would cost
 * more than the request): what is remembered must never outlive the token, and a token that was
 * never valid must never ride on one that was.
 */
describe('access tokens', () => {
  let t: TestNode;
  let now = Date.now();

  beforeAll(async () => {
    t = await startTestNode({ ACCESS_TOKEN_TTL_SECONDS: '900' }, { clock: () => now });
  });
  afterAll(async () => {
    await t?.close();
  });

  const me = (token: string) => t.gql<{ me: { organization: string } }>('{ me { organization } }', {}, { token });
  const code = (r: Awaited<ReturnType<typeof me>>) => `${r.body.errors?.[0]?.extensions?.code}/${r.body.errors?.[0]?.extensions?.reason}`;

  it('a remembered token still expires on time, and a tampered one is refused', async () => {
    const session = await t.gql<{ login: { accessToken: string; refreshToken: string } }>(
      'mutation($i: LoginInput!) { login(input: $i) { accessToken refreshToken } }',
      { i: { organization: 'bank-a', username: 'admin', password: t.adminPassword('bank-a') } },
    );
    const { accessToken, refreshToken } = session.body.data!.login;
    for (let i = 0; i < 3; i++) expect((await me(accessToken)).body.data?.me.organization).toBe('bank-a');

    // The same token with its signature changed in one place, after the genuine one is remembered.
    const [h, p, sig] = accessToken.split('.');
    const flipped = `${h}.${p}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    expect(code(await me(flipped))).toBe('UNAUTHENTICATED/INVALID_TOKEN');
    // Same signature, other claims.
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, org: 'regulator' })).toString('base64url')}.${sig}`;
    expect(code(await me(forged))).toBe('UNAUTHENTICATED/INVALID_TOKEN');

    // Just before expiry it works; at expiry it is refused, every time.
    now += 899_000;
    expect((await me(accessToken)).body.data?.me.organization).toBe('bank-a');
    now += 1_000;
    for (let i = 0; i < 2; i++) {
      const r = await me(accessToken);
      expect(r.body.data?.me ?? null).toBeNull();
      expect(code(r)).toBe('UNAUTHENTICATED/TOKEN_EXPIRED');
    }

    // The refresh token still gives a new one.
    const refreshed = await t.gql<{ refreshToken: { accessToken: string } }>('mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken } }', { r: refreshToken });
    expect((await me(refreshed.body.data!.refreshToken.accessToken)).body.data?.me.organization).toBe('bank-a');
  });
});
