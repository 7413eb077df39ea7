import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { keyIdOf, leafHash, signTransaction, verifyCheckpoint, verifyConsistency, verifyInclusion } from '@zizhu/chain';
import { fromBase64, type Keystore } from '@zizhu/crypto';
import { verifyUserCertificate } from '@zizhu/consortium';
import { codesOf, startTestNode, type TestNode } from '../../support/node.js';

const digest = () => randomBytes(32).toString('hex');

const LOGIN = `mutation($input: LoginInput!) {
  login(input: $input) { accessToken refreshToken accessTokenExpiresAt user { id username organization roles } }
}`;
const REFRESH = 'mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }';
const RECORD = `mutation($input: RecordDocumentInput!) {
  recordDocument(input: $input) { hash channel height leafIndex status error { code message } }
}`;
const SUBMIT = `mutation($signed: SignedTransactionInput!) {
  submitTransaction(signed: $signed) { hash channel height leafIndex status }
}`;

describe('node walk-through: login, users, submit, proofs verified offline, refresh tokens, API keys', () => {
  let t: TestNode;
  let keystore: Keystore;
  let admin: string;
  let refresh: string;
  let alice: { id: string; keyId: string; token: string };
  let recorded: { hash: string; leafIndex: number; height: number };

  beforeAll(async () => {
    t = await startTestNode();
    keystore = await t.keystore();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('created the development consortium on first start: 14 admins, credentials file mode 0600, printed once', async () => {
    expect(t.credentials.users).toHaveLength(14);
    expect(t.credentials.users.map((u) => u.organization)).toContain('reading-a');
    expect(t.credentials.users.map((u) => u.organization)).toContain('arbitrator');
    expect((await stat(join(t.home, 'dev-credentials.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(t.home, 'dev-passphrase'))).mode & 0o777).toBe(0o600);
    expect(t.output.join('\n')).toContain(t.adminPassword('bank-a'));
  });

  it('logs in as the bank-a admin and answers me', async () => {
    const r = await t.gql<{ login: { accessToken: string; refreshToken: string; user: { organization: string; roles: string[] } } }>(LOGIN, {
      input: { organization: 'bank-a', username: 'admin', password: t.adminPassword('bank-a') },
    });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data!.login.user).toMatchObject({ organization: 'bank-a', roles: ['ADMIN'] });
    admin = r.body.data!.login.accessToken;
    refresh = r.body.data!.login.refreshToken;
    const me = await t.gql<{ me: Record<string, unknown> }>('{ me { kind organization name roles } }', {}, { token: admin });
    expect(me.body.data!.me).toEqual({ kind: 'USER', organization: 'bank-a', name: 'admin', roles: ['ADMIN'] });

    const wrong = await t.gql(LOGIN, { input: { organization: 'bank-a', username: 'admin', password: 'not the password' } });
    expect(codesOf(wrong)).toEqual(['UNAUTHENTICATED']);
    expect(wrong.body.errors![0].extensions!.reason).toBe('INVALID_CREDENTIALS');
  });

  it('creates a user whose key is registered on chain with a certificate from the org CA', async () => {
    const r = await t.gql<{ createUser: { id: string; keyId: string; certificate: string; status: string; organization: string } }>(
      'mutation($input: CreateUserInput!) { createUser(input: $input) { id organization username roles status keyId certificate } }',
      { input: { username: 'alice', password: 'alice-password-1', roles: ['OPERATOR'] } },
      { token: admin },
    );
    expect(r.body.errors).toBeUndefined();
    const user = r.body.data!.createUser;
    expect(user).toMatchObject({ organization: 'bank-a', status: 'ACTIVE' });

    // Offline: the certificate's key hashes to the registered key id, and the bank's CA signed it.
    const cert = new x509.X509Certificate(fromBase64(user.certificate));
    const publicKey = Buffer.from(cert.publicKey.rawData).subarray(-32);
    expect(keyIdOf(publicKey)).toBe(user.keyId);
    const orgs = await t.gql<{ organizations: { id: string; caCertificate: string }[] }>('{ organizations { id caCertificate } }', {}, { token: admin });
    const bank = orgs.body.data!.organizations.find((o) => o.id === 'bank-a')!;
    expect(await verifyUserCertificate(user.certificate, bank.caCertificate, publicKey)).toBe(true);
    expect(cert.subject).toContain('CN=alice');

    const again = await t.gql('mutation($input: CreateUserInput!) { createUser(input: $input) { id } }', { input: { username: 'alice', password: 'alice-password-2', roles: ['VIEWER'] } }, { token: admin });
    expect(codesOf(again)).toEqual(['CONFLICT']);

    const token = await t.login('bank-a', 'alice', 'alice-password-1');
    alice = { id: user.id, keyId: user.keyId, token };
  });

  it('records a document signed with the user key, and proves it offline against the signed checkpoint', async () => {
    const r = await t.gql<{ recordDocument: { hash: string; channel: string; status: string; leafIndex: number; height: number } }>(
      RECORD,
      { input: { channel: 'notary', id: 'loan-agreement-1', digest: digest(), title: 'Loan agreement' } },
      { token: alice.token },
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data!.recordDocument).toMatchObject({ channel: 'notary', status: 'COMMITTED' });
    recorded = r.body.data!.recordDocument;

    const info = await t.gql<{ nodeInfo: { verifierKey: string; consortiumId: string; nodeKeyName: string; version: string } }>('{ nodeInfo { consortiumId nodeKeyName verifierKey version } }');
    expect(info.body.data!.nodeInfo).toMatchObject({ consortiumId: 'dev', nodeKeyName: 'bank-a.node', version: '0.1.0' });
    const verifierKey = info.body.data!.nodeInfo.verifierKey;

    const cp = await t.gql<{ checkpoint: string }>('query($c: String!) { checkpoint(channel: $c) }', { c: 'notary' }, { token: alice.token });
    const { checkpoint } = verifyCheckpoint(cp.body.data!.checkpoint, [verifierKey]);
    expect(checkpoint.origin).toBe('zizhu/dev/notary');

    const proof = await t.gql<{ inclusionProof: { leafIndex: number; treeSize: number; leaf: string; proof: string[] } }>(
      'query($c: String!, $h: String!, $n: Int) { inclusionProof(channel: $c, txHash: $h, treeSize: $n) { leafIndex treeSize leaf proof } }',
      { c: 'notary', h: recorded.hash, n: checkpoint.treeSize },
      { token: alice.token },
    );
    expect(proof.body.errors).toBeUndefined();
    const p = proof.body.data!.inclusionProof;
    const leaf = fromBase64(p.leaf);
    expect(JSON.parse(leaf.toString('utf8'))).toMatchObject({ status: 'COMMITTED', tx: recorded.hash });
    expect(verifyInclusion(leafHash(leaf), p.leafIndex, p.treeSize, p.proof.map(fromBase64), checkpoint.root)).toBe(true);
    // A different leaf does not verify.
    expect(verifyInclusion(leafHash(Buffer.from('forged')), p.leafIndex, p.treeSize, p.proof.map(fromBase64), checkpoint.root)).toBe(false);

    const tx = await t.gql<{ transaction: { signer: string; method: string; status: string; args: { title: string } } }>(
      'query($h: String!) { transaction(hash: $h) { signer method status args } }',
      { h: recorded.hash },
      { token: alice.token },
    );
    expect(tx.body.data!.transaction).toMatchObject({ signer: alice.keyId, method: 'record', status: 'COMMITTED', args: { title: 'Loan agreement' } });

    const block = await t.gql<{ block: { height: number; transactions: { hash: string }[] } }>(
      'query($c: String!, $h: Int!) { block(channel: $c, height: $h) { height txCount transactions { hash leafIndex } } }',
      { c: 'notary', h: recorded.height },
      { token: alice.token },
    );
    expect(block.body.data!.block.transactions.map((x) => x.hash)).toContain(recorded.hash);
  });

  it('accepts a transaction the client signed itself, refuses a replay, a bad signature and a foreign key', async () => {
    const bankKey = keystore.signer('bank-a/admin');
    const signed = signTransaction({ channel: 'notary', contract: 'notary', method: 'record', args: { id: 'client-signed-1', digest: digest() }, ts: Date.now() }, bankKey);
    const r = await t.gql<{ submitTransaction: { hash: string; status: string } }>(SUBMIT, { signed }, { token: alice.token });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data!.submitTransaction.status).toBe('COMMITTED');

    const replay = await t.gql(SUBMIT, { signed }, { token: alice.token });
    expect(replay.body.errors![0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'REPLAYED' });

    // Changed after signing (with a fresh nonce, so it is not a replay): the signature no longer holds.
    const tampered = { ...signed, envelope: { ...signed.envelope, nonce: randomBytes(16).toString('hex'), args: { id: 'client-signed-2', digest: digest() } } };
    const bad = await t.gql(SUBMIT, { signed: tampered }, { token: alice.token });
    expect(bad.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'BAD_SIGNATURE' });

    const foreign = signTransaction({ channel: 'notary', contract: 'notary', method: 'record', args: { id: 'regulator-1', digest: digest() }, ts: Date.now() }, keystore.signer('regulator/admin'));
    const refused = await t.gql(SUBMIT, { signed: foreign }, { token: alice.token });
    expect(refused.body.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'FOREIGN_SIGNER' });

    const malformed = await t.gql(SUBMIT, { signed: { envelope: { v: 1 }, signature: 'AA==', publicKey: 'AA==' } }, { token: alice.token });
    expect(malformed.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'MALFORMED' });
  });

  it('proves the log consistent between two checkpoints', async () => {
    const info = await t.gql<{ nodeInfo: { verifierKey: string } }>('{ nodeInfo { verifierKey } }');
    const key = info.body.data!.nodeInfo.verifierKey;
    const cp1 = verifyCheckpoint((await t.gql<{ checkpoint: string }>('{ checkpoint(channel: "notary") }', {}, { token: admin })).body.data!.checkpoint, [key]).checkpoint;
    await t.gql(RECORD, { input: { id: 'later-1', digest: digest() } }, { token: admin });
    const cp2 = verifyCheckpoint((await t.gql<{ checkpoint: string }>('{ checkpoint(channel: "notary") }', {}, { token: admin })).body.data!.checkpoint, [key]).checkpoint;
    const r = await t.gql<{ consistencyProof: { proof: string[] } }>(
      'query($a: Int!, $b: Int) { consistencyProof(channel: "notary", fromSize: $a, toSize: $b) { fromSize toSize proof } }',
      { a: cp1.treeSize, b: cp2.treeSize },
      { token: admin },
    );
    expect(r.body.errors).toBeUndefined();
    expect(verifyConsistency(cp1.treeSize, cp2.treeSize, r.body.data!.consistencyProof.proof.map(fromBase64), cp1.root, cp2.root)).toBe(true);

    const blocks = await t.gql<{ blocks: { edges: { node: { height: number } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(
      '{ blocks(channel: "notary", first: 2) { edges { cursor node { height } } pageInfo { hasNextPage endCursor } } }',
      {},
      { token: admin },
    );
    const heights = blocks.body.data!.blocks.edges.map((e) => e.node.height);
    expect(heights[0]).toBeGreaterThan(heights[1]);
    const next = await t.gql<{ blocks: { edges: { node: { height: number } }[] } }>(
      'query($after: String) { blocks(channel: "notary", first: 100, after: $after) { edges { node { height } } } }',
      { after: blocks.body.data!.blocks.pageInfo.endCursor },
      { token: admin },
    );
    expect(next.body.data!.blocks.edges[0].node.height).toBe(heights[1] - 1);
    expect(next.body.data!.blocks.edges.at(-1)!.node.height).toBe(0);
  });

  it('rotates refresh tokens: a used one is refused and ends the whole session family', async () => {
    const first = await t.gql<{ refreshToken: { accessToken: string; refreshToken: string } }>(REFRESH, { t: refresh });
    expect(first.body.errors).toBeUndefined();
    const rotated = first.body.data!.refreshToken;
    const me = await t.gql<{ me: { name: string } }>('{ me { name } }', {}, { token: rotated.accessToken });
    expect(me.body.data!.me.name).toBe('admin');

    const reused = await t.gql(REFRESH, { t: refresh });
    expect(reused.body.errors![0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'REFRESH_TOKEN_REUSED' });
    // The reuse revoked the family: the token issued by the rotation is dead too.
    const afterTheft = await t.gql(REFRESH, { t: rotated.refreshToken });
    expect(codesOf(afterTheft)).toEqual(['UNAUTHENTICATED']);
    const unknown = await t.gql(REFRESH, { t: randomBytes(32).toString('base64url') });
    expect(unknown.body.errors![0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INVALID_REFRESH_TOKEN' });
  });

  it('issues an API key that works for a machine, records its last use, and stops working once revoked', async () => {
    const issued = await t.gql<{ issueApiKey: { secret: string; apiKey: { id: string; keyId: string; roles: string[] } } }>(
      'mutation($input: IssueApiKeyInput!) { issueApiKey(input: $input) { secret apiKey { id keyId roles status } } }',
      { input: { name: 'core banking gateway', roles: ['OPERATOR'] } },
      { token: admin },
    );
    expect(issued.body.errors).toBeUndefined();
    const { secret, apiKey } = issued.body.data!.issueApiKey;
    expect(secret).toMatch(/^zk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);

    const me = await t.gql<{ me: { kind: string; organization: string; roles: string[] } }>('{ me { kind organization roles } }', {}, { apiKey: secret });
    expect(me.body.data!.me).toEqual({ kind: 'API_KEY', organization: 'bank-a', roles: ['OPERATOR'] });
    const rec = await t.gql<{ recordDocument: { hash: string; status: string } }>(RECORD, { input: { id: 'from-machine-1', digest: digest() } }, { apiKey: secret });
    expect(rec.body.data!.recordDocument.status).toBe('COMMITTED');
    const tx = await t.gql<{ transaction: { signer: string } }>('query($h: String!) { transaction(hash: $h) { signer } }', { h: rec.body.data!.recordDocument.hash }, { apiKey: secret });
    expect(tx.body.data!.transaction.signer).toBe(apiKey.keyId);

    const listed = await t.gql<{ apiKeys: { edges: { node: { id: string; lastUsedAt: string | null } }[] } }>('{ apiKeys { edges { node { id lastUsedAt } } } }', {}, { token: admin });
    expect(listed.body.data!.apiKeys.edges.find((e) => e.node.id === apiKey.id)!.node.lastUsedAt).not.toBeNull();

    // An operator may not grant itself more than it has, nor manage keys at all.
    const escalate = await t.gql('mutation { issueApiKey(input: { name: "x", roles: [ADMIN] }) { secret } }', {}, { apiKey: secret });
    expect(codesOf(escalate)).toEqual(['FORBIDDEN']);

    const revoked = await t.gql<{ revokeApiKey: { status: string } }>('mutation($id: ID!) { revokeApiKey(id: $id) { status } }', { id: apiKey.id }, { token: admin });
    expect(revoked.body.data!.revokeApiKey.status).toBe('REVOKED');
    const after = await t.gql('{ me { kind } }', {}, { apiKey: secret });
    expect(after.body.errors![0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INVALID_API_KEY' });
    const wrongSecret = await t.gql('{ me { kind } }', {}, { apiKey: `zk_${apiKey.id}_${randomBytes(32).toString('base64url')}` });
    expect(codesOf(wrongSecret)).toEqual(['UNAUTHENTICATED']);
  });

  it('revokes a user: sessions end and the key is revoked on chain', async () => {
    const r = await t.gql<{ revokeUser: { status: string } }>('mutation($id: ID!) { revokeUser(id: $id) { status revokedAt } }', { id: alice.id }, { token: admin });
    expect(r.body.data!.revokeUser.status).toBe('REVOKED');
    const me = await t.gql('{ me { name } }', {}, { token: alice.token });
    expect(me.body.errors![0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'USER_INACTIVE' });
    const login = await t.gql(LOGIN, { input: { organization: 'bank-a', username: 'alice', password: 'alice-password-1' } });
    expect(codesOf(login)).toEqual(['UNAUTHENTICATED']);

    // The keystore on disk holds alice's key (saved when she was created); the ledger no longer accepts it.
    const reopened = await t.keystore();
    const signed = signTransaction({ channel: 'notary', contract: 'notary', method: 'record', args: { id: 'after-revocation', digest: digest() }, ts: Date.now() }, reopened.signer(`user/${alice.id}`));
    const refused = await t.gql(SUBMIT, { signed }, { token: admin });
    expect(refused.body.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'UNKNOWN_SIGNER' });
  });

  it('keeps an audit trail of logins and identity changes, for the organisation only', async () => {
    const token = await t.login('bank-a', 'admin', t.adminPassword('bank-a'));
    const r = await t.gql<{ auditRecords: { edges: { node: { action: string; organization: string } }[] } }>('{ auditRecords(first: 100) { edges { node { action organization actorName target } } } }', {}, { token });
    const actions = new Set(r.body.data!.auditRecords.edges.map((e) => e.node.action));
    for (const a of ['LOGIN_SUCCEEDED', 'LOGIN_FAILED', 'USER_CREATED', 'USER_REVOKED', 'API_KEY_ISSUED', 'API_KEY_REVOKED', 'REFRESH_TOKEN_REUSED', 'TOKEN_REFRESHED']) expect(actions).toContain(a);
    expect(r.body.data!.auditRecords.edges.every((e) => e.node.organization === 'bank-a')).toBe(true);
  });

  it('restarts on the same ledger and home: keystore and genesis loaded, no new consortium, proofs still hold', async () => {
    const before = (await t.gql<{ checkpoint: string }>('{ checkpoint(channel: "notary") }', {}, { token: admin })).body.data!.checkpoint;
    const printed = t.output.length;
    await t.restart();
    // Nothing created, nothing printed but the ready line (URL, sandbox, where the credentials are).
    expect(t.output.slice(printed)).toEqual([expect.stringMatching(/^Zizhu node ready: GraphQL http:\/\/127\.0\.0\.1:\d+\/graphql \| sandbox: .* \| demo credentials: .*dev-credentials\.json$/)]);
    const token = await t.login('bank-a', 'admin', t.adminPassword('bank-a'));
    const after = (await t.gql<{ checkpoint: string }>('{ checkpoint(channel: "notary") }', {}, { token })).body.data!.checkpoint;
    expect(after).toBe(before);
    const rec = await t.gql<{ recordDocument: { status: string } }>(RECORD, { input: { id: 'after-restart', digest: digest() } }, { token });
    expect(rec.body.data!.recordDocument.status).toBe('COMMITTED');
    admin = token;
  });

  it('serves health, readiness and Prometheus metrics', async () => {
    expect(await (await fetch(`${t.url}/health`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: 'ok', chain: 'ok' } });
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/zizhu_blocks_committed_total\{channel="notary"\} [1-9]/);
    expect(metrics).toMatch(/zizhu_transactions_committed_total\{channel="notary",status="COMMITTED"\} [1-9]/);
    expect(metrics).toMatch(/zizhu_commit_latency_seconds_count\{channel="notary"\} [1-9]/);
    expect(metrics).toMatch(/zizhu_http_requests_total\{method="POST",route="\/graphql",status="200"\} [1-9]/);
    expect(metrics).toMatch(/zizhu_graphql_operations_total\{type="mutation",outcome="ok"\} [1-9]/);
    // Queue depths: every queue in every state, and whether Redis answered.
    for (const queue of ['checkpoint-webhook', 'cleanup']) {
      for (const state of ['waiting', 'active', 'delayed', 'failed', 'outbox']) expect(metrics).toMatch(new RegExp(`zizhu_queue_jobs\\{queue="${queue}",state="${state}"\\} \\d+`));
    }
    expect(metrics).toMatch(/zizhu_queue_redis_up 1/);
  });

  it('keeps secrets out of the clear: the keystore is encrypted and passwords are scrypt hashes', async () => {
    expect(JSON.stringify(keystore.toJSON())).not.toContain(t.adminPassword('bank-a'));
    const client = new pg.Client({ connectionString: t.db.url });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT password_hash FROM users WHERE org = 'bank-a' AND username = 'admin'");
      expect(rows[0].password_hash).toMatch(/^scrypt\$16384|^scrypt\$1024\$/);
      expect(rows[0].password_hash).not.toContain(t.adminPassword('bank-a'));
      const tokens = await client.query('SELECT token_hash FROM refresh_tokens');
      expect(tokens.rows.map((r) => r.token_hash)).not.toContain(refresh);
    } finally {
      await client.end();
    }
  });
});
