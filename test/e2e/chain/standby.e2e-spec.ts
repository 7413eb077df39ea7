import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Chain, PgLedgerStore, SignaturePool, genesisProposers, signTransaction, verifyChannel, verifyCheckpoint } from '@zizhu/chain';
import { SystemDirectory, type GenesisDocument } from '@zizhu/contract-system';
import type { Keystore } from '@zizhu/crypto';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { CONTRACTS, openChain, testConsortium } from '../../support/chain-fixture.js';

const record = (keystore: Keystore, id: string) =>
  signTransaction({ channel: 'notary', contract: 'notary', method: 'record', args: { id, digest: randomBytes(32).toString('hex') }, ts: Date.now() }, keystore.signer('bank-a/admin'));

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a standby process takes over when the committer goes away', () => {
  let db: TestDatabase;
  let genesis: GenesisDocument;
  let keystore: Keystore;

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ genesis, keystore } = await testConsortium());
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('serves reads, refuses submits, then commits after the leader closes', async () => {
    const leader = await openChain(db.url, genesis, keystore);
    const first = await leader.submit(record(keystore, 'by-leader'));
    const standby = await Chain.open({
      store: new PgLedgerStore({ connectionString: db.url }),
      directory: new SystemDirectory(),
      contracts: CONTRACTS,
      node: { name: genesis.nodes[0].name, signer: keystore.signer('node') },
      config: { verifyWorkers: 0 },
      standby: { retryMs: 100 },
    });
    try {
      expect(standby.isLeader).toBe(false);
      expect(standby.channelNames().sort()).toEqual(['notary', 'notary-b', 'system']);
      await expect(standby.submit(record(keystore, 'to-standby'))).rejects.toMatchObject({ code: 'UNAVAILABLE' });

      // Reads follow the leader's commits.
      const second = await leader.submit(record(keystore, 'by-leader-2'));
      await until('the standby to see the new head', () => standby.head('notary').header.height === second.height);
      const proof = await standby.inclusionProof('notary', first.hash);
      expect(proof.treeSize).toBe(second.leafIndex + 1);
      expect(verifyCheckpoint(standby.checkpoint('notary'), [leader.verifierKey]).checkpoint.treeSize).toBe(proof.treeSize);

      const promoted = new Promise<void>((resolve) => standby.once('leader', resolve));
      await leader.close();
      await promoted;
      expect(standby.isLeader).toBe(true);
      const third = await standby.submit(record(keystore, 'by-new-leader'));
      expect(third).toMatchObject({ status: 'COMMITTED', height: second.height + 1, leafIndex: second.leafIndex + 1 });
      // The replay window came along: what the old leader committed cannot be replayed.
      await expect(standby.submit(JSON.parse(JSON.stringify(await leaderSigned(first.hash))))).rejects.toMatchObject({ code: 'REPLAYED' });
    } finally {
      await standby.close();
      await leader.close();
    }

    const store = new PgLedgerStore({ connectionString: db.url });
    const pool = new SignaturePool(0);
    try {
      const { consortiumId, proposers } = await genesisProposers(store);
      for (const channel of ['system', 'notary']) expect(await verifyChannel(store, channel, { consortiumId, proposers, pool })).toMatchObject({ ok: true });
    } finally {
      await pool.close();
      await store.close();
    }
  });

  async function leaderSigned(hash: string) {
    const store = new PgLedgerStore({ connectionString: db.url });
    try {
      return (await store.transaction(hash))!.signed;
    } finally {
      await store.close();
    }
  }

  it('without standby, a second process is refused with LEASE_HELD', async () => {
    const leader = await openChain(db.url, genesis, keystore);
    try {
      await expect(openChain(db.url, genesis, keystore)).rejects.toMatchObject({ code: 'LEASE_HELD' });
    } finally {
      await leader.close();
    }
  });
});
