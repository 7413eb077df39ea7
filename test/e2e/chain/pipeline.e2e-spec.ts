import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import {
  Chain,
  PgLedgerStore,
  SignaturePool,
  genesisProposers,
  replayChannel,
  signTransaction,
  verifyChannel,
  type BlockCommit,
  type SqlClient,
  type TxReceipt,
} from '@zizhu/chain';
import { SystemContract, SystemDirectory, genesisChannels, type GenesisDocument } from '@zizhu/contract-system';
import { NotaryContract } from '@zizhu/contract-sample';
import type { Ed25519Signer, Keystore } from '@zizhu/crypto';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { CONTRACTS, testConsortium } from '../../support/chain-fixture.js';

/**
 * A real PostgreSQL store whose write of one chosen block waits at a gate (and may then fail as a
 * lost connection would, before anything reaches the database), so that a test can look at the
 * engine while that block is being written.
 */
class GatedStore extends PgLedgerStore {
  readonly written: number[] = [];
  private gate?: { channel: string; height: number; entered: () => void; release: Promise<void>; fail?: Error };

  hold(channel: string, height: number): { entered: Promise<void>; release: (fail?: Error) => void } {
    let entered!: () => void;
    let release!: () => void;
    const enteredP = new Promise<void>((r) => (entered = r));
    const gate = { channel, height, entered, release: new Promise<void>((r) => (release = r)) as Promise<void>, fail: undefined as Error | undefined };
    this.gate = gate;
    return {
      entered: enteredP,
      release: (fail?: Error) => {
        gate.fail = fail;
        release();
      },
    };
  }

  override async commitBlock(commit: BlockCommit, project?: (sql: SqlClient) => Promise<void>): Promise<void> {
    const { channel, height } = commit.block.header;
    const gate = this.gate;
    if (gate && gate.channel === channel && gate.height === height) {
      this.gate = undefined;
      gate.entered();
      await gate.release;
      if (gate.fail) throw gate.fail;
    }
    await super.commitBlock(commit, project);
    if (channel === 'notary') this.written.push(height);
  }
}

