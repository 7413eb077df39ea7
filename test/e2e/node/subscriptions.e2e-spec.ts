import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { startTestNode, subscribe, type TestNode } from '../../support/node.js';

const BLOCKS = 'subscription($c: String!) { blockCommitted(channel: $c) { channel height txCount checkpoint transactions { hash status } } }';
const RECORD = 'mutation($input: RecordDocumentInput!) { recordDocument(input: $input) { hash } }';

describe('graphql-ws subscriptions', () => {
  let t: TestNode;
  let admin: string;

  beforeAll(async () => {
    t = await startTestNode();
    admin = await t.login('bank-a', 'admin', t.adminPassword('bank-a'));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('delivers blockCommitted with the block’s transactions after a submit', async () => {
    const sub = subscribe<{ blockCommitted: { channel: string; height: number; transactions: { hash: string }[] } }>(t.url, BLOCKS, { c: 'notary' }, { token: admin });
    try {
      // The subscription starts asynchronously on the server: submit until a block arrives.
      const hashes = new Set<string>();
      let payload: Awaited<ReturnType<typeof sub.next>> | undefined;
      for (let i = 0; i < 25 && !payload; i++) {
        const r = await t.gql<{ recordDocument: { hash: string } }>(RECORD, { input: { id: `sub-${i}`, digest: randomBytes(32).toString('hex') } }, { token: admin });
        hashes.add(r.body.data!.recordDocument.hash);
        payload = await sub.next(200).catch(() => undefined);
      }
      expect(payload?.errors).toBeUndefined();
      const block = payload!.data!.blockCommitted;
      expect(block.channel).toBe('notary');
      expect(block.transactions.some((tx) => hashes.has(tx.hash))).toBe(true);
    } finally {
      sub.dispose();
    }
  });

  it('refuses a subscription without credentials, with a bad token, or without the permission', async () => {
    const anonymous = subscribe(t.url, BLOCKS, { c: 'notary' });
    const bad = subscribe(t.url, BLOCKS, { c: 'notary' }, { token: 'a.b.c' });
    await t.gql('mutation($input: CreateUserInput!) { createUser(input: $input) { id } }', { input: { username: 'watcher', password: 'watcher-password', roles: ['VIEWER'] } }, { token: admin });
    const viewer = subscribe(t.url, BLOCKS, { c: 'notary' }, { token: await t.login('bank-a', 'watcher', 'watcher-password') });
    const unknownChannel = subscribe(t.url, BLOCKS, { c: 'no-such-channel' }, { token: admin });
    try {
      const [a, b, v, u] = await Promise.all([anonymous.next(), bad.next(), viewer.next(), unknownChannel.next()]);
      expect(a.data ?? null).toBeNull();
      expect(a.errors![0].extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
      expect(b.errors![0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INVALID_TOKEN' });
      expect(v.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN' });
      expect(u.errors![0].extensions).toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      for (const s of [anonymous, bad, viewer, unknownChannel]) s.dispose();
    }
  });

  it('answers invalid subscription arguments with a code, never INTERNAL', async () => {
    const values: unknown[] = ['', 'x'.repeat(20_000), 'NOTARY', '../system', '中文', null, 42, { a: 1 }, ['notary']];
    const subs = values.map((c) => subscribe(t.url, 'subscription($c: String!) { blockCommitted(channel: $c) { height } }', { c }, { token: admin }));
    try {
      for (const [i, s] of subs.entries()) {
        const p = await s.next();
        expect({ value: values[i], code: p.errors?.[0]?.extensions?.code }).toEqual({ value: values[i], code: expect.stringMatching(/^(BAD_USER_INPUT|NOT_FOUND)$/) });
      }
    } finally {
      for (const s of subs) s.dispose();
    }
  });
});
