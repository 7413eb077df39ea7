import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { buildClientSchema, buildSchema, getIntrospectionQuery, lexicographicSortSchema, printSchema, type IntrospectionQuery } from 'graphql';
import { SCHEMA_FILE } from '@zizhu/node';
import { signTransaction } from '@zizhu/chain';
import type { Keystore } from '@zizhu/crypto';
import { startTestNode, subscribe, type Credentials, type GraphQLResponse, type TestNode } from '../../support/node.js';

/**
 * Roles × every operation. The operation list comes from the running node's schema: an operation
 * added later without a row here fails the test. A denied call must answer UNAUTHENTICATED (no
 * credentials) or FORBIDDEN, and no data for the field; an allowed one must answer without error.
 */

const WHO = ['anonymous', 'viewer', 'auditor', 'operator', 'operatorKey', 'admin', 'otherAdmin'] as const;
type Who = (typeof WHO)[number];
type OperationType = 'query' | 'mutation' | 'subscription';

interface Call {
  query: string;
  variables?: Record<string, unknown>;
}

interface Row {
  type: OperationType;
  /** Who may call it; everyone else is refused. */
  allowed: readonly Who[];
  /** Builds the call (fresh targets where a call consumes one). */
  call: (who: Who) => Promise<Call> | Call;
}

const EVERYONE = WHO;
const SIGNED_IN: Who[] = ['viewer', 'auditor', 'operator', 'operatorKey', 'admin', 'otherAdmin'];
const READERS: Who[] = ['auditor', 'operator', 'operatorKey', 'admin', 'otherAdmin'];
const SUBMITTERS: Who[] = ['operator', 'operatorKey', 'admin', 'otherAdmin'];
const AUDITORS: Who[] = ['auditor', 'admin', 'otherAdmin'];
const ADMINS: Who[] = ['admin', 'otherAdmin'];
/** Scoped to the target's organisation (bank-a): the regulator's admin is refused. */
const BANK_ADMIN: Who[] = ['admin'];
/** bank-a's submitters: an issuer (BANK) of evidence, and the issuer of the records the rows act on; the regulator is not. */
const BANK_SUBMITTERS: Who[] = ['operator', 'operatorKey', 'admin'];

