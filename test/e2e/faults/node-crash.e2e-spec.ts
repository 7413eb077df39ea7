import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { join } from 'node:path';
import { signTransaction, type SignedTransaction } from '@zizhu/chain';
import { codesOf } from '../../support/node.js';
import { RECORD, SUBMIT, digest, graphqlClient, login, nodeHomeDir, runCli, spawnNode, transactionsInLog, withOutput, type NodeHomeDir, type NodeProcess } from './support.js';

/**
 * `kill -9` of the node while clients submit through GraphQL: a transaction the node acknowledged
 * (answered COMMITTED) is durable, so it is in the log after a restart; a client that retries what
 * it never heard back about gets it committed once (or REPLAYED), never twice; the ledger verifies.
 */
describe('kill -9 of the node while clients submit', () => {
  let dir: NodeHomeDir;
  let node: NodeProcess | undefined;

  beforeAll(async () => {
    dir = await nodeHomeDir('zizhu_faults_crash');
  });
  afterAll(async () => {
    await node?.kill9();
    await dir?.cleanup();
  });

  interface Stream {
    /** Acknowledged (COMMITTED) transaction hashes, and how they were sent. */
    acked: Map<string, 'record' | 'signed'>;
    ackedSigned: SignedTransaction[];
    /** Client-signed transactions sent but never answered (in flight when the node died). */
    unanswered: SignedTransaction[];
    failedRequests: number;
  }

  /** Clients submit concurrently until `killAfter` are acknowledged; then the node is killed with SIGKILL mid-stream. */
  async function submitAndKill(n: NodeProcess, killAfter: number): Promise<Stream> {
    const gql = graphqlClient(n.url);
    const token = await login(gql, 'bank-a', 'admin', await dir.adminPassword('bank-a'));
    const signer = (await dir.keystore()).signer('bank-a/admin');
    const s: Stream = { acked: new Map(), ackedSigned: [], unanswered: [], failedRequests: 0 };
    const errorsBeforeKill: unknown[] = [];
    let killed = false;
    let reachedKillPoint!: () => void;
    const killPoint = new Promise<void>((resolve) => (reachedKillPoint = resolve));

    // Half the clients call recordDocument (the node signs with the admin's key), half submit
    // transactions they signed themselves with the bank's admin key (registered in genesis).
    const client = async (c: number) => {
      for (let i = 0; ; i++) {
        const signed = c % 2 === 1 ? signTransaction({ channel: 'notary', contract: 'notary', method: 'record', args: { id: `c${c}-${i}`, digest: digest() }, ts: Date.now() }, signer) : undefined;
        let r;
        try {
          r = signed
            ? await gql<{ submitTransaction: { hash: string; status: string } }>(SUBMIT, { s: signed }, token)
            : await gql<{ recordDocument: { hash: string; status: string } }>(RECORD, { i: { id: `r${c}-${i}`, digest: digest() } }, token);
        } catch (e) {
          // No answer: the node is gone. Not acknowledged, so the client may retry it.
          s.failedRequests++;
          if (signed) s.unanswered.push(signed);
          if (!killed) errorsBeforeKill.push(e);
          return;
        }
        const receipt = (r.body.data as Record<string, { hash: string; status: string }> | null | undefined)?.[signed ? 'submitTransaction' : 'recordDocument'];
        if (!receipt || receipt.status !== 'COMMITTED') {
          errorsBeforeKill.push(r.body.errors ?? r.body);
          return;
        }
        s.acked.set(receipt.hash, signed ? 'signed' : 'record');
        if (signed) s.ackedSigned.push(signed);
        if (s.acked.size >= killAfter) reachedKillPoint();
      }
    };
    const clients = Array.from({ length: 12 }, (_, c) => client(c));
    // A client that stops early (an error before the kill) must not leave the kill point waiting.
    void Promise.all(clients).then(() => reachedKillPoint());
    await killPoint;
    killed = true;
    await n.kill9();
    await Promise.all(clients);
    expect(errorsBeforeKill).toEqual([]);
    return s;
  }

  it('every acknowledged transaction is in the log after restart; retries are idempotent; ledger verify passes', async () => {
    const killAfter = 250 + Math.floor(Math.random() * 250);
    const first = (node = await spawnNode(dir.env));
    const s = await withOutput(first, () => submitAndKill(first, killAfter));
    expect(s.acked.size).toBeGreaterThanOrEqual(killAfter);
    // The clients were mid-stream: requests were in flight when the node died.
    expect(s.failedRequests).toBeGreaterThan(0);

    // Restart on the same database and home.
    const second = (node = await spawnNode(dir.env));
    await withOutput(second, async () => {
      const gql = graphqlClient(second.url);
      const token = await login(gql, 'bank-a', 'admin', await dir.adminPassword('bank-a'));

      const inLog = await transactionsInLog(gql, token, [...s.acked.keys()]);
      expect([...s.acked.keys()].filter((h) => !inLog.has(h))).toEqual([]);
      expect([...inLog.values()].every((t) => t.status === 'COMMITTED')).toBe(true);

      // A retry of an unanswered client-signed transaction commits it, or is refused as REPLAYED
      // because it did commit before the crash: either way it is in the log exactly once.
      const retried: string[] = [];
      for (const signed of s.unanswered) {
        const r = await gql<{ submitTransaction: { hash: string; status: string } }>(SUBMIT, { s: signed }, token);
        if (r.body.data?.submitTransaction) {
          expect(r.body.data.submitTransaction.status).toBe('COMMITTED');
          retried.push(r.body.data.submitTransaction.hash);
        } else {
          expect(r.body.errors![0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'REPLAYED' });
        }
      }
      // The replay window was rebuilt from the log: an acknowledged transaction sent again is refused.
      const again = await gql(SUBMIT, { s: s.ackedSigned[0] }, token);
      expect(codesOf(again)).toEqual(['CONFLICT']);
      expect(again.body.errors![0].extensions!.reason).toBe('REPLAYED');

      // New work commits after the restart.
      const fresh = await gql<{ recordDocument: { hash: string; status: string } }>(RECORD, { i: { id: 'after-restart', digest: digest() } }, token);
      expect(fresh.body.data?.recordDocument.status).toBe('COMMITTED');
      expect((await transactionsInLog(gql, token, [...retried, fresh.body.data!.recordDocument.hash])).size).toBe(retried.length + 1);

      const info = await gql<{ nodeInfo: { verifierKey: string } }>('{ nodeInfo { verifierKey } }');
      const verifierKey = info.body.data!.nodeInfo.verifierKey;
      await second.stop();
      expect(second.output()).not.toMatch(/"level":"(error|fatal)"/);

      // Every hash, signature, root and checkpoint, against the node's genesis and verifier key.
      const verify = await runCli(['ledger', 'verify', '--database-url', dir.db.url, '--genesis', join(dir.home, 'genesis.json'), '--trust', verifierKey]);
      expect(verify.stderr).toBe('');
      expect(verify.stdout).toMatch(/^ledger verify: OK/m);
      expect(verify.code).toBe(0);
    });
  });
});
