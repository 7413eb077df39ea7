import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PgLedgerStore, SignaturePool, genesisProposers, signTransaction, verifyChannel } from '@zizhu/chain';
import type { Keystore } from '@zizhu/crypto';
import type { GenesisDocument } from '@zizhu/contract-system';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { openChain, testConsortium } from '../../support/chain-fixture.js';

/** testConsortium's keystore passphrase (createDevConsortium's development default). */
const PASSPHRASE = 'development only';

/** Runs the engine in a child process; resolves with the hashes it acknowledged once it was killed after `killAfter` of them. */
function runAndKill(env: Record<string, string>, killAfter: number): Promise<{ acked: string[]; refused: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(process.cwd(), 'test/support/engine-child.mjs')], {
      env: { ...process.env, ...env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: string[] = [];
    let buffer = '';
    let refused = '';
    let killed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (/^[0-9a-f]{64} /.test(line)) acked.push(line.slice(0, 64));
        if (!killed && acked.length >= killAfter) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.stderr.on('data', (c: Buffer) => (refused += c.toString()));
    child.on('error', reject);
    // 'close', not 'exit': acknowledgements still in the pipe when the child dies are counted too.
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited (${code}) before it was killed: ${refused}`));
      else resolve({ acked, refused });
    });
  });
}

describe('kill -9 while 1,000 transactions are being submitted', () => {
  let db: TestDatabase;
  let dir: string;
  let genesis: GenesisDocument;
  let keystore: Keystore;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'zizhu-crash-'));
    ({ genesis, keystore } = await testConsortium());
    const chain = await openChain(db.url, genesis, keystore);
    await chain.close();
    await keystore.save(join(dir, 'keystore.json'));
    writeFileSync(join(dir, 'genesis.json'), JSON.stringify(genesis));
  });
  afterAll(async () => {
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged transaction, leaves no partial block, and verifies', async () => {
    const { acked } = await runAndKill(
      { DATABASE_URL: db.url, KEYSTORE: join(dir, 'keystore.json'), PASSPHRASE, GENESIS: join(dir, 'genesis.json'), COUNT: '1000', SIGNER: 'bank-a/admin' },
      400,
    );
    expect(acked.length).toBeGreaterThanOrEqual(400);
    expect(acked.length).toBeLessThan(1000);

    // Restart: the lease of the killed process is free again, the head is a whole block.
    const chain = await openChain(db.url, genesis, keystore);
    try {
      const head = chain.head('notary');
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        const n = Number((await c.query("SELECT count(*) AS n FROM ledger_txs WHERE channel = 'notary'")).rows[0].n);
        expect(n).toBe(head.header.treeSize);
        const found = await c.query('SELECT encode(hash, $2) AS h FROM ledger_txs WHERE hash = ANY($1::bytea[])', [acked.map((h) => Buffer.from(h, 'hex')), 'hex']);
        expect(found.rowCount).toBe(acked.length);
      } finally {
        await c.end();
      }
      // It goes on committing after the restart.
      const r = await chain.submit(
        signTransaction({ channel: 'notary', contract: 'notary', method: 'record', args: { id: 'after-crash', digest: randomBytes(32).toString('hex') }, ts: Date.now() }, keystore.signer('bank-a/admin')),
      );
      expect(r).toMatchObject({ status: 'COMMITTED', height: head.header.height + 1 });
    } finally {
      await chain.close();
    }

    const store = new PgLedgerStore({ connectionString: db.url });
    const pool = new SignaturePool(1);
    try {
      const { consortiumId, proposers } = await genesisProposers(store);
      for (const channel of ['system', 'notary']) {
        const report = await verifyChannel(store, channel, { consortiumId, proposers, pool });
        expect(report).toMatchObject({ ok: true });
      }
    } finally {
      await pool.close();
      await store.close();
    }
  });
});