describe('access matrix: roles × every GraphQL operation', () => {
  let t: TestNode;
  let keystore: Keystore;
  const creds = {} as Record<Who, Credentials>;
  let adminToken: string;
  let txHash: string;
  let n = 0;
  const unique = (prefix: string) => `${prefix}-${++n}-${randomBytes(3).toString('hex')}`;
  const digest = () => randomBytes(32).toString('hex');

  async function newBankUser(): Promise<string> {
    const r = await t.gql<{ createUser: { id: string } }>('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: { username: unique('target'), password: 'target-password', roles: ['VIEWER'] } }, { token: adminToken });
    return r.body.data!.createUser.id;
  }

  async function newBankApiKey(): Promise<string> {
    const r = await t.gql<{ issueApiKey: { apiKey: { id: string } } }>('mutation($i: IssueApiKeyInput!) { issueApiKey(input: $i) { apiKey { id } } }', { i: { name: unique('target'), roles: ['VIEWER'] } }, { token: adminToken });
    return r.body.data!.issueApiKey.apiKey.id;
  }

  const ANCHOR = 'mutation($i: AnchorEvidenceInput!) { anchorEvidence(input: $i) { id } }';
  /** A fresh E_CONTRACT anchored by bank-a's admin for platform-a. */
  async function newEvidence(): Promise<string> {
    const r = await t.gql<{ anchorEvidence: { id: string } }>(ANCHOR, { i: { digest: { value: digest() }, type: 'E_CONTRACT', holder: 'platform-a' } }, { token: adminToken });
    return r.body.data!.anchorEvidence.id;
  }
  /** A fresh envelope over it, sent to bank-a's admin alone. */
  async function newEnvelope(): Promise<string> {
    const r = await t.gql<{ createSigningEnvelope: { id: string } }>(
      'mutation($i: CreateSigningEnvelopeInput!) { createSigningEnvelope(input: $i) { id } }',
      { i: { evidenceId: await newEvidence(), expiresAt: Date.now() + 3_600_000, recipients: [{ organization: 'bank-a', username: 'admin', routingOrder: 1 }] } },
      { token: adminToken },
    );
    return r.body.data!.createSigningEnvelope.id;
  }
  let evidenceId: string;
  let envelopeId: string;
  const CREATE_WEBHOOK = 'mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { endpoint { id } } }';
  /** A webhook endpoint input subscribed to an event no module emits (no deliveries to port 9). */
  const webhookInput = () => ({ url: `http://127.0.0.1:9/${unique('hook')}`, events: ['matrix.never'] });
  /** A fresh webhook endpoint of bank-a. */
  async function newBankWebhook(): Promise<string> {
    const r = await t.gql<{ createWebhookEndpoint: { endpoint: { id: string } } }>(CREATE_WEBHOOK, { i: webhookInput() }, { token: adminToken });
    return r.body.data!.createWebhookEndpoint.endpoint.id;
  }

  const ROWS: Record<string, Row> = {
    // Public
    nodeInfo: { type: 'query', allowed: EVERYONE, call: () => ({ query: '{ nodeInfo { consortiumId verifierKey } }' }) },
    login: {
      type: 'mutation',
      allowed: EVERYONE,
      call: () => ({ query: 'mutation($i: LoginInput!) { login(input: $i) { accessToken } }', variables: { i: { organization: 'bank-a', username: 'admin', password: t.adminPassword('bank-a') } } }),
    },
    refreshToken: {
      type: 'mutation',
      allowed: EVERYONE,
      call: async () => {
        const r = await t.gql<{ login: { refreshToken: string } }>('mutation($i: LoginInput!) { login(input: $i) { refreshToken } }', { i: { organization: 'bank-a', username: 'admin', password: t.adminPassword('bank-a') } });
        return { query: 'mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken } }', variables: { r: r.body.data!.login.refreshToken } };
      },
    },
    // Any principal
    me: { type: 'query', allowed: SIGNED_IN, call: () => ({ query: '{ me { id kind } }' }) },
    organizations: { type: 'query', allowed: SIGNED_IN, call: () => ({ query: '{ organizations { id } }' }) },
    // Ledger readers
    channels: { type: 'query', allowed: READERS, call: () => ({ query: '{ channels { name height } }' }) },
    block: { type: 'query', allowed: READERS, call: () => ({ query: '{ block(channel: "notary", height: 0) { hash } }' }) },
    blocks: { type: 'query', allowed: READERS, call: () => ({ query: '{ blocks(channel: "notary", first: 2) { edges { node { height } } } }' }) },
    transaction: { type: 'query', allowed: READERS, call: () => ({ query: 'query($h: String!) { transaction(hash: $h) { hash } }', variables: { h: txHash } }) },
    checkpoint: { type: 'query', allowed: READERS, call: () => ({ query: '{ checkpoint(channel: "notary") }' }) },
    inclusionProof: { type: 'query', allowed: READERS, call: () => ({ query: 'query($h: String!) { inclusionProof(channel: "notary", txHash: $h) { leafIndex } }', variables: { h: txHash } }) },
    consistencyProof: { type: 'query', allowed: READERS, call: () => ({ query: '{ consistencyProof(channel: "notary", fromSize: 1) { proof } }' }) },
    blockCommitted: { type: 'subscription', allowed: READERS, call: () => ({ query: 'subscription { blockCommitted(channel: "notary") { height } }' }) },
    // Submitters
    recordDocument: {
      type: 'mutation',
      allowed: SUBMITTERS,
      call: () => ({ query: 'mutation($i: RecordDocumentInput!) { recordDocument(input: $i) { status } }', variables: { i: { id: unique('doc'), digest: digest() } } }),
    },
    submitTransaction: {
      type: 'mutation',
      // Signed with bank-a's key: the regulator's admin may not submit another organisation's transactions.
      allowed: ['operator', 'operatorKey', 'admin'],
      call: () => ({
        query: 'mutation($s: SignedTransactionInput!) { submitTransaction(signed: $s) { status } }',
        variables: { s: signTransaction({ channel: 'notary', contract: 'notary', method: 'record', args: { id: unique('signed'), digest: digest() }, ts: Date.now() }, keystore.signer('bank-a/admin')) },
      }),
    },
    // The evidence module: public verification; parties and the regulator read; bank-a issues; signers sign
    verifyEvidence: { type: 'query', allowed: EVERYONE, call: () => ({ query: 'query($d: EvidenceDigestInput!) { verifyEvidence(digest: $d) { found } }', variables: { d: { value: digest() } } }) },
    evidenceRecord: { type: 'query', allowed: READERS, call: () => ({ query: 'query($id: String!) { evidenceRecord(id: $id) { id } }', variables: { id: evidenceId } }) },
    evidenceRecords: { type: 'query', allowed: READERS, call: () => ({ query: '{ evidenceRecords(first: 5) { edges { node { id } } } }' }) },
    signingEnvelope: { type: 'query', allowed: READERS, call: () => ({ query: 'query($e: String!) { signingEnvelope(envelopeId: $e) { status } }', variables: { e: envelopeId } }) },
    evidenceEvents: { type: 'subscription', allowed: READERS, call: () => ({ query: `subscription { evidenceEvents(id: "${evidenceId}") { type } }` }) },
    anchorEvidence: { type: 'mutation', allowed: BANK_SUBMITTERS, call: () => ({ query: ANCHOR, variables: { i: { digest: { value: digest() }, type: 'RECEIPT', holder: 'platform-a' } } }) },
    anchorEvidenceBatch: {
      type: 'mutation',
      allowed: BANK_SUBMITTERS,
      call: () => ({
        query: 'mutation($i: AnchorEvidenceBatchInput!) { anchorEvidenceBatch(input: $i) { id } }',
        variables: { i: { items: [{ digest: { value: digest() }, type: 'BILL', holder: 'platform-a' }, { digest: { value: digest() }, type: 'BILL', holder: 'platform-b' }] } },
      }),
    },
    transferEvidenceHolding: {
      type: 'mutation',
      allowed: BANK_SUBMITTERS,
      call: async () => ({ query: 'mutation($id: String!) { transferEvidenceHolding(id: $id, to: "platform-b") { holder } }', variables: { id: await newEvidence() } }),
    },
    revokeEvidence: { type: 'mutation', allowed: BANK_SUBMITTERS, call: async () => ({ query: 'mutation($id: String!) { revokeEvidence(id: $id, reason: "issued in error") { status } }', variables: { id: await newEvidence() } }) },
    createSigningEnvelope: {
      type: 'mutation',
      allowed: BANK_SUBMITTERS,
      call: async () => ({
        query: 'mutation($i: CreateSigningEnvelopeInput!) { createSigningEnvelope(input: $i) { status } }',
        variables: { i: { evidenceId: await newEvidence(), expiresAt: Date.now() + 3_600_000, recipients: [{ organization: 'bank-a', username: 'admin', routingOrder: 1 }] } },
      }),
    },
    // Only the recipient (bank-a's admin) signs or declines; only the sender's organisation voids.
    signEnvelope: { type: 'mutation', allowed: BANK_ADMIN, call: async () => ({ query: 'mutation($e: String!) { signEnvelope(envelopeId: $e) { status } }', variables: { e: await newEnvelope() } }) },
    declineEnvelope: { type: 'mutation', allowed: BANK_ADMIN, call: async () => ({ query: 'mutation($e: String!) { declineEnvelope(envelopeId: $e, reason: "no") { status } }', variables: { e: await newEnvelope() } }) },
    voidEnvelope: { type: 'mutation', allowed: BANK_SUBMITTERS, call: async () => ({ query: 'mutation($e: String!) { voidEnvelope(envelopeId: $e, reason: "replaced") { status } }', variables: { e: await newEnvelope() } }) },
    // Auditors
    auditRecords: { type: 'query', allowed: AUDITORS, call: () => ({ query: '{ auditRecords(first: 5) { edges { node { action } } } }' }) },
    // Admins, each within their organisation
    users: { type: 'query', allowed: ADMINS, call: () => ({ query: '{ users(first: 5) { edges { node { username } } } }' }) },
    apiKeys: { type: 'query', allowed: ADMINS, call: () => ({ query: '{ apiKeys(first: 5) { edges { node { id } } } }' }) },
    createUser: {
      type: 'mutation',
      allowed: ADMINS,
      call: () => ({ query: 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', variables: { i: { username: unique('new'), password: 'new-user-password', roles: ['VIEWER'] } } }),
    },
    issueApiKey: {
      type: 'mutation',
      allowed: ADMINS,
      call: () => ({ query: 'mutation($i: IssueApiKeyInput!) { issueApiKey(input: $i) { secret } }', variables: { i: { name: unique('key'), roles: ['VIEWER'] } } }),
    },
    webhookEndpoints: { type: 'query', allowed: ADMINS, call: () => ({ query: '{ webhookEndpoints(first: 5) { edges { node { id } } } }' }) },
    createWebhookEndpoint: { type: 'mutation', allowed: ADMINS, call: () => ({ query: CREATE_WEBHOOK, variables: { i: webhookInput() } }) },
    deleteWebhookEndpoint: { type: 'mutation', allowed: BANK_ADMIN, call: async () => ({ query: 'mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { id } }', variables: { id: await newBankWebhook() } }) },
    revokeUser: { type: 'mutation', allowed: BANK_ADMIN, call: async () => ({ query: 'mutation($id: ID!) { revokeUser(id: $id) { status } }', variables: { id: await newBankUser() } }) },
    revokeApiKey: { type: 'mutation', allowed: BANK_ADMIN, call: async () => ({ query: 'mutation($id: ID!) { revokeApiKey(id: $id) { status } }', variables: { id: await newBankApiKey() } }) },
  };

  beforeAll(async () => {
    t = await startTestNode();
    keystore = await t.keystore();
    adminToken = await t.login('bank-a', 'admin', t.adminPassword('bank-a'));
    creds.anonymous = {};
    creds.admin = { token: adminToken };
    creds.otherAdmin = { token: await t.login('regulator', 'admin', t.adminPassword('regulator')) };
    for (const role of ['viewer', 'auditor', 'operator'] as const) {
      const r = await t.gql('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: { username: role, password: `${role}-password`, roles: [role.toUpperCase()] } }, { token: adminToken });
      expect(r.body.errors).toBeUndefined();
      creds[role] = { token: await t.login('bank-a', role, `${role}-password`) };
    }
    const key = await t.gql<{ issueApiKey: { secret: string } }>('mutation { issueApiKey(input: { name: "gateway", roles: [OPERATOR] }) { secret } }', {}, { token: adminToken });
    creds.operatorKey = { apiKey: key.body.data!.issueApiKey.secret };
    const rec = await t.gql<{ recordDocument: { hash: string } }>('mutation { recordDocument(input: { id: "matrix-seed", digest: "' + digest() + '" }) { hash } }', {}, { token: adminToken });
    txHash = rec.body.data!.recordDocument.hash;
    evidenceId = await newEvidence();
    envelopeId = await newEnvelope();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('has a row for every operation in the schema, and no row for an operation it lacks', async () => {
    const r = await t.gql<{ __schema: Record<'queryType' | 'mutationType' | 'subscriptionType', { fields: { name: string }[] } | null> }>(
      '{ __schema { queryType { fields { name } } mutationType { fields { name } } subscriptionType { fields { name } } } }',
    );
    const s = r.body.data!.__schema;
    const inSchema = new Map<string, OperationType>();
    for (const f of s.queryType?.fields ?? []) inSchema.set(f.name, 'query');
    for (const f of s.mutationType?.fields ?? []) inSchema.set(f.name, 'mutation');
    for (const f of s.subscriptionType?.fields ?? []) inSchema.set(f.name, 'subscription');
    expect([...inSchema.keys()].filter((op) => !ROWS[op]).sort()).toEqual([]);
    expect(Object.keys(ROWS).filter((op) => inSchema.get(op) !== ROWS[op].type)).toEqual([]);
  });

  it('serves exactly the committed schema (schema.graphql)', async () => {
    const r = await t.gql<IntrospectionQuery>(getIntrospectionQuery());
    const served = printSchema(lexicographicSortSchema(buildClientSchema(r.body.data!)));
    const committed = printSchema(lexicographicSortSchema(buildSchema(await readFile(SCHEMA_FILE, 'utf8'))));
    expect(served).toBe(committed);
  });

  const expectRefused = (op: string, who: Who, r: Pick<GraphQLResponse, 'body'>) => {
    const expected = who === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
    const codes = (r.body.errors ?? []).map((e) => e.extensions?.code);
    expect({ op, who, codes }).toEqual({ op, who, codes: [expected] });
    const data = r.body.data as Record<string, unknown> | null | undefined;
    expect({ op, who, data: data?.[op] ?? null }).toEqual({ op, who, data: null });
  };

  const expectAllowed = (op: string, who: Who, r: Pick<GraphQLResponse, 'body'>) => {
    expect({ op, who, errors: r.body.errors ?? [] }).toEqual({ op, who, errors: [] });
    const data = r.body.data as Record<string, unknown>;
    expect({ op, who, present: data?.[op] !== null && data?.[op] !== undefined }).toEqual({ op, who, present: true });
  };

  for (const who of WHO) {
    it(`${who}: every query and mutation is answered or refused as the matrix says`, async () => {
      for (const [op, row] of Object.entries(ROWS)) {
        if (row.type === 'subscription') continue;
        const call = await row.call(who);
        const r = await t.gql(call.query, call.variables, creds[who]);
        if (row.allowed.includes(who)) expectAllowed(op, who, r);
        else expectRefused(op, who, r);
      }
    });
  }

  it('subscriptions: every principal is answered or refused as the matrix says', async () => {
    const subs = await Promise.all(
      Object.entries(ROWS)
        .filter(([, row]) => row.type === 'subscription')
        .flatMap(([op, row]) => WHO.map(async (who) => ({ op, who, row, sub: subscribe(t.url, (await row.call(who)).query, {}, creds[who]) }))),
    );
    try {
      const pending = subs.filter(({ who, row }) => row.allowed.includes(who));
      // Allowed subscriptions receive the next block; keep committing until each has one.
      const received = new Map<number, Awaited<ReturnType<(typeof subs)[number]['sub']['next']>>>();
      for (let i = 0; i < 25 && received.size < pending.length; i++) {
        await t.gql('mutation($i: RecordDocumentInput!) { recordDocument(input: $i) { status } }', { i: { id: unique('tick'), digest: digest() } }, { token: adminToken });
        // An evidence event too: reading the metadata records a view on chain.
        await t.gql('query($id: String!) { evidenceRecord(id: $id) { metadata { title } } }', { id: evidenceId }, { token: adminToken });
        await Promise.all(
          pending.map(async (s, k) => {
            if (received.has(k)) return;
            const p = await s.sub.next(150).catch(() => undefined);
            if (p) received.set(k, p);
          }),
        );
      }
      pending.forEach((s, k) => expectAllowed(s.op, s.who, { body: received.get(k) ?? { errors: [{ message: 'no block received' }] } }));
      for (const s of subs.filter(({ who, row }) => !row.allowed.includes(who))) expectRefused(s.op, s.who, { body: await s.sub.next() });
    } finally {
      for (const s of subs) s.sub.dispose();
    }
  });
});
