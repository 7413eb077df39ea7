import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { signTransaction, verifyCheckpoint } from '@zizhu/chain';
import { bootNode, type RunningNode } from '@zizhu/node';
import { CommitterJobsService, FORWARDED_TRANSACTIONS_PATH, LedgerService } from '@zizhu/platform';
import { TEST_ENV, headersFor, startTestNode, subscribe, type GraphQLResponse, type TestNode } from '../../support/node.js';

/**
 * Replicas: a second API process on the same database and ZIZHU_HOME serves queries itself and
 * forwards mutations to the process that commits; when that process goes away, the replica takes
 * the commit over and serves everything.
 */
describe('API replicas', () => {
  let committer: TestNode;
  let replica: RunningNode;
  const printed: string[] = [];
  let sql: pg.Client;

  beforeAll(async () => {
    committer = await startTestNode();
    replica = await bootNode({
      env: { ...TEST_ENV, DATABASE_URL: committer.db.url, ZIZHU_HOME: committer.home, QUEUE_PREFIX: committer.node.config.QUEUE_PREFIX, REPLICA_TAKEOVER_MS: '300' },
      listen: { host: '127.0.0.1', port: 0 },
      output: (text) => printed.push(text),
      logger: false,
    });
    sql = new pg.Client({ connectionString: committer.db.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await replica?.close();
    await committer?.close();
  });

  const on = async <T = Record<string, unknown>>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GraphQLResponse<T>> => {
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers: headersFor(token ? { token } : undefined), body: JSON.stringify({ query, variables }) });
    return { status: res.status, body: (await res.json()) as GraphQLResponse<T>['body'] };
  };
  const RECORD = 'mutation($i: RecordDocumentInput!) { recordDocument(input: $i) { hash status height } }';
  const record = (url: string, token: string, id: string) => on<{ recordDocument: { hash: string; status: string; height: number } }>(url, RECORD, { i: { id, digest: randomBytes(32).toString('hex') } }, token);
  async function eventually<T>(what: string, f: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await f().catch(() => undefined);
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('serves queries, forwards mutations to the committer, and takes over when it goes away', async () => {
    expect(printed.join('\n')).toMatch(/replica: another process commits this ledger/);
    const url = replica.url!;
    // login is a mutation: forwarded, answered by the committer, valid on both.
    const login = await on<{ login: { accessToken: string } }>(url, 'mutation($i: LoginInput!) { login(input: $i) { accessToken } }', {
      i: { organization: 'bank-a', username: 'admin', password: committer.adminPassword('bank-a') },
    });
    const token = login.body.data!.login.accessToken;
    expect((await on<{ me: { organization: string } }>(url, '{ me { organization } }', {}, token)).body.data?.me.organization).toBe('bank-a');

    // A write through the replica commits (on the committer); the replica then reads it.
    const r = await record(url, token, 'via-replica');
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data?.recordDocument.status).toBe('COMMITTED');
    const { hash, height } = r.body.data!.recordDocument;
    expect((await on<{ transaction: { hash: string } }>(url, `{ transaction(hash: "${hash}") { hash } }`, {}, token)).body.data?.transaction.hash).toBe(hash);
    const proof = await eventually('the replica to see the new block', async () => {
      const p = await on<{ checkpoint: string; inclusionProof: { treeSize: number } }>(url, `{ checkpoint(channel: "notary") inclusionProof(channel: "notary", txHash: "${hash}") { treeSize } }`, {}, token);
      return p.body.data?.inclusionProof ? p.body.data : undefined;
    });
    const verifier = (await on<{ nodeInfo: { verifierKey: string } }>(url, '{ nodeInfo { verifierKey } }')).body.data!.nodeInfo.verifierKey;
    expect(verifyCheckpoint(proof.checkpoint, [verifier]).checkpoint.height).toBeGreaterThanOrEqual(height);
    const channels = await on<{ channels: { name: string; height: number }[] }>(url, '{ channels { name height } }', {}, token);
    expect(channels.body.data?.channels.find((c) => c.name === 'notary')?.height).toBeGreaterThanOrEqual(height);

    // A client-signed transaction through the replica.
    const keystore = await committer.keystore();
    const signed = signTransaction({ channel: 'notary', contract: 'notary', method: 'record', args: { id: 'signed-via-replica', digest: randomBytes(32).toString('hex') }, ts: Date.now() }, keystore.signer('bank-a/admin'));
    const submitted = await on<{ submitTransaction: { status: string } }>(url, 'mutation($s: SignedTransactionInput!) { submitTransaction(signed: $s) { status } }', { s: signed }, token);
    expect(submitted.body.data?.submitTransaction.status).toBe('COMMITTED');
    // Errors come back as the committer gave them.
    const again = await on(url, 'mutation($s: SignedTransactionInput!) { submitTransaction(signed: $s) { status } }', { s: signed }, token);
    expect(again.body.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'REPLAYED' });
    expect((await on(url, RECORD, { i: { id: 'x', digest: 'not hex' } })).body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');

    // Writes outside GraphQL mutations (HTTP routes, jobs) sign on the replica and commit on the
    // committer: the ledger service forwards the signed transaction between the node's processes.
    const ledger = replica.app.get(LedgerService);
    expect(ledger.isCommitter).toBe(false);
    // The committer's queues (jobs that submit with the node's keys) run where the ledger is committed only.
    expect(committer.node.app.get(CommitterJobsService).running).toBe(true);
    expect(replica.app.get(CommitterJobsService).running).toBe(false);
    const viaService = await ledger.submitWithKey('bank-a/admin', { channel: 'notary', contract: 'notary', method: 'record', args: { id: 'service-on-replica', digest: randomBytes(32).toString('hex') } });
    expect(viaService.status).toBe('COMMITTED');
    await expect(ledger.submitWithKey('bank-a/admin', { channel: 'notary', contract: 'notary', method: 'record', args: { id: 'service-on-replica', digest: randomBytes(32).toString('hex') } })).resolves.toMatchObject({
      status: 'REVERTED',
      error: { code: 'ALREADY_RECORDED' },
    });
    // Nobody else can use that door.
    const outsider = await fetch(`${committer.url}${FORWARDED_TRANSACTIONS_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-zizhu-node-auth': 'guess' }, body: JSON.stringify(signed) });
    expect(outsider.status).toBe(401);
    expect(((await outsider.json()) as { error: { reason: string } }).error.reason).toBe('NOT_THIS_NODE');

    // A subscriber on the replica hears of blocks the committer writes.
    const sub = subscribe<{ blockCommitted: { height: number; transactions: { hash: string }[] } }>(url, 'subscription { blockCommitted(channel: "notary") { height transactions { hash } } }', {}, { token });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const direct = await record(committer.url, token, 'heard-on-replica');
      // Blocks arrive in order; the replica may still be publishing ones before this.
      const heights: number[] = [];
      for (;;) {
        const heard = (await sub.next(10_000)).data!.blockCommitted;
        heights.push(heard.height);
        if (heard.height === direct.body.data!.recordDocument.height) {
          expect(heard.transactions.map((t) => t.hash)).toEqual([direct.body.data!.recordDocument.hash]);
          break;
        }
      }
      expect(heights).toEqual([...heights].sort((a, b) => a - b));
    } finally {
      sub.dispose();
    }

    // The committer goes away: the replica takes the commit over and writes itself.
    await committer.node.close();
    const after = await eventually('the replica to commit by itself', async () => {
      const w = await record(url, token, `after-takeover-${Date.now()}`);
      return w.body.data?.recordDocument.status === 'COMMITTED' ? w.body.data.recordDocument : undefined;
    });
    expect(after.height).toBeGreaterThan(height);
    expect(replica.app.get(CommitterJobsService).running).toBe(true);
    expect((await sql.query<{ url: string; pid: number }>('SELECT url, pid FROM node_committer')).rows).toEqual([{ url, pid: process.pid }]);
  });
});
