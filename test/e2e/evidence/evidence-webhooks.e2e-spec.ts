import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  const attempts = new Map<string, number>();
  const tok: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  const endpoints: Record<string, string> = {};
  const gql = <T>(org: string, query: string, variables?: Record<string, unknown>) => t.gql<T>(query, variables, { token: tok[org] });
  const data = <T>(r: GraphQLResponse<T>): T => {
    expect(r.body.errors).toBeUndefined();
    return r.body.data!;
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
        const status = failFirst.has(receiver) && n === 1 ? 500 : 204;
        deliveries.push({ receiver, headers: req.headers, body, status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Retries after 100 ms, 200 ms, … instead of 10 s, 20 s, …
    t = await startTestNode({}, { queueSettings: { [QueueName.EVENT_WEBHOOK]: { backoffMs: 100 } } });
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