const until = async (what: () => boolean, ms = 10_000): Promise<void> => {
  const t0 = Date.now();
  while (!what()) {
    if (Date.now() - t0 > ms) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('pipelined blocks: the next block executes while the last one is written', () => {
  let db: TestDatabase;
  let store: GatedStore;
  let chain: Chain;
  let genesis: GenesisDocument;
  let keystore: Keystore;
  let bank: Ed25519Signer;
  const tx = (method: string, args: Record<string, unknown>) => signTransaction({ channel: 'notary', contract: 'notary', method, args: args as never, ts: Date.now() }, bank);
  const digest = (n: number) => n.toString(16).padStart(64, '0');

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ genesis, keystore } = await testConsortium());
    bank = keystore.signer('bank-a/admin');
    store = new GatedStore({ connectionString: db.url });
    chain = await Chain.open({
      store,
      directory: new SystemDirectory(),
      contracts: CONTRACTS,
      node: { name: genesis.nodes[0].name, signer: keystore.signer('node') },
      config: { verifyWorkers: 0, blockMaxTxs: 50, blockMaxWaitMs: 5 },
    });
    for (const ch of genesisChannels(genesis)) await chain.createChannel(ch.name, ch);
  });
  afterAll(async () => {
    await chain?.close();
    await db?.drop();
  });

  it('reads, ranges and deletes of the block being written are seen by the next one, which is written only after it', async () => {
    await chain.submit(tx('record', { id: 'gone', digest: digest(1) }));
    const h = chain.head('notary').header.height + 1;
    const gate = store.hold('notary', h);
    const first = Promise.all([tx('record', { id: 'p-1', digest: digest(2) }), tx('count', { counter: 'c' }), tx('remove', { id: 'gone' })].map((t) => chain.submit(t)));
    await gate.entered;

    // Block h is being written (held at the gate). These depend on its writes.
    const second = Promise.all(
      [tx('amend', { id: 'p-1', digest: digest(3) }), tx('count', { counter: 'c' }), tx('list', {}), tx('record', { id: 'gone', digest: digest(4) })].map((t) => chain.submit(t)),
    );
    // They were cut (executed on top of block h) while h was still being written...
    await until(() => chain.pendingTransactions('notary') === 0);
    await new Promise((r) => setTimeout(r, 100));
    // ...and nothing after h is written before h is.
    expect(store.written).not.toContain(h);
    expect(store.written.some((x) => x > h)).toBe(false);
    expect(chain.head('notary').header.height).toBe(h - 1);

    gate.release();
    const a = await first;
    const b = await second;
    expect(a.map((r) => [r.status, r.height])).toEqual([
      ['COMMITTED', h],
      ['COMMITTED', h],
      ['COMMITTED', h],
    ]);
    expect(b.every((r) => r.status === 'COMMITTED' && r.height > h)).toBe(true);
    expect(b[0].value).toEqual({ version: 2 }); // amend found p-1
    expect(b[1].value).toBe(2); // the counter went on from block h's 1
    const listed = (b[2].value as { id: string }[]).map((e) => e.id);
    expect(listed).toContain('p-1');
    expect(listed).not.toContain('gone'); // deleted in block h, still in the table while it was written
    expect(b[3].events[0]).toMatchObject({ type: 'Recorded' }); // re-recorded: the delete was seen
    expect(store.written.indexOf(h)).toBeLessThan(store.written.indexOf(b[0].height));
    await expectLedgerVerifies();
  });

  it('a block executed on one whose write fails is ordered again on the durable state; the failed block leaves no trace', async () => {
    const h = chain.head('notary').header.height + 1;
    const gate = store.hold('notary', h);
    const lost = tx('record', { id: 'q-1', digest: digest(5) });
    const firstOutcome = chain.submit(lost).then(
      (r) => r,
      (e: unknown) => e as Error & { code?: string },
    );
    await gate.entered;
    const second = Promise.all([tx('amend', { id: 'q-1', digest: digest(6) }), tx('count', { counter: 'd' })].map((t) => chain.submit(t)));
    await until(() => chain.pendingTransactions('notary') === 0);
    gate.release(new Error('connection terminated unexpectedly'));

    const outcome = await firstOutcome;
    expect(outcome).toMatchObject({ code: 'COMMIT_UNCERTAIN' });
    const [amend, count] = (await second) as TxReceipt[];
    // Executed again after recovery, where q-1 was never recorded.
    expect(amend).toMatchObject({ status: 'REVERTED', height: h, error: { code: 'NOT_FOUND' } });
    expect(count).toMatchObject({ status: 'COMMITTED', height: h, value: 1 });
    expect(await chain.transaction(amend.hash)).toMatchObject({ status: 'REVERTED' });
    // The failed block never landed: its transaction may be sent again, and commits.
    expect(await chain.submit(lost)).toMatchObject({ status: 'COMMITTED' });
    await expectLedgerVerifies();
  });

  it('many blocks in a row through the pipeline verify and replay to the same state roots', async () => {
    const receipts = await Promise.all(
      Array.from({ length: 600 }, (_, i) => chain.submit(i % 3 === 0 ? tx('count', { counter: `k${i % 7}` }) : tx('record', { id: `many-${i}`, digest: digest(1000 + i) }))),
    );
    expect(receipts.every((r) => r.status === 'COMMITTED')).toBe(true);
    expect(new Set(receipts.map((r) => r.height)).size).toBeGreaterThan(5);
    await expectLedgerVerifies();
  });

  async function expectLedgerVerifies(): Promise<void> {
    const reader = new PgLedgerStore({ connectionString: db.url });
    const pool = new SignaturePool(0);
    try {
      const { consortiumId, proposers } = await genesisProposers(reader);
      expect(await verifyChannel(reader, 'notary', { consortiumId, proposers, pool })).toMatchObject({ ok: true });
      const replay = await replayChannel(reader, 'notary', { contracts: [SystemContract, NotaryContract], directory: new SystemDirectory() });
      expect(replay.mismatch).toBeUndefined();
      expect(replay.ok).toBe(true);
    } finally {
      await pool.close();
      await reader.close();
    }
  }
});
