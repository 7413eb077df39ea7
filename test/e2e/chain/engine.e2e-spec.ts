import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import {
  Chain,
  contractCodeHash,
  leafHash,
  signTransaction,
  txHash,
  verifyCheckpoint,
  verifyConsistency,
  verifyInclusion,
  type SignedTransaction,
} from '@zizhu/chain';
import { Ed25519Signer, fromBase64, generateEd25519, toBase64, type Keystore } from '@zizhu/crypto';
import { NotaryContract } from '@zizhu/contract-sample';
import type { GenesisDocument } from '@zizhu/contract-system';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { openChain, testConsortium } from '../../support/chain-fixture.js';

const digest = () => randomBytes(32).toString('hex');

describe('chain engine on PostgreSQL', () => {
  let db: TestDatabase;
  let chain: Chain;
  let genesis: GenesisDocument;
  let keystore: Keystore;
  let bank: Ed25519Signer;
  let regulator: Ed25519Signer;
  let platform: Ed25519Signer;
  let outsider: Ed25519Signer;
  let now = Date.now();
  const clock = () => now;
  const tx = (signer: Ed25519Signer, method: string, args: Record<string, unknown>, extra: { channel?: string; ts?: number; nonce?: string; contract?: string } = {}) =>
    signTransaction({ channel: extra.channel ?? 'notary', contract: extra.contract ?? 'notary', method, args: args as never, ts: extra.ts ?? now, nonce: extra.nonce }, signer);
  const sys = (signer: Ed25519Signer, method: string, args: Record<string, unknown>) => tx(signer, method, args, { channel: 'system', contract: 'system' });

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ genesis, keystore } = await testConsortium(now));
    bank = keystore.signer('bank-a/admin');
    regulator = keystore.signer('regulator/admin');
    platform = keystore.signer('platform-a/admin');
    outsider = keystore.signer('outsider/admin');
    chain = await openChain(db.url, genesis, keystore, { clock, config: { blockMaxTxs: 10, blockMaxWaitMs: 5 } });
  });
  afterAll(async () => {
    await chain?.close();
    await db?.drop();
  });

  async function logSize(): Promise<number> {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      return Number((await c.query('SELECT count(*) AS n FROM ledger_txs')).rows[0].n);
    } finally {
      await c.end();
    }
  }

  it('commits a signed transaction, with an inclusion proof to a signed checkpoint', async () => {
    const signed = tx(bank, 'record', { id: 'contract-1', digest: digest(), title: 'Loan agreement', amount: '125000' });
    const receipt = await chain.submit(signed);
    expect(receipt).toMatchObject({ status: 'COMMITTED', channel: 'notary', height: 1, leafIndex: 0, hash: txHash(signed.envelope) });
    expect(receipt.events[0]).toMatchObject({ type: 'Recorded' });

    const stored = await chain.transaction(receipt.hash);
    expect(stored?.status).toBe('COMMITTED');
    const { checkpoint } = verifyCheckpoint(chain.checkpoint('notary'), [chain.verifierKey]);
    const proof = await chain.inclusionProof('notary', receipt.hash);
    expect(proof.treeSize).toBe(checkpoint.treeSize);
    const leaf = fromBase64(proof.leaf);
    expect(JSON.parse(leaf.toString())).toMatchObject({ status: 'COMMITTED', tx: receipt.hash });
    expect(verifyInclusion(leafHash(leaf), proof.leafIndex, proof.treeSize, proof.proof.map(fromBase64), checkpoint.root)).toBe(true);
  });

  it('cuts blocks at BLOCK_MAX_TXS and keeps proofs consistent as the log grows', async () => {
    const before = verifyCheckpoint(chain.checkpoint('notary'), [chain.verifierKey]).checkpoint;
    const receipts = await Promise.all(Array.from({ length: 35 }, (_, i) => chain.submit(tx(platform, 'record', { id: `batch-${i}`, digest: digest() }))));
    const perBlock = new Map<number, number>();
    for (const r of receipts) perBlock.set(r.height, (perBlock.get(r.height) ?? 0) + 1);
    expect(Math.max(...perBlock.values())).toBeLessThanOrEqual(10);
    expect([...perBlock.values()].reduce((a, b) => a + b)).toBe(35);
    const after = verifyCheckpoint(chain.checkpoint('notary'), [chain.verifierKey]).checkpoint;
    const c = await chain.consistencyProof('notary', before.treeSize, after.treeSize);
    expect(verifyConsistency(before.treeSize, after.treeSize, c.proof.map(fromBase64), before.root, after.root)).toBe(true);
    // Every receipt is provable at the final size.
    for (const r of receipts.slice(0, 5)) {
      const p = await chain.inclusionProof('notary', r.hash);
      expect(verifyInclusion(leafHash(fromBase64(p.leaf)), p.leafIndex, p.treeSize, p.proof.map(fromBase64), after.root)).toBe(true);
    }
  });

  describe('refuses bad transactions before ordering, and they never reach the log', () => {
    const refusals: [string, () => unknown, string][] = [
      ['not an object', () => 'hello', 'MALFORMED'],
      ['missing signature', () => {
        const { signature: _s, ...rest } = tx(bank, 'record', { id: 'x1', digest: digest() });
        return rest;
      }, 'MALFORMED'],
      ['extra envelope field', () => {
        const s = tx(bank, 'record', { id: 'x2', digest: digest() });
        return { ...s, envelope: { ...s.envelope, extra: 1 } };
      }, 'MALFORMED'],
      ['floating-point argument', () => tx(bank, 'record', { id: 'x3', digest: digest(), amount: 1.5 }), 'MALFORMED'],
      ['bad base64', () => ({ ...tx(bank, 'record', { id: 'x4', digest: digest() }), signature: 'not base64!' }), 'MALFORMED'],
      ['the public key spelt with nonzero pad bits (the same bytes)', () => {
        const s = tx(bank, 'record', { id: 'x4b', digest: digest() });
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
        const last = s.publicKey[42];
        return { ...s, publicKey: `${s.publicKey.slice(0, 42)}${alphabet[alphabet.indexOf(last) | 1]}=` };
      }, 'MALFORMED'],
      ['wrong signature', () => {
        const s = tx(bank, 'record', { id: 'x5', digest: digest() });
        const sig = fromBase64(s.signature);
        sig[10] ^= 0xff;
        return { ...s, signature: toBase64(sig) };
      }, 'BAD_SIGNATURE'],
      ['signed by another key than the signer named', () => {
        const s = tx(bank, 'record', { id: 'x6', digest: digest() });
        const other = tx(regulator, 'record', { id: 'x6', digest: digest() });
        return { ...s, publicKey: other.publicKey, signature: other.signature };
      }, 'BAD_SIGNATURE'],
      ['tampered arguments after signing', () => {
        const s = tx(bank, 'record', { id: 'x7', digest: digest() });
        return { ...s, envelope: { ...s.envelope, args: { ...s.envelope.args, id: 'x7-forged' } } };
      }, 'BAD_SIGNATURE'],
      ['unknown signer', () => tx(new Ed25519Signer(generateEd25519().privateKey), 'record', { id: 'x8', digest: digest() }), 'UNKNOWN_SIGNER'],
      ['signer not a member of the channel', () => tx(outsider, 'record', { id: 'x9', digest: digest() }), 'UNKNOWN_SIGNER'],
      ['expired', () => tx(bank, 'record', { id: 'x10', digest: digest() }, { ts: now - 5 * 60_000 - 1 }), 'EXPIRED'],
      ['future-dated', () => tx(bank, 'record', { id: 'x11', digest: digest() }, { ts: now + 5 * 60_000 + 1 }), 'FUTURE_DATED'],
      ['unknown channel', () => tx(bank, 'record', { id: 'x12', digest: digest() }, { channel: 'nowhere' }), 'UNKNOWN_CHANNEL'],
      ['unknown contract', () => tx(bank, 'record', { id: 'x13', digest: digest() }, { contract: 'lending' }), 'UNKNOWN_CONTRACT'],
      ['contract not deployed on the channel', () => tx(bank, 'registerKey', { publicKey: 'x', roles: ['user'] }, { contract: 'system' }), 'UNKNOWN_CONTRACT'],
      ['unknown method', () => tx(bank, 'steal', { id: 'x14' }), 'UNKNOWN_METHOD'],
      ['inherited method name', () => tx(bank, 'constructor', {}), 'UNKNOWN_METHOD'],
      ['arguments failing the schema', () => tx(bank, 'record', { id: 'x15', digest: 'not-a-digest' }), 'INVALID_ARGS'],
      ['unexpected argument', () => tx(bank, 'record', { id: 'x16', digest: digest(), owner: 'me' }), 'INVALID_ARGS'],
      ['role the signer lacks', () => sys(keystoreUserSigner, 'registerKey', { publicKey: toBase64(generateEd25519().publicKey), roles: ['user'] }), 'FORBIDDEN'],
    ];
    let keystoreUserSigner: Ed25519Signer;
    beforeAll(async () => {
      keystoreUserSigner = new Ed25519Signer(generateEd25519().privateKey);
      await chain.submit(sys(bank, 'registerKey', { publicKey: toBase64(keystoreUserSigner.publicKey), roles: ['user'], label: 'teller' }));
    });

    it.each(refusals)('%s', async (_name, make, code) => {
      const before = await logSize();
      const input = make();
      await expect(chain.submit(input)).rejects.toMatchObject({ name: 'TransactionRefused', code });
      expect(await logSize()).toBe(before);
      const env = (input as SignedTransaction)?.envelope;
      if (env && typeof env === 'object' && 'nonce' in env) {
        try {
          expect(await chain.transaction(txHash(env))).toBeUndefined();
        } catch {
          // envelopes without a canonical form have no hash to look up
        }
      }
    });

    it('a replayed transaction (same signer and nonce) is refused, even with other content', async () => {
      const first = tx(bank, 'record', { id: 'replay-1', digest: digest() });
      await chain.submit(first);
      await expect(chain.submit(first)).rejects.toMatchObject({ code: 'REPLAYED' });
      const again = tx(bank, 'record', { id: 'replay-2', digest: digest() }, { nonce: first.envelope.nonce });
      await expect(chain.submit(again)).rejects.toMatchObject({ code: 'REPLAYED' });
      // Concurrent duplicates: exactly one is ordered.
      const dup = tx(bank, 'record', { id: 'replay-3', digest: digest() });
      const results = await Promise.allSettled([chain.submit(dup), chain.submit(dup), chain.submit(dup)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    });
  });

  it('a contract that refuses or throws is REVERTED in the log with its reason and writes nothing', async () => {
    const refused = await chain.submit(tx(bank, 'fail', { code: 'DOUBLE_PLEDGE', message: 'collateral already pledged' }));
    expect(refused).toMatchObject({ status: 'REVERTED', error: { code: 'DOUBLE_PLEDGE', message: 'collateral already pledged' } });
    const crashed = await chain.submit(tx(bank, 'crash', {}));
    expect(crashed.status).toBe('REVERTED');
    expect(crashed.error?.code).toBe('CONTRACT_FAILURE');
    const stored = await chain.transaction(crashed.hash);
    expect(stored?.status).toBe('REVERTED');
    expect(JSON.parse(stored!.result)).toEqual({ error: crashed.error });
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const state = await c.query("SELECT key FROM ledger_state WHERE key LIKE 'crash/%'");
      expect(state.rowCount).toBe(0);
    } finally {
      await c.end();
    }
    // A duplicate record is a business refusal, not a crash.
    await chain.submit(tx(bank, 'record', { id: 'dup-doc', digest: digest() }));
    const dup = await chain.submit(tx(platform, 'record', { id: 'dup-doc', digest: digest() }));
    expect(dup.error?.code).toBe('ALREADY_RECORDED');
  });

  it('executes a block in order: later transactions see earlier writes', async () => {
    const receipts = await Promise.all(Array.from({ length: 8 }, () => chain.submit(tx(bank, 'count', { counter: 'ordered' }))));
    expect(receipts.map((r) => r.value).sort((a, b) => Number(a) - Number(b))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const listed = await chain.submit(tx(bank, 'list', { limit: 3 }));
    expect((listed.value as unknown[]).length).toBe(3);
  });

  it('ledger tables refuse UPDATE, DELETE and TRUNCATE', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      for (const sql of [
        "UPDATE ledger_txs SET status = 'COMMITTED' WHERE status = 'REVERTED'",
        'DELETE FROM ledger_blocks WHERE height > 0',
        'UPDATE ledger_tree_nodes SET level = level',
        'DELETE FROM ledger_writes',
        'TRUNCATE ledger_txs',
      ]) {
        await expect(c.query(sql)).rejects.toThrow(/append-only/);
      }
    } finally {
      await c.end();
    }
  });

  describe('system contract', () => {
    it('an organisation admin registers a user key; the user signs; revocation stops it', async () => {
      const user = new Ed25519Signer(generateEd25519().privateKey);
      const reg = await chain.submit(sys(platform, 'registerKey', { publicKey: toBase64(user.publicKey), roles: ['operator'], label: 'ops' }));
      expect(reg.status).toBe('COMMITTED');
      const keyId = (reg.value as { keyId: string }).keyId;
      expect((await chain.submit(tx(user, 'record', { id: 'by-user', digest: digest() }))).status).toBe('COMMITTED');
      // Another organisation's admin cannot revoke it.
      const foreign = await chain.submit(sys(bank, 'revokeKey', { keyId }));
      expect(foreign.error?.code).toBe('NOT_YOUR_KEY');
      expect((await chain.submit(sys(platform, 'revokeKey', { keyId, reason: 'left the company' }))).status).toBe('COMMITTED');
      await expect(chain.submit(tx(user, 'record', { id: 'after-revoke', digest: digest() }))).rejects.toMatchObject({ code: 'UNKNOWN_SIGNER' });
      // Registering the same key twice is refused by the contract.
      const again = await chain.submit(sys(platform, 'registerKey', { publicKey: toBase64(user.publicKey), roles: ['operator'] }));
      expect(again.error?.code).toBe('KEY_EXISTS');
    });

    it('freezing a contract needs a majority of member organisations; a frozen contract refuses calls', async () => {
      const codeHash = contractCodeHash(NotaryContract);
      const proposed = await chain.submit(sys(bank, 'proposeContract', { action: 'FREEZE', contract: 'notary', codeHash }));
      expect(proposed.value).toMatchObject({ status: 'OPEN', approvals: 1, members: 4 });
      const proposal = (proposed.value as { proposal: string }).proposal;
      const second = await chain.submit(sys(regulator, 'approveProposal', { proposal }));
      expect(second.value).toMatchObject({ status: 'OPEN', approvals: 2 });
      const twice = await chain.submit(sys(regulator, 'approveProposal', { proposal }));
      expect(twice.error?.code).toBe('ALREADY_APPROVED');
      // Still active with 2 of 4.
      expect((await chain.submit(tx(bank, 'record', { id: 'before-freeze', digest: digest() }))).status).toBe('COMMITTED');
      const third = await chain.submit(sys(platform, 'approveProposal', { proposal }));
      expect(third.value).toMatchObject({ status: 'APPLIED', approvals: 3 });
      await expect(chain.submit(tx(bank, 'record', { id: 'while-frozen', digest: digest() }))).rejects.toMatchObject({ code: 'CONTRACT_DISABLED' });

      const unfreeze = await chain.submit(sys(bank, 'proposeContract', { action: 'UNFREEZE', contract: 'notary', codeHash }));
      const id = (unfreeze.value as { proposal: string }).proposal;
      await chain.submit(sys(regulator, 'approveProposal', { proposal: id }));
      await chain.submit(sys(outsider, 'approveProposal', { proposal: id }));
      expect((await chain.submit(tx(bank, 'record', { id: 'after-unfreeze', digest: digest() }))).status).toBe('COMMITTED');
    });

    it('code that the consortium has not approved does not run', async () => {
      class NotaryV2 extends NotaryContract {
        static override readonly version: string = '2.0.0';
      }
      const other = await openChainOnSameDb(NotaryV2);
      try {
        await expect(other.submit(tx(bank, 'record', { id: 'v2', digest: digest() }))).rejects.toMatchObject({ code: 'UNKNOWN_CONTRACT' });
      } finally {
        await other.close();
        chain = await openChain(db.url, genesis, keystore, { clock, config: { blockMaxTxs: 10, blockMaxWaitMs: 5 } });
      }
    });
  });

  async function openChainOnSameDb(notary: typeof NotaryContract): Promise<Chain> {
    await chain.close();
    const { SystemContract } = await import('@zizhu/contract-system');
    return openChain(db.url, genesis, keystore, { clock, contracts: [SystemContract, notary] });
  }

  it('only one process commits a channel: a second engine cannot take the lease', async () => {
    await expect(openChain(db.url, genesis, keystore, { clock })).rejects.toMatchObject({ code: 'LEASE_HELD' });
  });

  it('reopens where it left off, still refusing replays of what it committed before', async () => {
    const committed = tx(bank, 'record', { id: 'before-restart', digest: digest() });
    await chain.submit(committed);
    const head = chain.head('notary');
    await chain.close();
    now += 1000;
    chain = await openChain(db.url, genesis, keystore, { clock, config: { blockMaxTxs: 10, blockMaxWaitMs: 5 } });
    expect(chain.head('notary')).toMatchObject({ hash: head.hash });
    const r = await chain.submit(tx(bank, 'record', { id: 'after-restart', digest: digest() }));
    expect(r.height).toBe(head.header.height + 1);
    expect(r.leafIndex).toBe(head.header.treeSize);
    await expect(chain.submit(committed)).rejects.toMatchObject({ code: 'REPLAYED' });
  });

  it('commits projections in the block transaction; a failing projection commits nothing', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query('CREATE TABLE IF NOT EXISTS test_projection (tx text PRIMARY KEY, height bigint)');
    let fail = false;
    chain.addProjection(async (block, sql) => {
      if (fail) throw new Error('projection failed');
      for (const r of block.receipts) await sql.query('INSERT INTO test_projection (tx, height) VALUES ($1, $2)', [r.hash, block.header.height]);
    });
    const ok = await chain.submit(tx(bank, 'record', { id: 'projected', digest: digest() }));
    expect((await c.query('SELECT height FROM test_projection WHERE tx = $1', [ok.hash])).rows[0].height).toBe(String(ok.height));
    fail = true;
    const headBefore = chain.head('notary');
    const doomed = tx(bank, 'record', { id: 'not-projected', digest: digest() });
    await expect(chain.submit(doomed)).rejects.toMatchObject({ code: 'COMMIT_UNCERTAIN' });
    expect(await chain.transaction(txHash(doomed.envelope))).toBeUndefined();
    fail = false;
    const next = await chain.submit(tx(bank, 'record', { id: 'projected-again', digest: digest() }));
    expect(next.height).toBe(headBefore.header.height + 1);
    await c.end();
  });
});
