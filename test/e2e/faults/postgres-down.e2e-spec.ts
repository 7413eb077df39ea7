import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { join } from 'node:path';
import { signTransaction, txHash, type SignedTransaction } from '@zizhu/chain';
import type { Ed25519Signer } from '@zizhu/crypto';
import { TEST_ADMIN_URL } from '../../support/database.js';
import type { GraphQLResponse } from '../../support/node.js';
import {
  RECORD,
  SUBMIT,
  TcpProxy,
  digest,
  graphqlClient,
  login,
  nodeHomeDir,
  runCli,
  sleep,
  spawnNode,
  transactionsInLog,
  waitFor,
  withOutput,
  within,
  type Gql,
  type NodeHomeDir,
  type NodeProcess,
} from './support.js';

/**
 * PostgreSQL "goes down" under a running node without stopping the shared server: the node reaches
 * it through a TCP proxy the test cuts (connections reset, new ones refused) and restores. While it
 * is down: UNAVAILABLE errors with a reason (never INTERNAL), the process keeps running, /ready says
 * not ready. When it returns: reads and submits work again without a restart.
 *
 * It goes down twice, each time in the middle of a block commit (the proxy watches the node's SQL):
 * once before the block's COMMIT was sent (the block never lands), once right after (it lands, but
 * the node never hears so). Either way the block's submits answer UNAVAILABLE (COMMIT_UNCERTAIN),
 * and a client retrying what it signed ends up with it in the log exactly once.
 */

/** The PostgreSQL wire messages of a simple-query `BEGIN` and `COMMIT` ('Q', int32 length, the text, NUL). */
const BEGIN_MESSAGE = 'Q\0\0\0\x0aBEGIN\0';
const COMMIT_MESSAGE = 'Q\0\0\0\x0bCOMMIT\0';
/** The name of the prepared statement that writes a block's ledger rows (PgLedgerStore.commitBlock). */
const BLOCK_STATEMENT = 'zz_commit_block';

