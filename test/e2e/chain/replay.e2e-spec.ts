import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ContractError, PgLedgerStore, contractCodeHash, replayChannel, signTransaction, stateDigest, type Chain, type ContractContext } from '@zizhu/chain';
import { Ed25519Signer, generateEd25519, toBase64, type Keystore } from '@zizhu/crypto';
import { SystemContract, SystemDirectory, type GenesisDocument } from '@zizhu/contract-system';
import { NotaryContract } from '@zizhu/contract-sample';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { openChain, testConsortium } from '../../support/chain-fixture.js';

/** Deterministic pseudo-random choices, so a failure can be reproduced. */
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

describe('replay from genesis reproduces every state root', () => {
  let db: TestDatabase;
  let chain: Chain;
  let genesis: GenesisDocument;
  let keystore: Keystore;
  let total = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ genesis, keystore } = await testConsortium());
    chain = await openChain(db.url, genesis, keystore, { config: { blockMaxTxs: 64, blockMaxWaitMs: 2 } });
    const admins = ['bank-a', 'regulator', 'platform-a'].map((o) => keystore.signer(`${o}/admin`));
    const users: Ed25519Signer[] = [];
    const random = rng(42);
    const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
    const send = (signer: Ed25519Signer, channel: string, contract: string, method: string, args: Record<string, unknown>) =>
      chain.submit(signTransaction({ channel, contract, method, args: args as never, ts: Date.now() }, signer)).then(
        (r) => {
          total++;
          return r;
        },
        () => undefined,
      );
    const codeHash = contractCodeHash(NotaryContract);
    for (let round = 0; round < 40; round++) {
      // System traffic between rounds changes who may sign on the business channels.
      if (round % 3 === 0) {
        const user = new Ed25519Signer(generateEd25519().privateKey);
        await send(pick(admins), 'system', 'system', 'registerKey', { publicKey: toBase64(user.publicKey), roles: ['clerk'] });
        users.push(user);
      }
      if (round % 7 === 6 && users.length > 1) {
        const victim = users.shift()!;
        for (const admin of admins) await send(admin, 'system', 'system', 'revokeKey', { keyId: keyIdHex(victim) });
      }
      if (round === 10 || round === 20) {
        const action = round === 10 ? 'FREEZE' : 'UNFREEZE';
        const p = await send(admins[0], 'system', 'system', 'proposeContract', { action, contract: 'notary', codeHash });
        const proposal = (p?.value as { proposal: string }).proposal;
        for (const a of admins.slice(1)) await send(a, 'system', 'system', 'approveProposal', { proposal });
      }
      const batch: Promise<unknown>[] = [];
      for (let i = 0; i < 130; i++) {
        const signer = pick([...admins, ...users]);
        const channel = pick(['notary', 'notary-b']);
        const id = `doc-${Math.floor(random() * 400)}`;
        const r = random();
        const digest = randomBytes(32).toString('hex');
        if (r < 0.4) batch.push(send(signer, channel, 'notary', 'record', { id, digest, title: `t${i}`, amount: String(Math.floor(random() * 1e9)) }));
        else if (r < 0.55) batch.push(send(signer, channel, 'notary', 'amend', { id, digest }));
        else if (r < 0.65) batch.push(send(signer, channel, 'notary', 'remove', { id }));
        else if (r < 0.85) batch.push(send(signer, channel, 'notary', 'count', { counter: `c${Math.floor(random() * 5)}` }));
        else if (r < 0.9) batch.push(send(signer, channel, 'notary', 'list', { limit: 5 }));
        else if (r < 0.97) batch.push(send(signer, channel, 'notary', 'fail', { code: 'REFUSED' }));
        else batch.push(send(signer, channel, 'notary', 'crash', {}));
      }
      await Promise.all(batch);
    }
    await chain.close();
  });
  afterAll(async () => {
    await chain?.close();
    await db?.drop();
  });

  function keyIdHex(signer: Ed25519Signer): string {
    return signTransaction({ channel: 'x', contract: 'x', method: 'x', args: {}, ts: 0 }, signer).envelope.signer;
  }

  async function liveDigest(channel: string): Promise<string> {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const rows = (await c.query('SELECT key, value FROM ledger_state WHERE channel = $1', [channel])).rows as { key: string; value: string }[];
      return stateDigest(rows.map((r) => [r.key, r.value]));
    } finally {
      await c.end();
    }
  }

  it.each(['system', 'notary', 'notary-b'])('channel %s', async (channel) => {
    expect(total).toBeGreaterThan(3000);
    const store = new PgLedgerStore({ connectionString: db.url });
    try {
      const report = await replayChannel(store, channel, { contracts: [SystemContract, NotaryContract], directory: new SystemDirectory() });
      expect(report.mismatch).toBeUndefined();
      expect(report.ok).toBe(true);
      expect(report.stateDigest).toBe(await liveDigest(channel));
    } finally {
      await store.close();
    }
  });

  it('streams the same log through pages of any size (pages cut inside runs of blocks)', async () => {
    const whole = new PgLedgerStore({ connectionString: db.url });
    const tiny = new PgLedgerStore({ connectionString: db.url, pageBlocks: 3, pageTxs: 5 });
    try {
      const heights = async (store: PgLedgerStore) => {
        const out: string[] = [];
        for await (const b of store.blocks('notary', 0)) out.push(`${b.header.height}:${b.txs.length}:${b.writes.length}:${b.txs.map((t) => t.leafIndex).join(',')}`);
        return out;
      };
      const expected = await heights(whole);
      expect(expected.length).toBeGreaterThan(10);
      expect(await heights(tiny)).toEqual(expected);
      const partial: number[] = [];
      for await (const b of tiny.blocks('notary', 4, 9)) partial.push(b.header.height);
      expect(partial).toEqual([4, 5, 6, 7, 8, 9]);
      const report = await replayChannel(tiny, 'notary', { contracts: [SystemContract, NotaryContract], directory: new SystemDirectory() });
      expect(report.ok).toBe(true);
    } finally {
      await whole.close();
      await tiny.close();
    }
  });

  it('a contract whose rules changed does not reproduce the log, and replay names the block', async () => {
    class Tampered extends NotaryContract {
      override async count(ctx: ContractContext, args: { counter: string }) {
        const n = await super.count(ctx, args);
        if (n > 3) throw new ContractError('LIMIT', 'counters stop at 3');
        return n;
      }
    }
    const store = new PgLedgerStore({ connectionString: db.url });
    try {
      const report = await replayChannel(store, 'notary', { contracts: [SystemContract, Tampered], directory: new SystemDirectory() });
      expect(report.ok).toBe(false);
      expect(report.mismatch?.height).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });
});
