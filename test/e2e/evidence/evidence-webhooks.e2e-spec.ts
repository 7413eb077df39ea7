import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { QueueName, verifyWebhookSignature } from '@zizhu/platform';
import { sleep, waitFor } from '../../../libs/platform/src/embedded/local-process.js';
import { startTestNode, type GraphQLResponse, type TestNode } from '../../support/node.js';

interface Delivery {
  receiver: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

interface EventBody {
  id: string;
  type: string;
  createdAt: number;
  data: { evidenceId: string; action: string; seq: number; height: number; tx: string; actorOrg: string; at: number; envelopeId: string | null };
}

const CREATE = 'mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { secret endpoint { id organization url events description createdAt } } }';
const sha256 = (b: string) => createHash('sha256').update(b).digest('hex');

/**
 * Event webhooks end to end: organisations' admins register endpoints over GraphQL, the evidence
 * module's projection enqueues an event per timeline entry to the record's parties in the block's
 * commit, and the node delivers each one signed. issuer-a issues, platform-a holds, bank-a signs,
 * hospital-a is no party.
 */
describe('evidence: event webhooks to the parties of a record, signed, retried', () => {
  let t: TestNode;
  let server: Server;
  let base: string;
  const deliveries: Delivery[] = [];
  /** Answers 500 to the first attempt of each delivery to this receiver. */
  const failFirst = new Set(['platform']);
  /** Answers 500 to every attempt to this receiver. */
  const failAlways = new Set(['broken']);
  const attempts = new Map<string, number>();
  const tok: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  const endpoints: Record<string, string> = {};
  const gql = <T>(org: string, query: string, variables?: Record<string, unknown>) => t.gql<T>(query, variables, { token: tok[org] });
  const data = <T>(r: GraphQLResponse<T>): T => {
    expect(r.body.errors).toBeUndefined();
    return r.body.data!;
  };
  /** One query on the node's database. */
  const sql = async <R extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<R[]> => {
    const client = new pg.Client({ connectionString: t.db.url });
    await client.connect();
    try {
      return (await client.query<R>(text, params)).rows;
    } finally {
      await client.end();
    }
  };
  const to = (receiver: string) => deliveries.filter((d) => d.receiver === receiver);
  const events = (receiver: string, status = 204) => to(receiver).filter((d) => d.status === status).map((d) => JSON.parse(d.body) as EventBody);
  const anchor = async (holder = 'platform-a') =>
    data(
      await gql<{ anchorEvidence: { id: string; tx: string; height: number } }>('issuer-a', 'mutation($i: AnchorEvidenceInput!) { anchorEvidence(input: $i) { id tx height } }', {
        i: { digest: { value: sha256(randomBytes(16).toString('hex')) }, type: 'E_CONTRACT', holder, holderIdentity: 'Zhang San', title: 'secret title', amount: '99000' },
      }),
    ).anchorEvidence;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const receiver = (req.url ?? '').split('?')[0].slice(1);
        const key = `${receiver}/${String(req.headers['zizhu-delivery-id'])}`;
        const n = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, n);
        const status = failAlways.has(receiver) || (failFirst.has(receiver) && n === 1) ? 500 : 204;
        deliveries.push({ receiver, headers: req.headers, body, status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Retries after 100 ms, 200 ms, … instead of 10 s, 20 s, …; the local receiver allowed by name
    // (http and 127.0.0.1 are refused by default); an endpoint disabled after 3 failures in a row.
    t = await startTestNode(
      { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_DISABLE_AFTER_FAILURES: '3' },
      { queueSettings: { [QueueName.EVENT_WEBHOOK]: { backoffMs: 100 } } },
    );
    for (const org of ['issuer-a', 'platform-a', 'bank-a', 'hospital-a']) tok[org] = await t.login(org, 'admin', t.adminPassword(org));
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it("an admin registers endpoints for its organisation: the secret is answered once; each organisation lists only its own; bad URLs and filters are refused", async () => {
    const register = async (org: string, receiver: string, eventTypes: string[]) => {
      const created = data(await gql<{ createWebhookEndpoint: { secret: string; endpoint: { id: string; organization: string; url: string; events: string[]; description: string } } }>(org, CREATE, {
        i: { url: `${base}/${receiver}?token=abc`, events: eventTypes, description: `${receiver} systems` },
      })).createWebhookEndpoint;
      expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      expect(created.endpoint).toMatchObject({ id: expect.stringMatching(/^we_[0-9a-f]{16}$/), organization: org, url: `${base}/${receiver}?token=abc`, events: eventTypes, description: `${receiver} systems` });
      secrets[receiver] = created.secret;
      endpoints[receiver] = created.endpoint.id;
    };
    await register('issuer-a', 'issuer', ['evidence.*']);
    await register('platform-a', 'platform', ['evidence.anchored']);
    await register('bank-a', 'bank', ['evidence.signed', 'evidence.envelope.completed']);
    await register('hospital-a', 'hospital', ['*']);

    // At rest the secrets are sealed (AES-256-GCM under the node's development key here), never in clear.
    const stored = await sql<{ id: string; secret_sealed: string }>('SELECT id, secret_sealed FROM webhook_endpoints');
    expect(stored.length).toBe(4);
    for (const row of stored) expect(row.secret_sealed).toMatch(/^v1\.dev\./);
    expect(JSON.stringify(stored)).not.toMatch(new RegExp(Object.values(secrets).map((x) => x.slice(6)).join('|')));

    const listed = data(await gql<{ webhookEndpoints: { edges: { node: { id: string; organization: string } }[] } }>('issuer-a', '{ webhookEndpoints(first: 10) { edges { node { id organization } } } }')).webhookEndpoints;
    expect(listed.edges.map((e) => e.node)).toEqual([{ id: endpoints.issuer, organization: 'issuer-a' }]);
    // No field of the schema's WebhookEndpoint type holds the secret.
    const secretField = await gql('issuer-a', '{ webhookEndpoints(first: 10) { edges { node { secret } } } }');
    expect(secretField.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'GRAPHQL_VALIDATION_FAILED' });

    for (const [url, eventTypes] of [
      ['ftp://127.0.0.1/x', ['evidence.*']],
      ['not a url', ['evidence.*']],
      [`http://user:pass@127.0.0.1:1/x`, ['evidence.*']],
      [`https://receiver.example/${'x'.repeat(2048)}`, ['evidence.*']],
      [`${base}/x`, ['Evidence.Anchored']],
      [`${base}/x`, ['evidence.an*']],
      [`${base}/x`, []],
    ] as const) {
      const r = await gql('issuer-a', CREATE, { i: { url, events: eventTypes } });
      expect({ url: url.slice(0, 40), eventTypes, code: r.body.errors?.[0]?.extensions?.code }).toEqual({ url: url.slice(0, 40), eventTypes, code: 'BAD_USER_INPUT' });
    }

    // Server-side request forgery: only 127.0.0.1 is allowed here (WEBHOOK_ALLOWED_HOSTS); every other
    // non-public address, and a name for one, is refused with a reason and no stack trace.
    for (const [url, reason] of [
      ['http://localhost:8080/x', 'HOST_NOT_ALLOWED'],
      ['http://127.0.0.2:8080/x', 'HOST_NOT_ALLOWED'],
      ['http://[::1]:8080/x', 'HOST_NOT_ALLOWED'],
      ['http://0.0.0.0/x', 'HOST_NOT_ALLOWED'],
      ['http://10.1.2.3/x', 'HOST_NOT_ALLOWED'],
      ['http://172.16.0.1/x', 'HOST_NOT_ALLOWED'],
      ['http://192.168.1.1/x', 'HOST_NOT_ALLOWED'],
      ['http://169.254.169.254/latest/meta-data/', 'HOST_NOT_ALLOWED'],
      ['http://100.64.0.1/x', 'HOST_NOT_ALLOWED'],
      ['http://[fd00::1]/x', 'HOST_NOT_ALLOWED'],
      ['http://[::ffff:10.0.0.1]/x', 'HOST_NOT_ALLOWED'],
      ['http://224.0.0.1/x', 'HOST_NOT_ALLOWED'],
      ['http://2130706434/x', 'HOST_NOT_ALLOWED'],
      ['gopher://127.0.0.1/x', 'URL_SCHEME_NOT_ALLOWED'],
      ['file:///etc/passwd', 'URL_SCHEME_NOT_ALLOWED'],
      [`http://user:pass@127.0.0.1:1/x`, 'URL_HAS_CREDENTIALS'],
    ] as const) {
      const r = await gql('issuer-a', CREATE, { i: { url, events: ['evidence.*'] } });
      const error = r.body.errors?.[0];
      expect({ url, code: error?.extensions?.code, reason: error?.extensions?.reason }).toEqual({ url, code: 'BAD_USER_INPUT', reason });
      expect(JSON.stringify(r.body)).not.toMatch(/stacktrace|\\n\s+at /);
    }
  });

  it('anchoring sends evidence.anchored, signed, to the issuer and the holder (a 500 retried with the same ids), never to another organisation, with no sealed metadata', async () => {
    const record = await anchor();
    const delivered = await waitFor(() => {
      const issuer = events('issuer').find((e) => e.data.evidenceId === record.id);
      const platform = events('platform').find((e) => e.data.evidenceId === record.id);
      return issuer && platform ? { issuer, platform } : undefined;
    }, 20_000);
    expect(delivered).toBeDefined();
    const { issuer, platform } = delivered!;
    expect(issuer).toEqual({
      id: expect.stringMatching(/^evt_[0-9a-f]{32}$/),
      type: 'evidence.anchored',
      createdAt: issuer.data.at,
      data: { evidenceId: record.id, action: 'ANCHORED', seq: 1, channel: 'evidence', height: record.height, tx: record.tx, actorOrg: 'issuer-a', at: expect.any(Number), envelopeId: null },
    });
    // One event, one id, to every party.
    expect(platform).toEqual(issuer);

    for (const d of [...to('issuer'), ...to('platform')].filter((x) => (JSON.parse(x.body) as EventBody).data.evidenceId === record.id)) {
      const receiver = d.receiver;
      expect(d.headers['content-type']).toBe('application/json');
      expect(d.headers['zizhu-event-id']).toBe(issuer.id);
      expect(d.headers['zizhu-delivery-id']).toBe(`event:${issuer.id}:${endpoints[receiver]}`);
      expect(verifyWebhookSignature(secrets[receiver], String(d.headers['zizhu-signature']), d.body, 300)).toBe(true);
      // The other organisation's secret does not verify it.
      expect(verifyWebhookSignature(secrets[receiver === 'issuer' ? 'platform' : 'issuer'], String(d.headers['zizhu-signature']), d.body, 300)).toBe(false);
      expect(d.body).not.toMatch(/Zhang San|secret title|99000|protected|ciphertext/);
    }
    // The holder's receiver failed the first attempt; the retry came with the same delivery id and body.
    const toPlatform = to('platform').filter((d) => (JSON.parse(d.body) as EventBody).data.evidenceId === record.id);
    expect(toPlatform.map((d) => d.status)).toEqual([500, 204]);
    expect(toPlatform[0].headers['zizhu-delivery-id']).toBe(toPlatform[1].headers['zizhu-delivery-id']);
    expect(toPlatform[0].body).toBe(toPlatform[1].body);
  });

  it('signing sends each timeline entry to the parties whose filter names it: the signer (a party now) gets evidence.signed and evidence.envelope.completed; hospital-a gets nothing', async () => {
    const record = await anchor();
    const envelope = data(
      await gql<{ createSigningEnvelope: { id: string } }>('issuer-a', 'mutation($i: CreateSigningEnvelopeInput!) { createSigningEnvelope(input: $i) { id } }', {
        i: { evidenceId: record.id, expiresAt: Date.now() + 3_600_000, recipients: [{ organization: 'bank-a', username: 'admin', routingOrder: 1 }] },
      }),
    ).createSigningEnvelope;
    expect(data(await gql<{ signEnvelope: { status: string } }>('bank-a', 'mutation($e: String!) { signEnvelope(envelopeId: $e) { status } }', { e: envelope.id })).signEnvelope.status).toBe('COMPLETED');

    const ofRecord = (receiver: string) => events(receiver).filter((e) => e.data.evidenceId === record.id);
    const expectedAtIssuer = ['evidence.anchored', 'evidence.envelope.created', 'evidence.envelope.sent', 'evidence.signed', 'evidence.envelope.completed'];
    expect(await waitFor(() => (ofRecord('issuer').length >= expectedAtIssuer.length && ofRecord('bank').length >= 2 ? true : undefined), 20_000)).toBe(true);
    await sleep(500);
    expect(ofRecord('issuer').sort((a, b) => a.data.seq - b.data.seq).map((e) => e.type)).toEqual(expectedAtIssuer);
    const atBank = ofRecord('bank').sort((a, b) => a.data.seq - b.data.seq);
    expect(atBank.map((e) => [e.type, e.data.actorOrg, e.data.envelopeId])).toEqual([
      ['evidence.signed', 'bank-a', envelope.id],
      ['evidence.envelope.completed', 'bank-a', envelope.id],
    ]);
    for (const d of to('bank')) expect(verifyWebhookSignature(secrets.bank, String(d.headers['zizhu-signature']), d.body, 300)).toBe(true);
    // platform-a (the holder) subscribed to evidence.anchored only.
    expect(ofRecord('platform').map((e) => e.type)).toEqual(['evidence.anchored']);
    expect(to('hospital')).toEqual([]);
  });

  const DELIVERIES = 'query($e: ID!, $first: Int, $after: String) { webhookDeliveries(endpointId: $e, first: $first, after: $after) { edges { cursor node { id endpointId eventId deliveryId attempt status error durationMs at } } pageInfo { hasNextPage endCursor } } }';
  interface DeliveryNode {
    id: string;
    endpointId: string;
    eventId: string;
    deliveryId: string;
    attempt: number;
    status: number | null;
    error: string | null;
    durationMs: number;
    at: string;
  }
  type Deliveries = { webhookDeliveries: { edges: { cursor: string; node: DeliveryNode }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
  const ENDPOINT_FIELDS = 'id enabled disabledAt disabledReason consecutiveFailures previousSecretExpiresAt';
  interface EndpointState {
    id: string;
    enabled: boolean;
    disabledAt: string | null;
    disabledReason: string | null;
    consecutiveFailures: number;
    previousSecretExpiresAt: string | null;
  }
  const endpointOf = async (org: string, id: string) =>
    data(await gql<{ webhookEndpoints: { edges: { node: EndpointState }[] } }>(org, `{ webhookEndpoints(first: 20) { edges { node { ${ENDPOINT_FIELDS} } } } }`)).webhookEndpoints.edges.map((e) => e.node).find((n) => n.id === id);

  it("the delivery log: one row per attempt (the holder's 500 then 204), newest first, paged; only the owning organisation's admins read it", async () => {
    const all: DeliveryNode[] = [];
    let after: string | undefined;
    for (;;) {
      const page = data(await gql<Deliveries>('platform-a', DELIVERIES, { e: endpoints.platform, first: 2, after })).webhookDeliveries;
      all.push(...page.edges.map((e) => e.node));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor!;
    }
    const attemptsToPlatform = to('platform');
    expect(all.length).toBe(attemptsToPlatform.length);
    expect(all.map((d) => Number(d.id))).toEqual([...all.map((d) => Number(d.id))].sort((a, b) => b - a));
    const first = [...all].reverse().slice(0, 2);
    expect(first).toEqual([
      { id: expect.any(String), endpointId: endpoints.platform, eventId: expect.stringMatching(/^evt_/), deliveryId: `event:${first[0].eventId}:${endpoints.platform}`, attempt: 1, status: 500, error: expect.stringMatching(/answered 500/), durationMs: expect.any(Number), at: expect.any(String) },
      { id: expect.any(String), endpointId: endpoints.platform, eventId: first[0].eventId, deliveryId: first[0].deliveryId, attempt: 2, status: 204, error: null, durationMs: expect.any(Number), at: expect.any(String) },
    ]);
    // The URL's token never reaches the log.
    expect(JSON.stringify(all)).not.toContain('token=abc');

    const other = await gql<Deliveries>('issuer-a', DELIVERIES, { e: endpoints.platform });
    expect({ code: other.body.errors?.[0]?.extensions?.code, data: other.body.data }).toEqual({ code: 'FORBIDDEN', data: null });
    const missing = await gql<Deliveries>('platform-a', DELIVERIES, { e: 'we_0000000000000000' });
    expect(missing.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    for (const variables of [{ e: 'nope' }, { e: endpoints.platform, first: 0 }, { e: endpoints.platform, after: 'bm90LWEtY3Vyc29y' }]) {
      const bad = await gql<Deliveries>('platform-a', DELIVERIES, variables);
      expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('rotating the secret answers a new one once; deliveries then carry a v1 signature under each secret until the grace period ends', async () => {
    const ROTATE = `mutation($id: ID!) { rotateWebhookEndpointSecret(id: $id) { secret endpoint { ${ENDPOINT_FIELDS} } } }`;
    const refused = await gql('bank-a', ROTATE, { id: endpoints.issuer });
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OTHER_ORGANIZATION' });
    const before = Date.now();
    const rotated = data(await gql<{ rotateWebhookEndpointSecret: { secret: string; endpoint: EndpointState } }>('issuer-a', ROTATE, { id: endpoints.issuer })).rotateWebhookEndpointSecret;
    expect(rotated.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(rotated.secret).not.toBe(secrets.issuer);
    // 24 hours by default (WEBHOOK_SECRET_ROTATION_GRACE_SECONDS).
    const expiresAt = Date.parse(rotated.endpoint.previousSecretExpiresAt!);
    expect(expiresAt - before).toBeGreaterThanOrEqual(86_400_000 - 1000);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(86_400_000);

    const record = await anchor();
    const delivery = await waitFor(() => to('issuer').find((d) => d.status === 204 && (JSON.parse(d.body) as EventBody).data.evidenceId === record.id), 20_000);
    const header = String(delivery!.headers['zizhu-signature']);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(rotated.secret, header, delivery!.body, 300)).toBe(true);
    expect(verifyWebhookSignature(secrets.issuer, header, delivery!.body, 300)).toBe(true);
    expect(verifyWebhookSignature(secrets.platform, header, delivery!.body, 300)).toBe(false);
    secrets.issuer = rotated.secret;
  });

  it('a disabled endpoint gets no deliveries until it is enabled; disabling is refused across organisations', async () => {
    const DISABLE = `mutation($id: ID!) { disableWebhookEndpoint(id: $id) { ${ENDPOINT_FIELDS} } }`;
    const ENABLE = `mutation($id: ID!) { enableWebhookEndpoint(id: $id) { ${ENDPOINT_FIELDS} } }`;
    for (const m of [DISABLE, ENABLE]) {
      expect((await gql('issuer-a', m, { id: endpoints.platform })).body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OTHER_ORGANIZATION' });
      expect((await gql('platform-a', m, { id: 'we_0000000000000000' })).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect((await gql('platform-a', m, { id: 'not-an-id' })).body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    const disabled = data(await gql<{ disableWebhookEndpoint: EndpointState }>('platform-a', DISABLE, { id: endpoints.platform })).disableWebhookEndpoint;
    expect(disabled).toMatchObject({ enabled: false, disabledAt: expect.any(String), disabledReason: 'DISABLED_BY_ADMIN' });

    const whileDisabled = await anchor();
    // The issuer's delivery of the same event shows the block was projected and delivered.
    expect(await waitFor(() => (events('issuer').some((e) => e.data.evidenceId === whileDisabled.id) ? true : undefined), 20_000)).toBe(true);
    await sleep(300);
    expect(events('platform').some((e) => e.data.evidenceId === whileDisabled.id)).toBe(false);

    const enabled = data(await gql<{ enableWebhookEndpoint: EndpointState }>('platform-a', ENABLE, { id: endpoints.platform })).enableWebhookEndpoint;
    expect(enabled).toMatchObject({ enabled: true, disabledAt: null, disabledReason: null, consecutiveFailures: 0 });
    const afterEnabled = await anchor();
    expect(await waitFor(() => (events('platform').some((e) => e.data.evidenceId === afterEnabled.id) ? true : undefined), 20_000)).toBe(true);
    expect(events('platform').some((e) => e.data.evidenceId === whileDisabled.id)).toBe(false);
  });

  it('an endpoint whose deliveries fail WEBHOOK_DISABLE_AFTER_FAILURES times in a row is disabled, with the reason', async () => {
    const created = data(await gql<{ createWebhookEndpoint: { endpoint: { id: string } } }>('issuer-a', CREATE, { i: { url: `${base}/broken`, events: ['evidence.anchored'] } })).createWebhookEndpoint;
    const record = await anchor();
    const disabled = await waitFor(async () => {
      const e = await endpointOf('issuer-a', created.endpoint.id);
      return e && !e.enabled ? e : undefined;
    }, 20_000);
    expect(disabled).toMatchObject({ enabled: false, disabledReason: 'CONSECUTIVE_FAILURES', consecutiveFailures: 3 });
    const log = data(await gql<Deliveries>('issuer-a', DELIVERIES, { e: created.endpoint.id, first: 10 })).webhookDeliveries.edges.map((e) => e.node);
    expect(log.map((d) => [d.eventId, d.attempt, d.status === null || d.status >= 300])).toEqual([3, 2, 1].map((n) => [log[0].eventId, n, true]));
    expect(to('broken').every((d) => (JSON.parse(d.body) as EventBody).data.evidenceId === record.id)).toBe(true);
    // Deleted, it takes its log along.
    data(await gql('issuer-a', 'mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { id } }', { id: created.endpoint.id }));
    expect((await gql('issuer-a', DELIVERIES, { e: created.endpoint.id })).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await sql<{ n: number }>('SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1', [created.endpoint.id]))[0].n).toBe(0);
  });

  it('a deleted endpoint receives nothing more; deleting another organisation\'s endpoint is refused', async () => {
    const other = await gql('platform-a', 'mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { id } }', { id: endpoints.issuer });
    expect(other.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OTHER_ORGANIZATION' });
    const deleted = data(await gql<{ deleteWebhookEndpoint: { id: string } }>('issuer-a', 'mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { id } }', { id: endpoints.issuer })).deleteWebhookEndpoint;
    expect(deleted.id).toBe(endpoints.issuer);
    expect(data(await gql<{ webhookEndpoints: { edges: unknown[] } }>('issuer-a', '{ webhookEndpoints { edges { node { id } } } }')).webhookEndpoints.edges).toEqual([]);
    const again = await gql('issuer-a', 'mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { id } }', { id: endpoints.issuer });
    expect(again.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const before = to('issuer').length;
    const record = await anchor();
    // The holder's delivery of the same event shows the block was projected and delivered.
    expect(await waitFor(() => (events('platform').some((e) => e.data.evidenceId === record.id) ? true : undefined), 20_000)).toBe(true);
    await sleep(500);
    expect(to('issuer').length).toBe(before);
  });
});