describe('PostgreSQL down', () => {
  let dir: NodeHomeDir;
  let proxy: TcpProxy;
  let node: NodeProcess | undefined;

  beforeAll(async () => {
    dir = await nodeHomeDir('zizhu_faults_pg');
    const admin = new URL(TEST_ADMIN_URL);
    proxy = await TcpProxy.start({ host: admin.hostname, port: Number(admin.port || 5432) });
  });
  afterAll(async () => {
    await node?.kill9();
    await proxy?.close();
    await dir?.cleanup();
  });

  const proxied = (url: string) => {
    const u = new URL(url);
    u.port = String(proxy.port);
    return u.toString();
  };
  const codes = (r: GraphQLResponse) => (r.body.errors ?? []).map((e) => e.extensions?.code);
  const FIELD: Record<string, string> = { record: 'recordDocument', submit: 'submitTransaction' };

  it('answers UNAVAILABLE while the database is unreachable, does not crash, and recovers when it returns', async () => {
    node = await spawnNode({ ...dir.env, DATABASE_URL: proxied(dir.db.url) });
    const n = node;
    await withOutput(n, async () => {
      const gql = graphqlClient(n.url);
      const token = await login(gql, 'bank-a', 'admin', await dir.adminPassword('bank-a'));
      const signer = (await dir.keystore()).signer('bank-a/admin');

      const first = await gql<{ recordDocument: { hash: string; status: string } }>(RECORD, { i: { id: 'before', digest: digest() } }, token);
      expect(first.body.data?.recordDocument.status).toBe('COMMITTED');
      const known = first.body.data!.recordDocument.hash;
      const ops = operations(gql, token, signer, known);
      for (const op of Object.values(ops)) expect(codes(await op())).toEqual([]);
      const committed: string[] = [known];

      for (const [scenario, tag, first, then] of [
        // Once a block's rows were sent inside its transaction, before its COMMIT.
        ['cut before the COMMIT', 'before-commit', BEGIN_MESSAGE, BLOCK_STATEMENT],
        ['cut after the COMMIT', 'after-commit', BLOCK_STATEMENT, COMMIT_MESSAGE],
      ] as const) {
        // A burst of submits; the first block that writes after the trigger is armed is cut.
        const cut = proxy.cutAfter(first, then);
        const burst = Array.from({ length: 20 }, (_, i) => {
          const s = i % 2 ? undefined : sign(signer, `${tag}-${i}`);
          return { s, answer: s ? gql(SUBMIT, { s }, token) : ops.record() };
        });
        await within(30_000, `${scenario}: a block commit to cut`, cut);
        const reasons: string[] = [];
        for (const { answer } of burst) {
          const r = (await answer) as GraphQLResponse<Record<string, { hash: string; status: string }>>;
          const receipt = r.body.data?.recordDocument ?? r.body.data?.submitTransaction;
          if (receipt) committed.push(receipt.hash);
          else {
            expect(codes(r)).toEqual(['UNAVAILABLE']);
            reasons.push(String(r.body.errors![0].extensions!.reason));
          }
        }
        expect({ scenario, uncertain: reasons.includes('COMMIT_UNCERTAIN') }).toEqual({ scenario, uncertain: true });

        // Down for a while: everything that needs the database says UNAVAILABLE with a reason; the
        // process stays up (no crash, no exit-and-restart); /ready says not ready; /health is fine.
        for (let round = 0; round < 3; round++) {
          for (const [name, op] of Object.entries(ops)) {
            const r = await op();
            expect({ name, data: r.body.data?.[FIELD[name] ?? name] ?? null, codes: codes(r) }).toEqual({ name, data: null, codes: ['UNAVAILABLE'] });
            expect(r.body.errors![0].extensions!.reason).toEqual(expect.any(String));
          }
          const ready = await fetch(`${n.url}/ready`);
          expect(ready.status).toBe(503);
          expect(await ready.json()).toMatchObject({ status: 'not ready', checks: { database: expect.stringMatching(/^down/) } });
          expect((await fetch(`${n.url}/health`)).status).toBe(200);
          expect(n.alive()).toBe(true);
          await sleep(300);
        }
        expect(proxy.refused).toBeGreaterThan(0);

        // Back: the node recovers on its own, without a restart.
        proxy.restore();
        await waitFor('/ready to answer 200 again', async () => ((await fetch(`${n.url}/ready`)).status === 200 ? true : undefined), 60_000, 250);
        let last: GraphQLResponse | undefined;
        await waitFor(
          `${scenario}: a submit to commit again`,
          async () => {
            last = await ops.record();
            return codes(last).length === 0 ? true : undefined;
          },
          60_000,
          500,
        ).catch((e: Error) => {
          throw new Error(`${e.message}; last answer: ${JSON.stringify(last?.body)}`);
        });
        for (const [name, op] of Object.entries(ops)) {
          const r = await op();
          expect({ name, codes: codes(r) }).toEqual({ name, codes: [] });
          const receipt = (r.body.data as Record<string, { hash?: string; status?: string }>)[FIELD[name] ?? name];
          if (FIELD[name]) {
            expect(receipt.status).toBe('COMMITTED');
            committed.push(receipt.hash!);
          }
        }

        // The burst's clients retry what they signed and never heard back about: what the cut block
        // wrote is refused as REPLAYED (it is in the log), anything else commits now.
        const unanswered = burst.flatMap(({ s }) => (s ? [s] : [])).filter((s) => !committed.includes(txHash(s.envelope)));
        const before = await transactionsInLog(gql, token, unanswered.map((s) => txHash(s.envelope)));
        if (scenario === 'cut before the COMMIT') expect(before.size).toBe(0);
        for (const s of unanswered) {
          const r = await gql<{ submitTransaction: { hash: string; status: string } }>(SUBMIT, { s }, token);
          if (before.has(txHash(s.envelope))) expect(r.body.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'REPLAYED' });
          else expect(r.body.data?.submitTransaction.status).toBe('COMMITTED');
          committed.push(txHash(s.envelope));
        }
      }

      expect((await transactionsInLog(gql, token, committed)).size).toBe(new Set(committed).size);
      expect(n.alive()).toBe(true);
      expect(n.output()).not.toMatch(/"level":"fatal"|Unhandled 'error' event/);
      await n.stop();
      const verify = await runCli(['ledger', 'verify', '--database-url', dir.db.url, '--genesis', join(dir.home, 'genesis.json')]);
      expect(verify.stdout + verify.stderr).toMatch(/^ledger verify: OK/m);
      expect(verify.code).toBe(0);
    });
  });

  const sign = (signer: Ed25519Signer, id: string): SignedTransaction =>
    signTransaction({ channel: 'notary', contract: 'notary', method: 'record', args: { id, digest: digest() }, ts: Date.now() }, signer);

  /** The ways a client reads and writes (each answers data, or errors with codes). */
  function operations(gql: Gql, token: string, signer: Ed25519Signer, known: string) {
    let n = 0;
    const id = () => `op-${Date.now()}-${n++}`;
    return {
      record: () => gql(RECORD, { i: { id: id(), digest: digest() } }, token),
      submit: () => gql(SUBMIT, { s: sign(signer, id()) }, token),
      transaction: () => gql(`{ transaction(hash: "${known}") { hash status } }`, {}, token),
      inclusionProof: () => gql(`{ inclusionProof(channel: "notary", txHash: "${known}") { leafIndex treeSize } }`, {}, token),
      blocks: () => gql('{ blocks(channel: "notary", first: 2) { edges { node { height } } } }', {}, token),
      organizations: () => gql('{ organizations { id } }', {}, token),
      login: async () => gql('mutation($i: LoginInput!) { login(input: $i) { accessToken } }', { i: { organization: 'bank-a', username: 'admin', password: await dir.adminPassword('bank-a') } }),
    };
  }
});
