import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { headersFor, startTestNode, type Credentials, type TestNode } from '../../support/node.js';

/**
 * Fuzzes every query and mutation of the running schema: for each argument (and each field of an
 * input argument) edge and random values of its type (and of other types), sent as variables.
 * Whatever comes back, never HTTP 500, never INTERNAL, always a code from the closed set, never a
 * stack trace. Subscriptions are sent over HTTP too (refused there); over WebSocket the access
 * matrix and the subscription suite cover them.
 */

const CODES = new Set(['BAD_USER_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'RATE_LIMITED', 'UNAVAILABLE']);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);

/** mulberry32: a seeded generator, so a failure can be replayed with FUZZ_SEED. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];

const STRINGS = [
  '',
  ' ',
  'notary',
  'system',
  'bank-a',
  'admin',
  'a'.repeat(64),
  'x'.repeat(70_000),
  '0'.repeat(64),
  'f'.repeat(64),
  'F'.repeat(64),
  '0123456789abcdef',
  randomUUID(),
  '00000000-0000-0000-0000-000000000000',
  'zk_0123456789abcdef_' + 'A'.repeat(43),
  'ñandú 中文 😀 \u202e',
  '\u0000\u0001\u001f',
  '\ud800',
  "' OR 1=1; DROP TABLE users; --",
  '../../../../etc/passwd',
  '{"envelope":{}}',
  '%s%n%x',
  'YmxvY2s6MQ',
  'YmxvY2s6LTE',
  'YmxvY2s6OTk5OTk5OTk5OTk5OTk5OTk5',
  'dXNlcjo',
  'YXVkaXQ6MQ',
  'Bearer x',
];
const INTS = [0, 1, -1, 2, 100, 101, 2147483647, -2147483648, 2147483648, -2147483649, 1.5, Number.MAX_SAFE_INTEGER];
const OTHERS: unknown[] = [null, true, false, {}, [], { a: 1 }, [1, 2], 'string', 12, -0.5, 1e308];

function deepObject(depth: number): unknown {
  let v: unknown = { leaf: 1 };
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

const JSONS: unknown[] = [
  {},
  { v: 1 },
  { v: 1, channel: 'notary', contract: 'notary', method: 'record', args: {}, signer: 'f'.repeat(64), nonce: '0'.repeat(32), ts: Date.now() },
  { v: 1, channel: 'notary', contract: 'notary', method: 'record', args: deepObject(400), signer: 'f'.repeat(64), nonce: '1'.repeat(32), ts: Date.now() },
  { v: 1, channel: 'notary', contract: 'notary', method: 'record', args: { x: 1.5 }, signer: 'f'.repeat(64), nonce: '2'.repeat(32), ts: Date.now() },
  { v: 1, channel: 'notary', contract: 'notary', method: 'constructor', args: {}, signer: 'f'.repeat(64), nonce: '3'.repeat(32), ts: Date.now() },
  { v: 1, channel: 'notary', contract: 'notary', method: '__proto__', args: {}, signer: 'f'.repeat(64), nonce: '4'.repeat(32), ts: -1 },
  { __proto__: { polluted: true } },
  JSON.parse('{"__proto__": {"polluted": true}}'),
  deepObject(1000),
  Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i])),
  [],
  'envelope',
  42,
];

/** Values for a variable of the given input type: mostly its own kind, some of every other kind. */
function valuesFor(type: GraphQLInputType, depth = 0): unknown[] {
  const nullable = getNullableType(type);
  const out: unknown[] = [null];
  if (isListType(nullable)) {
    const inner = valuesFor(nullable.ofType, depth + 1);
    out.push([], [pick(inner)], [pick(inner), pick(inner)], Array.from({ length: 300 }, () => pick(inner)), pick(inner));
    return out;
  }
  if (isEnumType(nullable)) {
    out.push(...nullable.getValues().map((v) => v.name), 'NOT_A_VALUE', '', nullable.getValues()[0]?.name.toLowerCase(), 3);
    return out;
  }
  if (isInputObjectType(nullable)) {
    if (depth > 3) return out;
    const fields = Object.values(nullable.getFields());
    const object = (mutate?: string) =>
      Object.fromEntries(fields.map((f) => [f.name, f.name === mutate ? pick(valuesFor(f.type, depth + 1)) : pick(plausible(f.type, f.name))]));
    out.push({}, object(), object(), { ...object(), unknownField: 1 }, 'not an object', []);
    // Every edge value of every field, the other fields plausible.
    for (const f of fields) for (const v of valuesFor(f.type, depth + 1)) out.push({ ...object(), [f.name]: v });
    return out;
  }
  if (isScalarType(nullable)) {
    switch (nullable.name) {
      case 'Int':
        out.push(...INTS, '1', true);
        break;
      case 'Float':
        out.push(...INTS, -0.5, 'NaN');
        break;
      case 'Boolean':
        out.push(true, false, 'true', 0);
        break;
      case 'JSON':
      case 'JSONObject':
        out.push(...JSONS);
        break;
      default:
        out.push(...STRINGS, 7, true, ['a']);
    }
  }
  out.push(pick(OTHERS));
  return out;
}

/** Real values of this node by argument name (channels, hashes, ids), filled once it runs. */
const KNOWN: Record<string, unknown[]> = {};

/** Values that coerce to the type (so the fuzz reaches resolvers and services, not only coercion). */
function plausible(type: GraphQLInputType, name?: string): unknown[] {
  const nullable = getNullableType(type);
  if (name && KNOWN[name] && random() < 0.6) return KNOWN[name];
  if (isListType(nullable)) return [[pick(plausible(nullable.ofType))], []];
  if (isEnumType(nullable)) return nullable.getValues().map((v) => v.name);
  if (isInputObjectType(nullable)) return [Object.fromEntries(Object.values(nullable.getFields()).map((f) => [f.name, pick(plausible(f.type, f.name))]))];
  if (isScalarType(nullable)) {
    if (nullable.name === 'Int') return [0, 1, 5, 2147483647, -1];
    if (nullable.name === 'Boolean') return [true, false];
    if (nullable.name === 'JSON' || nullable.name === 'JSONObject') return JSONS.slice(0, 8);
    return STRINGS.filter((s) => s.length < 1000);
  }
  return [null];
}

function selectionFor(field: GraphQLField<unknown, unknown>): string {
  const named = getNamedType(field.type);
  return isObjectType(named) ? '{ __typename }' : '';
}

function typeString(type: GraphQLInputType): string {
  return isNonNullType(type) ? `${typeString(type.ofType)}!` : isListType(type) ? `[${typeString(type.ofType)}]` : type.name;
}

interface Case {
  op: string;
  query: string;
  variables: Record<string, unknown>;
  as: Credentials;
}

function casesFor(schema: GraphQLSchema, as: Credentials, anonymous: Credentials): Case[] {
  const cases: Case[] = [];
  // Subscriptions too: over HTTP they must be refused cleanly (their WebSocket path is in the subscription suite).
  for (const [kind, root] of [['query', schema.getQueryType()], ['mutation', schema.getMutationType()], ['subscription', schema.getSubscriptionType()]] as const) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      const decl = field.args.map((a) => `$${a.name}: ${typeString(a.type)}`).join(', ');
      const use = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
      const query = `${kind}${decl ? `(${decl})` : ''} { ${field.name}${use ? `(${use})` : ''} ${selectionFor(field)} }`;
      const plausibleArgs = () => Object.fromEntries(field.args.map((a) => [a.name, pick(plausible(a.type, a.name))]));
      cases.push({ op: field.name, query, variables: plausibleArgs(), as: anonymous });
      for (const arg of field.args) {
        for (const value of valuesFor(arg.type)) cases.push({ op: field.name, query, variables: { ...plausibleArgs(), [arg.name]: value }, as });
      }
      for (let i = 0; i < 6; i++) cases.push({ op: field.name, query, variables: plausibleArgs(), as });
      // Variables the operation does not declare, and none at all.
      cases.push({ op: field.name, query, variables: { ...plausibleArgs(), undeclared: 'x' }, as });
      cases.push({ op: field.name, query, variables: {}, as });
    }
  }
  return cases;
}

