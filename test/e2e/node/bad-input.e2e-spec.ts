import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { headersFor, startTestNode, subscribe, type Credentials, type TestNode } from '../../support/node.js';

/**
 * Malformed GraphQL, wrong types, invalid values, oversized bodies, too-deep and too-complex
 * queries: each answered with a clear message, `extensions.code` (and `reason`), no data, no stack.
 * Limits are set low here so that this schema's deepest and widest queries cross them.
 */

const LIMITS = { GRAPHQL_MAX_DEPTH: '3', GRAPHQL_MAX_COMPLEXITY: '150', BODY_LIMIT_BYTES: String(64 * 1024) };

interface Answer {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

describe('bad input: clear errors with codes', () => {
  let t: TestNode;
  let admin: Credentials;

  const post = async (body: string, headers: Record<string, string> = headersFor(admin)): Promise<Answer> => {
    const r = await t.post(body, headers);
    return { status: r.status, body: JSON.parse(r.text) as Answer['body'] };
  };
  const gql = (query: string, variables?: Record<string, unknown>) => post(JSON.stringify({ query, variables }));
  const expectError = (a: Answer, status: number, code: string, reason?: string) => {
    expect({ status: a.status, code: a.body.errors?.[0]?.extensions?.code, reason: reason === undefined ? undefined : a.body.errors?.[0]?.extensions?.reason }).toEqual({ status, code, reason });
    expect(a.body.errors![0].message.length).toBeGreaterThan(5);
    for (const e of a.body.errors!) expect(e.extensions?.stacktrace).toBeUndefined();
  };

  beforeAll(async () => {
    t = await startTestNode(LIMITS);
    admin = { token: await t.login('bank-a', 'admin', t.adminPassword('bank-a')) };
  });
  afterAll(async () => {
    await t?.close();
  });

  it('malformed GraphQL: a syntax error', async () => {
    const a = await gql('{ me { id ');
    expectError(a, 400, 'BAD_USER_INPUT', 'GRAPHQL_PARSE_FAILED');
    expect(a.body.data).toBeUndefined();
    expect(a.body.errors![0].message).toMatch(/Syntax Error/);
  });

  it('a field or argument the schema does not have', async () => {
    expectError(await gql('{ me { password } }'), 400, 'BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED');
    expectError(await gql('{ channels(all: true) { name } }'), 400, 'BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED');
  });

  it('wrong types, inline and in variables', async () => {
    expectError(await gql('{ block(channel: "notary", height: "zero") { hash } }'), 400, 'BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED');
    expectError(await gql('query($h: Int!) { block(channel: "notary", height: $h) { hash } }', { h: 'zero' }), 400, 'BAD_USER_INPUT', 'INVALID_VARIABLES');
    expectError(await gql('query($h: Int!) { block(channel: "notary", height: $h) { hash } }', { h: 2 ** 31 }), 400, 'BAD_USER_INPUT', 'INVALID_VARIABLES');
    expectError(await gql('query($h: Int!) { block(channel: "notary", height: $h) { hash } }', {}), 400, 'BAD_USER_INPUT', 'INVALID_VARIABLES');
    expectError(await gql('mutation { createUser(input: { username: "bob", password: "a-long-password", roles: [SUPERUSER] }) { id } }'), 400, 'BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED');
    expectError(await gql('mutation($s: SignedTransactionInput!) { submitTransaction(signed: $s) { hash } }', { s: { envelope: 'not an object', signature: 'x', publicKey: 'y' } }), 400, 'BAD_USER_INPUT');
  });

  it('values of the right type that the rules refuse: named per field', async () => {
    const a = await gql('mutation { createUser(input: { username: "Not A Name", password: "short", roles: [VIEWER] }) { id } }');
    expectError(a, 200, 'BAD_USER_INPUT', 'VALIDATION_FAILED');
    expect(a.body.errors![0].message).toMatch(/username/);
    expect(a.body.errors![0].message).toMatch(/password/);
    expect(a.body.data).toBeNull();
    expectError(await gql('{ transaction(hash: "xyz") { hash } }'), 200, 'BAD_USER_INPUT', 'VALIDATION_FAILED');
    expectError(await gql('{ users(first: 0) { edges { cursor } } }'), 200, 'BAD_USER_INPUT', 'VALIDATION_FAILED');
    expectError(await gql('{ block(channel: "notary", height: -1) { hash } }'), 200, 'BAD_USER_INPUT', 'VALIDATION_FAILED');
    expectError(await gql('{ users(after: "not-a-cursor") { pageInfo { hasNextPage } } }'), 200, 'BAD_USER_INPUT', 'BAD_CURSOR');
    expectError(await gql('{ checkpoint(channel: "no-such-channel") }'), 200, 'NOT_FOUND');
    expectError(await gql('{ consistencyProof(channel: "notary", fromSize: 1000000) { proof } }'), 200, 'BAD_USER_INPUT', 'BAD_TREE_SIZE');
    expectError(await gql('mutation { revokeUser(id: "00000000-0000-4000-8000-000000000000") { id } }'), 200, 'NOT_FOUND');
  });

  it('a contract that refuses the arguments: INVALID_ARGS before ordering; a revert is an answer, not an error', async () => {
    const invalid = await gql('mutation { recordDocument(input: { channel: "system", id: "doc", digest: "' + 'a'.repeat(64) + '" }) { status } }');
    expectError(invalid, 200, 'BAD_USER_INPUT', 'UNKNOWN_CONTRACT');
    // A lone surrogate has no canonical JSON form, so nothing can sign it.
    expectError(await gql('mutation($i: RecordDocumentInput!) { recordDocument(input: $i) { status } }', { i: { id: 'odd', digest: 'a'.repeat(64), title: '\ud800' } }), 200, 'BAD_USER_INPUT', 'MALFORMED');
    // PostgreSQL refuses NUL bytes: a login name holding one is simply not a user.
    expectError(await gql('mutation { login(input: { organization: "bank-a", username: "ad\\u0000min", password: "whatever" }) { accessToken } }'), 200, 'UNAUTHENTICATED', 'INVALID_CREDENTIALS');
    const first = await gql('mutation { recordDocument(input: { id: "twice", digest: "' + 'b'.repeat(64) + '" }) { status error { code } } }');
    expect(first.body).toEqual({ data: { recordDocument: { status: 'COMMITTED', error: null } } });
    const second = await gql('mutation { recordDocument(input: { id: "twice", digest: "' + 'c'.repeat(64) + '" }) { status error { code } } }');
    expect(second.body).toEqual({ data: { recordDocument: { status: 'REVERTED', error: { code: 'ALREADY_RECORDED' } } } });
  });

  it('malformed HTTP: not JSON, no query, a GET mutation, a subscription over HTTP, a wrong content type', async () => {
    expectError(await post('{"query": '), 400, 'BAD_USER_INPUT', 'MALFORMED_JSON');
    expectError(await post('{}'), 400, 'BAD_USER_INPUT', 'BAD_REQUEST');
    expectError(await post('{"query": 42}'), 400, 'BAD_USER_INPUT', 'BAD_REQUEST');
    const get = await fetch(`${t.url}/graphql?query=${encodeURIComponent('mutation { login(input: { organization: "bank-a", username: "a", password: "b" }) { accessToken } }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expectError({ status: get.status, body: (await get.json()) as Answer['body'] }, 405, 'BAD_USER_INPUT', 'BAD_REQUEST');
    expectError(await post('query { me { id } }', { 'content-type': 'text/plain' }), 400, 'BAD_USER_INPUT', 'BAD_REQUEST');
    expectError(await post('<query/>', { 'content-type': 'application/xml' }), 415, 'BAD_USER_INPUT', 'UNSUPPORTED_MEDIA_TYPE');
    expectError(await gql('subscription { blockCommitted(channel: "notary") { height } }'), 400, 'BAD_USER_INPUT', 'SUBSCRIPTION_OVER_HTTP');
    const unknownRoute = await fetch(`${t.url}/nowhere`);
    expectError({ status: unknownRoute.status, body: (await unknownRoute.json()) as Answer['body'] }, 404, 'NOT_FOUND');
  });

  it('an oversized body: 413 with a GraphQL-style error naming BODY_TOO_LARGE', async () => {
    const big = JSON.stringify({ query: '{ me { id } }', variables: { pad: 'x'.repeat(70 * 1024) } });
    const a = await post(big);
    expectError(a, 413, 'BAD_USER_INPUT', 'BODY_TOO_LARGE');
    // Just under the limit is fine.
    const ok = await post(JSON.stringify({ query: '{ me { name } }', variables: { pad: 'x'.repeat(60 * 1024) } }));
    expect(ok.body.errors).toBeUndefined();
  });

  it('a too-deep query, even through fragments, and a too-deep subscription', async () => {
    expect((await gql('{ users(first: 1) { pageInfo { hasNextPage } } }')).body.errors).toBeUndefined();
    const deep = await gql('{ blocks(channel: "notary", first: 1) { edges { node { hash } } } }');
    expectError(deep, 400, 'BAD_USER_INPUT', 'QUERY_TOO_DEEP');
    expect(deep.body.data).toBeUndefined();
    expectError(await gql('query { blocks(channel: "notary") { ...E } } fragment E on BlockConnection { edges { ...N } } fragment N on BlockEdge { node { hash } }'), 400, 'BAD_USER_INPUT', 'QUERY_TOO_DEEP');
    // Introspection is not counted (GraphiQL's own query is deep).
    expect((await gql('{ __schema { types { fields { type { ofType { ofType { name } } } } } } }')).body.errors).toBeUndefined();

    const sub = subscribe(t.url, 'subscription { blockCommitted(channel: "notary") { transactions { error { code } } } }', {}, admin);
    try {
      const p = await sub.next();
      expect(p.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_DEEP' });
    } finally {
      sub.dispose();
    }
  });

  it('a too-complex query: list sizes (`first`) multiply, and aliases add up', async () => {
    expect((await gql('{ users(first: 10) { pageInfo { hasNextPage } edges { cursor } } }')).body.errors).toBeUndefined();
    const wide = await gql('{ users(first: 100) { pageInfo { hasNextPage } edges { cursor } } }');
    expectError(wide, 400, 'BAD_USER_INPUT', 'QUERY_TOO_COMPLEX');
    expect(wide.body.errors![0].message).toMatch(/complexity \d+ exceeds the limit of 150/);
    // The same text with the size in a variable: each request is measured by its own numbers (the
    // plugin remembers an operation's cost per document and numeric variables), and asking again
    // answers the same.
    const sized = 'query($n: Int) { users(first: $n) { pageInfo { hasNextPage } edges { cursor } } }';
    for (let round = 0; round < 2; round++) {
      expect((await gql(sized, { n: 10 })).body.errors).toBeUndefined();
      expectError(await gql(sized, { n: 100 }), 400, 'BAD_USER_INPUT', 'QUERY_TOO_COMPLEX');
      expectError(await gql('{ blocks(channel: "notary", first: 1) { edges { node { hash } } } }'), 400, 'BAD_USER_INPUT', 'QUERY_TOO_DEEP');
    }
    const aliases = Array.from({ length: 80 }, (_, i) => `a${i}: nodeInfo { version }`).join(' ');
    expectError(await gql(`{ ${aliases} }`), 400, 'BAD_USER_INPUT', 'QUERY_TOO_COMPLEX');
  });
});
