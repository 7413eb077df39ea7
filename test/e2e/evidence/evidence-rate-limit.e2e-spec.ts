import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { startTestNode, type TestNode } from '../../support/node.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const VERIFY = 'query($d: EvidenceDigestInput!) { verifyEvidence(digest: $d) { found } }';

interface HttpAnswer {
  status: number;
  retryAfter: string | null;
  code?: string;
  reason?: string;
}

async function answer(res: Response): Promise<HttpAnswer> {
  const body = (await res.json()) as { errors?: { extensions?: { code?: string; reason?: string } }[] };
  return { status: res.status, retryAfter: res.headers.get('retry-after'), code: body.errors?.[0]?.extensions?.code, reason: body.errors?.[0]?.extensions?.reason };
}

/**
 * The public evidence routes are rate-limited like GraphQL, in the same budgets shared through
 * Redis: anonymous callers per address (PUBLIC_RATE_LIMIT_PER_MINUTE), signed-in callers per user
 * (RATE_LIMIT_PER_MINUTE), GraphQL operations and HTTP requests together.
 */
describe('evidence: rate limits on the public HTTP routes', () => {
  let t: TestNode;
  let token: string;
  let doc: Buffer;
  let id: string;

  beforeAll(async () => {
    // A consortium id of its own keeps these counters apart from other suites' in the shared Redis.
    t = await startTestNode({ PUBLIC_RATE_LIMIT_PER_MINUTE: '4', RATE_LIMIT_PER_MINUTE: '6', CONSORTIUM_ID: `rl-${randomBytes(4).toString('hex')}` });
    token = await t.login('issuer-a', 'admin', t.adminPassword('issuer-a')); // anonymous operation 1
    doc = Buffer.from(`receipt ${randomBytes(8).toString('hex')}`);
    const r = await t.gql<{ anchorEvidence: { id: string } }>(
      'mutation($i: AnchorEvidenceInput!) { anchorEvidence(input: $i) { id } }',
      { i: { digest: { value: sha256(doc) }, type: 'RECEIPT', holder: 'platform-a' } },
      { token },
    ); // issuer-a's operation 1
    id = r.body.data!.anchorEvidence.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('anonymous callers: GET /evidence/verify answers 429, RATE_LIMITED and Retry-After past the budget; POST and GraphQL verify share it', async () => {
    const get = () => fetch(`${t.url}/evidence/verify?alg=sha256&digest=${sha256(doc)}`);
    for (let i = 0; i < 2; i++) expect((await get()).status).toBe(200); // anonymous 2, 3
    const graphql = await t.gql<{ verifyEvidence: { found: boolean } }>(VERIFY, { d: { value: sha256(doc) } }); // anonymous 4
    expect(graphql.body.data?.verifyEvidence.found).toBe(true);

    const limited = await answer(await get());
    expect(limited).toEqual({ status: 429, retryAfter: expect.stringMatching(/^[1-9][0-9]*$/), code: 'RATE_LIMITED', reason: 'RATE_LIMITED' });

    const boundary = `zizhu${randomBytes(8).toString('hex')}`;
    const form = Buffer.concat([Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="r.txt"\r\n\r\n`), doc, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const posted = await answer(await fetch(`${t.url}/evidence/verify`, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: form }));
    expect(posted).toMatchObject({ status: 429, code: 'RATE_LIMITED' });

    const viaGraphql = await t.gql(VERIFY, { d: { value: sha256(doc) } });
    expect(viaGraphql.status).toBe(429);
    expect(viaGraphql.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'RATE_LIMITED' });
  });

  it('a signed-in caller is counted in its own budget, HTTP routes and GraphQL operations together', async () => {
    const auth = { authorization: `Bearer ${token}` };
    // Not limited by the spent anonymous budget of its address.
    expect((await t.gql<{ verifyEvidence: { found: boolean } }>(VERIFY, { d: { value: sha256(doc) } }, { token })).body.data?.verifyEvidence.found).toBe(true); // 2
    expect((await fetch(`${t.url}/evidence/verify?digest=${sha256(doc)}`, { headers: auth })).status).toBe(200); // 3: a public route, counted as the caller
    for (let n = 4; n <= 6; n++) expect((await fetch(`${t.url}/evidence/records/${id}/certificate`, { headers: auth })).status).toBe(200);
    const limited = await answer(await fetch(`${t.url}/evidence/records/${id}/certificate`, { headers: auth }));
    expect(limited).toEqual({ status: 429, retryAfter: expect.stringMatching(/^[1-9][0-9]*$/), code: 'RATE_LIMITED', reason: 'RATE_LIMITED' });
    const graphql = await t.gql('{ me { name } }', {}, { token });
    expect(graphql.status).toBe(429);
    expect(graphql.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });
});