describe('fuzz: every operation’s inputs', () => {
  let t: TestNode;
  let schema: GraphQLSchema;
  let admin: Credentials;

  beforeAll(async () => {
    t = await startTestNode();
    admin = { token: await t.login('bank-a', 'admin', t.adminPassword('bank-a')) };
    const r = await t.gql<IntrospectionQuery>(getIntrospectionQuery());
    schema = buildClientSchema(r.body.data!);
    const rec = await t.gql<{ recordDocument: { hash: string } }>('mutation { recordDocument(input: { id: "fuzz-seed", digest: "' + 'a'.repeat(64) + '" }) { hash } }', {}, admin);
    const user = await t.gql<{ createUser: { id: string } }>('mutation { createUser(input: { username: "fuzz-target", password: "fuzz-target-password", roles: [VIEWER] }) { id } }', {}, admin);
    const key = await t.gql<{ issueApiKey: { apiKey: { id: string } } }>('mutation { issueApiKey(input: { name: "fuzz", roles: [VIEWER] }) { apiKey { id } } }', {}, admin);
    const hash = rec.body.data!.recordDocument.hash;
    Object.assign(KNOWN, {
      channel: ['notary', 'system', 'unknown-channel'],
      hash: [hash],
      txHash: [hash],
      height: [0, 1, 2, 1000],
      treeSize: [1, 2, 3, 1000],
      fromSize: [1, 2, 3],
      toSize: [1, 2, 3, 1000],
      id: [user.body.data!.createUser.id, key.body.data!.issueApiKey.apiKey.id, 'fuzz-doc'],
      organization: ['bank-a', 'regulator'],
      username: ['admin', 'fuzz-target'],
      digest: ['b'.repeat(64)],
      first: [1, 5, 100],
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it(`never answers 500 or INTERNAL, whatever the arguments (FUZZ_SEED=${SEED})`, async () => {
    const cases = casesFor(schema, admin, {});
    expect(cases.length).toBeGreaterThan(500);
    const failures: string[] = [];
    const ops = new Set<string>();
    const check = async (c: Case) => {
      ops.add(c.op);
      const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: headersFor(c.as), body: JSON.stringify({ query: c.query, variables: c.variables }) });
      const text = await res.text();
      let body: { errors?: { extensions?: { code?: string; stacktrace?: unknown } }[] };
      try {
        body = JSON.parse(text);
      } catch {
        failures.push(`${c.op}: HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
        return;
      }
      const bad = (body.errors ?? []).filter((e) => !CODES.has(e.extensions?.code ?? '') || e.extensions?.stacktrace !== undefined);
      if (res.status >= 500 || bad.length > 0) {
        failures.push(`${c.op} HTTP ${res.status} variables=${JSON.stringify(c.variables).slice(0, 300)} errors=${JSON.stringify(bad).slice(0, 500)}`);
      }
    };
    // A few at a time: the node serves clients concurrently, and the suite stays fast.
    for (let i = 0; i < cases.length; i += 8) await Promise.all(cases.slice(i, i + 8).map(check));
    expect(failures.slice(0, 20)).toEqual([]);
    const operations = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((root) => Object.keys(root?.getFields() ?? {}));
    expect([...ops].sort()).toEqual(operations.sort());
  });

  it('still answers normally afterwards', async () => {
    const me = await t.gql<{ me: { name: string } }>('{ me { name } }', {}, admin);
    expect(me.body.data!.me.name).toBe('admin');
    expect((await fetch(`${t.url}/ready`)).status).toBe(200);
  });
});
