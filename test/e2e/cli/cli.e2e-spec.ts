import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { signTransaction, verifierKey, type Chain, type TxReceipt } from '@zizhu/chain';
import { Ed25519Signer, Keystore, fromBase64, generateEd25519, toBase64 } from '@zizhu/crypto';
import type { GenesisDocument } from '@zizhu/contract-system';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { openChain } from '../../support/chain-fixture.js';

/**
 * The built `zizhu` CLI, run as a child process against a fresh PostgreSQL database.
 * Build first: `npx tsc -b tsconfig.build.json` (npm's pretest does).
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'apps/cli/dist/main.js');
const PASSPHRASE = 'cli e2e passphrase';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Environment without the test runner's NODE_OPTIONS or a developer's DATABASE_URL. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ZIZHU_KEYSTORE_PASSPHRASE: PASSPHRASE, ZIZHU_KEYSTORE_SCRYPT_N: '1024' };
  return env;
}

function zizhu(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: opts.env ?? baseEnv(), timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : -1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);

/** One character changed: the first hex digit of the `"digest":"…"` value inside a JSON text. */
function flipDigestDigit(text: string): string {
  const at = text.indexOf('"digest":"');
  if (at < 0) throw new Error(`no digest in ${text.slice(0, 200)}`);
  const i = at + '"digest":"'.length;
  return text.slice(0, i) + (text[i] === '0' ? '1' : '0') + text.slice(i + 1);
}

describe('zizhu CLI (built, as a child process)', () => {
  let db: TestDatabase;
  let dir: string;
  let keystorePath: string;
  let genesisPath: string;
  let genesis: GenesisDocument;
  let nodeVerifierKey: string;
  /** Leaf ranges of the notary channel's blocks: height → [first seq, last seq]. */
  const blockLeaves = new Map<number, [number, number]>();
  const receipts: TxReceipt[] = [];
  let checkpointEarly: string;
  let checkpointLate: string;
  let consistency: { fromSize: number; toSize: number; proof: string[] };
  let inclusion: { leafIndex: number; treeSize: number; leaf: string; proof: string[] };
  let systemCheckpoint: string;
  let verifierFromChain: string;

  const dbArgs = () => ['--database-url', db.url];

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first with npx tsc -b tsconfig.build.json`);
    [db, dir] = await Promise.all([createTestDatabase('zizhu_cli'), mkdtemp(join(tmpdir(), 'zizhu-cli-'))]);
    keystorePath = join(dir, 'keystore.json');
    genesisPath = join(dir, 'genesis.json');

    // 1. The node key first, with its checkpoint key name; genesis create reuses it.
    const key = await zizhu(['keys', 'generate', '--keystore', keystorePath, '--name', 'node', '--key-name', 'bank-a.node']);
    expect(key).toMatchObject({ code: 0, stderr: '' });
    const generated = JSON.parse(key.stdout) as { name: string; type: string; publicKey: string; keyId: string; verifierKey: string };
    expect(generated).toMatchObject({ name: 'node', type: 'ed25519' });
    expect(generated.keyId).toMatch(/^[0-9a-f]{64}$/);
    nodeVerifierKey = generated.verifierKey;

    // 2. The development consortium.
    const created = await zizhu(['genesis', 'create', '--dev', '--out', genesisPath, '--keystore', keystorePath]);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const summary = JSON.parse(created.stdout) as { genesisHash: string; channels: string[]; node: { name: string; verifierKey: string } };
    expect(summary.genesisHash).toMatch(/^[0-9a-f]{64}$/);
    expect(summary.channels).toEqual(['system', 'notary']);
    expect(summary.node).toMatchObject({ name: 'bank-a.node', verifierKey: nodeVerifierKey });
    genesis = JSON.parse(await readFile(genesisPath, 'utf8')) as GenesisDocument;
    expect(genesis.orgs.length).toBe(14);

    // 3. ledger init, twice (idempotent).
    const init = await zizhu(['ledger', 'init', '--genesis', genesisPath, '--keystore', keystorePath, ...dbArgs()]);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('channel system: created');
    expect(init.stdout).toContain('channel notary: created');
    const again = await zizhu(['ledger', 'init', '--genesis', genesisPath, '--keystore', keystorePath], { env: { ...baseEnv(), DATABASE_URL: db.url } });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('channel notary: already initialised (height 0)');

    // 4. Populate the ledger with the keys the CLI generated.
    const keystore = await Keystore.load(keystorePath, PASSPHRASE);
    const chain: Chain = await openChain(db.url, genesis, keystore, { config: { blockMaxTxs: 40, blockMaxWaitMs: 5 } });
    try {
      verifierFromChain = chain.verifierKey;
      const admins = ['bank-a', 'regulator', 'platform-a', 'hospital-a'].map((org) => keystore.signer(`${org}/admin`));
      const clerk = new Ed25519Signer(generateEd25519().privateKey);
      const submit = (signer: Ed25519Signer, method: string, args: Record<string, unknown>, channel = 'notary', contract = 'notary') =>
        chain.submit(signTransaction({ channel, contract, method, args: args as never, ts: Date.now() }, signer));
      let n = 0;
      for (let wave = 0; wave < 8; wave++) {
        if (wave === 2) {
          // A system block: bank-a's admin registers a clerk key, which then signs notary records.
          const reg = await submit(admins[0], 'registerKey', { publicKey: toBase64(clerk.publicKey), roles: ['clerk'], label: 'clerk' }, 'system', 'system');
          expect(reg.status).toBe('COMMITTED');
          checkpointEarly = chain.checkpoint('notary');
        }
        const batch: Promise<TxReceipt>[] = [];
        for (let i = 0; i < 40; i++, n++) {
          const signer = wave >= 2 && i % 10 === 0 ? clerk : admins[n % admins.length];
          if (i === 7) batch.push(submit(signer, 'fail', { code: 'REFUSED_BY_TEST', message: `wave ${wave}` }));
          else batch.push(submit(signer, 'record', { id: `doc-${n}`, digest: randomBytes(32).toString('hex'), title: `Document ${n}`, amount: String(1000 + n) }));
        }
        receipts.push(...(await Promise.all(batch)));
      }
      expect(receipts.length).toBe(320);
      expect(receipts.filter((r) => r.status === 'REVERTED').length).toBe(8);
      for (const r of receipts) {
        const range = blockLeaves.get(r.height);
        blockLeaves.set(r.height, range ? [Math.min(range[0], r.leafIndex), Math.max(range[1], r.leafIndex)] : [r.leafIndex, r.leafIndex]);
      }
      for (const h of [3, 4, 5]) expect(blockLeaves.has(h)).toBe(true);

      checkpointLate = chain.checkpoint('notary');
      systemCheckpoint = chain.checkpoint('system');
      const target = receipts.find((r) => r.status === 'COMMITTED' && r.height === 4)!;
      inclusion = await chain.inclusionProof('notary', target.hash);
      const fromSize = Number(checkpointEarly.split('\n')[1]);
      consistency = await chain.consistencyProof('notary', fromSize);
    } finally {
      await chain.close();
    }
  });

  afterAll(async () => {
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe('keys and genesis', () => {
    it('the node key the CLI generated signs the checkpoints', () => {
      expect(verifierFromChain).toBe(nodeVerifierKey);
    });

    it('keys generate: x25519 keys, and refusals (no passphrase, duplicate name, bad key name)', async () => {
      const x = await zizhu(['keys', 'generate', '--keystore', keystorePath, '--name', 'extra/encryption', '--type', 'x25519']);
      expect(x.code).toBe(0);
      const out = JSON.parse(x.stdout) as Record<string, unknown>;
      expect(out).toMatchObject({ name: 'extra/encryption', type: 'x25519' });
      expect(out.keyId).toBeUndefined();
      expect(fromBase64(out.publicKey as string).length).toBe(32);

      const { ZIZHU_KEYSTORE_PASSPHRASE: _, ...noPass } = baseEnv();
      const refusals = await Promise.all([
        zizhu(['keys', 'generate', '--keystore', join(dir, 'other.json'), '--name', 'k'], { env: noPass }),
        zizhu(['keys', 'generate', '--keystore', keystorePath, '--name', 'node']),
        zizhu(['keys', 'generate', '--keystore', keystorePath, '--name', 'k2', '--key-name', 'has space']),
        zizhu(['keys', 'generate', '--keystore', keystorePath, '--name', 'k3'], { env: { ...baseEnv(), ZIZHU_KEYSTORE_PASSPHRASE: 'wrong' } }),
      ]);
      for (const r of refusals) {
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^zizhu: /);
        noStack(r.stderr);
      }
      expect(refusals[0].stderr).toContain('ZIZHU_KEYSTORE_PASSPHRASE');
      expect(refusals[1].stderr).toContain('already exists');
      expect(refusals[3].stderr).toContain('wrong passphrase');
      expect(existsSync(join(dir, 'other.json'))).toBe(false);
    });

    it('genesis create: explicit organisations and channels; refusals', async () => {
      const ks = join(dir, 'custom-keystore.json');
      const out = join(dir, 'custom-genesis.json');
      const r = await zizhu([
        'genesis', 'create', '--out', out, '--keystore', ks, '--consortium', 'trade',
        '--org', 'bank-x:BANK:Bank X: Shanghai', '--org', 'port-y:CUSTOMS:Port Y',
        '--channel', 'docs:bank-x,port-y:notary', '--node-org', 'port-y', '--node-name', 'port-y.node-1',
      ]);
      expect(r.code).toBe(0);
      const doc = JSON.parse(await readFile(out, 'utf8')) as GenesisDocument;
      expect(doc.consortium).toBe('trade');
      expect(doc.orgs.map((o) => [o.id, o.kind, o.name])).toEqual([['bank-x', 'BANK', 'Bank X: Shanghai'], ['port-y', 'CUSTOMS', 'Port Y']]);
      expect(doc.channels).toEqual([
        { name: 'system', members: ['bank-x', 'port-y'], contracts: ['system'] },
        { name: 'docs', members: ['bank-x', 'port-y'], contracts: ['notary'] },
      ]);
      expect(doc.nodes[0]).toMatchObject({ name: 'port-y.node-1', org: 'port-y' });
      const keys = await Keystore.load(ks, PASSPHRASE);
      expect(keys.names()).toEqual(expect.arrayContaining(['node', 'bank-x/admin', 'bank-x/ca', 'bank-x/encryption', 'port-y/admin']));

      const bad = await Promise.all([
        zizhu(['genesis', 'create', '--out', out, '--keystore', join(dir, 'k1.json'), '--org', 'a:BANK:A']), // exists
        zizhu(['genesis', 'create', '--out', join(dir, 'g2.json'), '--keystore', join(dir, 'k2.json'), '--org', 'a:NOT_A_KIND:A']),
        zizhu(['genesis', 'create', '--out', join(dir, 'g3.json'), '--keystore', join(dir, 'k3.json'), '--org', 'a:BANK:A', '--channel', 'c:a:nonexistent']),
        zizhu(['genesis', 'create', '--out', join(dir, 'g4.json'), '--keystore', join(dir, 'k4.json')]),
        zizhu(['genesis', 'create', '--out', join(dir, 'g5.json'), '--keystore', join(dir, 'k5.json'), '--org', 'a:BANK:A', '--channel', 'c:zz:notary']),
      ]);
      for (const b of bad) {
        expect(b.code).toBe(2);
        expect(b.stderr).toMatch(/^zizhu: /);
        noStack(b.stderr);
      }
      expect(bad[0].stderr).toContain('already exists');
      expect(bad[1].stderr).toContain('unknown kind');
      expect(bad[2].stderr).toContain('unknown contract "nonexistent"');
      expect(bad[3].stderr).toContain('no organisations');
      expect(bad[4].stderr).toContain('unknown member');
    });

    it('ledger init refuses a database that holds another ledger', async () => {
      const r = await zizhu(['ledger', 'init', '--genesis', join(dir, 'custom-genesis.json'), '--keystore', join(dir, 'custom-keystore.json'), ...dbArgs()]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^zizhu: the database already holds another ledger/);
    });
  });

  describe('ledger verify and replay', () => {
    it('verifies every channel with the genesis proposers', async () => {
      const r = await zizhu(['ledger', 'verify', ...dbArgs()]);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toMatch(/channel system: 2 blocks, 1 transactions verified in [\d.]+ s \(\d+ tx\/s\)/);
      expect(r.stdout).toMatch(/channel notary: \d+ blocks, 320 transactions verified/);
      expect(r.stdout).toContain('ledger verify: OK (2 channels');
    });

    it('verifies with any number of signature workers, 0 meaning on the main thread', async () => {
      const runs = await Promise.all(['0', '1', '3'].map((n) => zizhu(['ledger', 'verify', '--workers', n, ...dbArgs()])));
      for (const r of runs) {
        expect(r.code).toBe(0);
        expect(r.stdout).toContain('ledger verify: OK (2 channels, ');
      }
      const bad = await zizhu(['ledger', 'verify', '--workers', '65', ...dbArgs()]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toBe('zizhu: --workers must be an integer between 0 and 64\n');
    });

    it('verifies against --trust keys, a --genesis file, one --channel; a progress bar on request', async () => {
      const [trusted, fromFile, one] = await Promise.all([
        zizhu(['ledger', 'verify', '--trust', nodeVerifierKey, ...dbArgs()]),
        zizhu(['ledger', 'verify', '--genesis', genesisPath, ...dbArgs()]),
        zizhu(['ledger', 'verify', '--channel', 'notary', '--progress'], { env: { ...baseEnv(), DATABASE_URL: db.url } }),
      ]);
      expect(trusted.code).toBe(0);
      expect(fromFile.code).toBe(0);
      expect(one.code).toBe(0);
      expect(one.stdout).not.toContain('channel system');
      expect(one.stderr).toMatch(/verify notary \[.*\] 100% \| \d+\/\d+ blocks/);
    });

    it('fails when only another key is trusted', async () => {
      const other = verifierKey('bank-a.node', generateEd25519().publicKey);
      const r = await zizhu(['ledger', 'verify', '--trust', other, ...dbArgs()]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/ledger verify: channel system block 0: proposer [0-9a-f]{64} is not a trusted node/);
    });

    it('replays the notary and system channels', async () => {
      const [notary, system] = await Promise.all([
        zizhu(['ledger', 'replay', '--channel', 'notary', ...dbArgs()]),
        zizhu(['ledger', 'replay', '--channel', 'system', ...dbArgs()]),
      ]);
      expect(notary.code).toBe(0);
      // 312 documents, plus the engine's ~genesis and ~system-height entries.
      expect(notary.stdout).toMatch(/channel notary: \d+ blocks, 320 transactions replayed in [\d.]+ s \(\d+ tx\/s\), \d+ state entries/);
      expect(notary.stdout).toContain('ledger replay: OK (1 channel)');
      expect(system.code).toBe(0);
      expect(system.stdout).toMatch(/channel system: 2 blocks, 1 transactions replayed/);
    });
  });

  describe('tampering with the stored ledger', () => {
    /** Edits one row as the superuser, with the table's append-only trigger off for the edit. */
    async function edit(table: string, sql: string, values: unknown[]): Promise<void> {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        await c.query('BEGIN');
        await c.query(`ALTER TABLE ${table} DISABLE TRIGGER ${table}_append_only`);
        const r = await c.query(sql, values);
        expect(r.rowCount).toBe(1);
        await c.query(`ALTER TABLE ${table} ENABLE TRIGGER ${table}_append_only`);
        await c.query('COMMIT');
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        await c.end();
      }
    }

    async function query<R extends Record<string, unknown>>(sql: string, values: unknown[]): Promise<R> {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        const r = await c.query<R>(sql, values);
        expect(r.rows.length).toBeGreaterThan(0);
        return r.rows[0];
      } finally {
        await c.end();
      }
    }

    async function expectVerifyFails(height: number, reason: RegExp): Promise<void> {
      const r = await zizhu(['ledger', 'verify', ...dbArgs()]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(new RegExp(`^ledger verify: channel notary block ${height}: ${reason.source}`, 'm'));
      noStack(r.stdout + r.stderr);
    }

    it('the append-only trigger refuses an ordinary UPDATE', async () => {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        await expect(c.query("UPDATE ledger_txs SET status = 'COMMITTED' WHERE channel = 'notary' AND seq = 0")).rejects.toThrow(/append-only/);
      } finally {
        await c.end();
      }
    });

    it('a transaction\'s signed envelope (one hex digit of its digest argument)', async () => {
      const [first, last] = blockLeaves.get(3)!;
      const row = await query<{ seq: string; signed: string }>(
        `SELECT seq, signed FROM ledger_txs WHERE channel = 'notary' AND seq BETWEEN $1 AND $2 AND signed LIKE '%"digest":"%' ORDER BY seq LIMIT 1`,
        [first, last],
      );
      await edit('ledger_txs', `UPDATE ledger_txs SET signed = $1 WHERE channel = 'notary' AND seq = $2`, [flipDigestDigit(row.signed), row.seq]);
      await expectVerifyFails(3, /transaction \d+ \([0-9a-f]{64}\): the envelope does not hash to the stored transaction hash/);
      // Replay re-executes the altered envelope and sees a different result.
      const replay = await zizhu(['ledger', 'replay', '--channel', 'notary', ...dbArgs()]);
      expect(replay.code).toBe(1);
      expect(replay.stdout).toMatch(/^ledger replay: channel notary block 3: /m);
      await edit('ledger_txs', `UPDATE ledger_txs SET signed = $1 WHERE channel = 'notary' AND seq = $2`, [row.signed, row.seq]);
    });

    it('a transaction\'s signature (one character of it): the signature check, on the verify workers, names the block', async () => {
      const [first, last] = blockLeaves.get(4)!;
      const row = await query<{ seq: string; signed: string }>(`SELECT seq, signed FROM ledger_txs WHERE channel = 'notary' AND seq BETWEEN $1 AND $2 ORDER BY seq DESC LIMIT 1`, [first, last]);
      // Inside the base64 signature, away from its padding: still well-formed, no longer valid.
      const at = row.signed.lastIndexOf('"signature":"') + '"signature":"'.length + 10;
      const changed = row.signed.slice(0, at) + (row.signed[at] === 'A' ? 'B' : 'A') + row.signed.slice(at + 1);
      const sql = `UPDATE ledger_txs SET signed = $1 WHERE channel = 'notary' AND seq = $2`;
      await edit('ledger_txs', sql, [changed, row.seq]);
      await expectVerifyFails(4, /transaction \d+ \([0-9a-f]{64}\): signature does not verify/);
      await edit('ledger_txs', sql, [row.signed, row.seq]);
    });

    it('the shape of a transaction\'s signature tail (a space after it, the key\'s padding replaced, or its unused bits set): not a signed envelope', async () => {
      const [first, last] = blockLeaves.get(4)!;
      const row = await query<{ seq: string; signed: string }>(`SELECT seq, signed FROM ledger_txs WHERE channel = 'notary' AND seq BETWEEN $1 AND $2 ORDER BY seq LIMIT 1`, [first, last]);
      const sql = `UPDATE ledger_txs SET signed = $1 WHERE channel = 'notary' AND seq = $2`;
      const pad = row.signed.indexOf('=","signature":"');
      expect(pad).toBeGreaterThan(0);
      // The key's last character with a low (unused) bit set: the same 32 bytes, spelt differently.
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
      const sameBytes = alphabet[alphabet.indexOf(row.signed[pad - 1]) | 1];
      const respelt = `${row.signed.slice(0, pad - 1)}${sameBytes}${row.signed.slice(pad)}`;
      const key = (text: string) => text.slice(text.indexOf('"publicKey":"') + 13, pad + 1);
      expect(Buffer.from(key(respelt), 'base64').equals(Buffer.from(key(row.signed), 'base64'))).toBe(true);
      for (const changed of [`${row.signed} `, `${row.signed.slice(0, pad)}A${row.signed.slice(pad + 1)}`, respelt]) {
        await edit('ledger_txs', sql, [changed, row.seq]);
        await expectVerifyFails(4, /transaction \d+ \([0-9a-f]{64}\): the stored transaction is not a signed envelope/);
      }
      await edit('ledger_txs', sql, [row.signed, row.seq]);
    });

    it('a block header (one digit of its time)', async () => {
      const row = await query<{ header: string }>(`SELECT header FROM ledger_blocks WHERE channel = 'notary' AND height = 4`, []);
      const changed = row.header.replace(/"time":(\d+)/, (_m, t: string) => `"time":${t.slice(0, -1)}${t.endsWith('9') ? '8' : String(Number(t.at(-1)) + 1)}`);
      expect(changed).not.toBe(row.header);
      await edit('ledger_blocks', `UPDATE ledger_blocks SET header = $1 WHERE channel = 'notary' AND height = 4`, [changed]);
      await expectVerifyFails(4, /block hash does not match the header/);
      await edit('ledger_blocks', `UPDATE ledger_blocks SET header = $1 WHERE channel = 'notary' AND height = 4`, [row.header]);
    });

    it.each([
      ['one byte of its hash', (h: Buffer) => Buffer.from(h).fill(h[7] ^ 0x01, 7, 8)],
      ['its hash cut by a byte', (h: Buffer) => h.subarray(0, 31)],
      ['its hash grown by a byte', (h: Buffer) => Buffer.concat([h, Buffer.from([0])])],
    ])('a stored Merkle tree node (%s)', async (_what, change) => {
      const [first, last] = blockLeaves.get(5)!;
      const row = await query<{ leaf_end: string; level: number; hash: Buffer }>(
        `SELECT leaf_end, level, hash FROM ledger_tree_nodes WHERE channel = 'notary' AND leaf_end BETWEEN $1 AND $2 ORDER BY level DESC LIMIT 1`,
        [first, last],
      );
      const changed = change(row.hash);
      const sql = `UPDATE ledger_tree_nodes SET hash = $1 WHERE channel = 'notary' AND leaf_end = $2 AND level = $3`;
      await edit('ledger_tree_nodes', sql, [changed, row.leaf_end, row.level]);
      await expectVerifyFails(5, /stored tree node \(level \d+, ending at leaf \d+\) does not match/);
      await edit('ledger_tree_nodes', sql, [row.hash, row.leaf_end, row.level]);
    });

    it('a state write (one hex digit of a recorded digest)', async () => {
      const row = await query<{ key: string; value: string }>(
        `SELECT key, value FROM ledger_writes WHERE channel = 'notary' AND height = 3 AND key LIKE 'doc/%' ORDER BY key LIMIT 1`,
        [],
      );
      const sql = `UPDATE ledger_writes SET value = $1 WHERE channel = 'notary' AND height = 3 AND key = $2`;
      await edit('ledger_writes', sql, [flipDigestDigit(row.value), row.key]);
      await expectVerifyFails(3, /state root does not match the block writes/);
      await edit('ledger_writes', sql, [row.value, row.key]);
    });

    it('a transaction result (one hex digit of an event)', async () => {
      const [first, last] = blockLeaves.get(4)!;
      const row = await query<{ seq: string; result: string }>(
        `SELECT seq, result FROM ledger_txs WHERE channel = 'notary' AND seq BETWEEN $1 AND $2 AND status = 'COMMITTED' ORDER BY seq DESC LIMIT 1`,
        [first, last],
      );
      const sql = `UPDATE ledger_txs SET result = $1 WHERE channel = 'notary' AND seq = $2`;
      await edit('ledger_txs', sql, [flipDigestDigit(row.result), row.seq]);
      await expectVerifyFails(4, /transaction \d+ \([0-9a-f]{64}\): stored leaf does not match the transaction/);
      await edit('ledger_txs', sql, [row.result, row.seq]);
    });

    it('a checkpoint (one character of its signature line)', async () => {
      const row = await query<{ checkpoint: string }>(`SELECT checkpoint FROM ledger_blocks WHERE channel = 'notary' AND height = 5`, []);
      const lines = row.checkpoint.split('\n');
      const sigLine = lines.findIndex((l) => l.startsWith('\u2014 '));
      const line = lines[sigLine];
      const i = line.length - 20; // inside the Ed25519 signature, away from the key hash and padding
      lines[sigLine] = line.slice(0, i) + (line[i] === 'A' ? 'B' : 'A') + line.slice(i + 1);
      const sql = `UPDATE ledger_blocks SET checkpoint = $1 WHERE channel = 'notary' AND height = 5`;
      await edit('ledger_blocks', sql, [lines.join('\n')]);
      await expectVerifyFails(5, /checkpoint does not verify: the signature by trusted key bank-a\.node does not verify/);
      await edit('ledger_blocks', sql, [row.checkpoint]);
    });

    it('verifies again once every edit is reverted', async () => {
      const r = await zizhu(['ledger', 'verify', ...dbArgs()]);
      expect(r.code).toBe(0);
    });
  });

  describe('offline proofs and checkpoints', () => {
    const file = async (name: string, content: unknown) => {
      const path = join(dir, name);
      await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
      return path;
    };

    it('an inclusion proof verifies against the node key; a changed leaf or another key does not', async () => {
      const good = await file('inclusion.json', { type: 'inclusion', ...inclusion, checkpoint: checkpointLate });
      const leaf = Buffer.from(fromBase64(inclusion.leaf));
      leaf[leaf.indexOf('COMMITTED')] = 'X'.charCodeAt(0);
      const changedLeaf = await file('inclusion-changed.json', { type: 'inclusion', ...inclusion, leaf: toBase64(leaf), checkpoint: checkpointLate });
      const otherKey = verifierKey('bank-a.node', generateEd25519().publicKey);
      const [ok, changed, wrongKey, noTrust] = await Promise.all([
        zizhu(['proof', 'verify', good, '--trust', nodeVerifierKey]),
        zizhu(['proof', 'verify', changedLeaf, '--trust', nodeVerifierKey]),
        zizhu(['proof', 'verify', good, '--trust', otherKey]),
        zizhu(['proof', 'verify', good]),
      ]);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain(`inclusion proof OK: leaf ${inclusion.leafIndex} in tree of size ${inclusion.treeSize}`);
      expect(ok.stdout).toContain('signed by bank-a.node');
      expect(changed.code).toBe(1);
      expect(changed.stdout).toContain('does not lead from leaf');
      expect(wrongKey.code).toBe(1);
      expect(wrongKey.stdout).toContain('checkpoint does not verify');
      expect(noTrust.code).toBe(2);
      expect(noTrust.stderr).toMatch(/^zizhu: give --trust/);
    });

    it('an inclusion proof against a bare root only with --no-checkpoint', async () => {
      const root = checkpointLate.split('\n')[2];
      const bare = await file('inclusion-root.json', { type: 'inclusion', ...inclusion, root });
      const [ok, refused] = await Promise.all([zizhu(['proof', 'verify', bare, '--no-checkpoint']), zizhu(['proof', 'verify', bare, '--trust', nodeVerifierKey])]);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain('NOT authenticated');
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain('"checkpoint" must be the signed checkpoint text');
    });

    it('a consistency proof between two checkpoints; tampered or mismatched ones fail', async () => {
      const doc = { type: 'consistency', ...consistency, fromCheckpoint: checkpointEarly, toCheckpoint: checkpointLate };
      const good = await file('consistency.json', doc);
      const proof = [...consistency.proof];
      const h = Buffer.from(fromBase64(proof[0]));
      h[0] ^= 0x80;
      proof[0] = toBase64(h);
      const tampered = await file('consistency-tampered.json', { ...doc, proof });
      const swapped = await file('consistency-swapped.json', { ...doc, fromCheckpoint: systemCheckpoint });
      const [ok, bad, otherLog, otherKey] = await Promise.all([
        zizhu(['proof', 'verify', good, '--trust', nodeVerifierKey]),
        zizhu(['proof', 'verify', tampered, '--trust', nodeVerifierKey]),
        zizhu(['proof', 'verify', swapped, '--trust', nodeVerifierKey]),
        zizhu(['proof', 'verify', good, '--trust', verifierKey('bank-a.node', generateEd25519().publicKey)]),
      ]);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain(`consistency proof OK: tree of size ${consistency.fromSize} is a prefix of tree of size ${consistency.toSize}`);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toContain('does not extend');
      expect(otherLog.code).toBe(1);
      expect(otherLog.stdout).toContain('different logs');
      expect(otherKey.code).toBe(1);
    });

    it('checkpoint verify: from a file or stdin; another key or an edited body fails', async () => {
      const path = await file('checkpoint.txt', checkpointLate);
      const edited = await file('checkpoint-edited.txt', checkpointLate.replace(/^(.*\n)(\d+)\n/, (_m, origin: string, size: string) => `${origin}${Number(size) + 1}\n`));
      const [ok, stdin, wrong, changed, badKey] = await Promise.all([
        zizhu(['checkpoint', 'verify', path, '--key', nodeVerifierKey]),
        zizhu(['checkpoint', 'verify', '-', '--key', nodeVerifierKey], { input: checkpointLate }),
        zizhu(['checkpoint', 'verify', path, '--key', verifierKey('bank-a.node', generateEd25519().publicKey)]),
        zizhu(['checkpoint', 'verify', edited, '--key', nodeVerifierKey]),
        zizhu(['checkpoint', 'verify', path, '--key', 'not-a-key']),
      ]);
      const size = checkpointLate.split('\n')[1];
      for (const r of [ok, stdin]) {
        expect(r.code).toBe(0);
        expect(r.stdout).toContain('checkpoint OK: signed by bank-a.node');
        expect(r.stdout).toMatch(/^origin +zizhu\/dev\/notary$/m);
        expect(r.stdout).toMatch(new RegExp(`^tree size +${size}$`, 'm'));
        expect(r.stdout).toMatch(/^height +\d+$/m);
        expect(r.stdout).toMatch(/^block hash +[0-9a-f]{64}$/m);
      }
      expect(wrong.code).toBe(1);
      expect(wrong.stdout).toContain('no signature from a trusted key');
      expect(changed.code).toBe(1);
      expect(changed.stdout).toContain('does not verify');
      expect(badKey.code).toBe(2);
      expect(badKey.stderr).toMatch(/^zizhu: --key "not-a-key": /);
    });
  });

  describe('usage errors', () => {
    it('a bad flag, a missing or unreachable database, a missing file: exit 2, one line, no stack', async () => {
      const runs = await Promise.all([
        zizhu(['ledger', 'verify', '--no-such-flag', ...dbArgs()]),
        zizhu(['ledger', 'verify'], { env: { ...baseEnv(), ZIZHU_HOME: join(dir, 'no-node-here') } }),
        zizhu(['ledger', 'verify', '--database-url', db.url.replace(/\/[^/]+$/, '/zizhu_no_such_database')]),
        zizhu(['ledger', 'replay', '--database-url', 'postgres://postgres@127.0.0.1:1/zizhu']),
        zizhu(['ledger', 'verify', '--channel', 'nope', ...dbArgs()]),
        zizhu(['proof', 'verify', join(dir, 'no-such-proof.json'), '--trust', nodeVerifierKey]),
        zizhu(['ledger', 'frobnicate']),
        zizhu([]),
      ]);
      for (const r of runs) {
        expect(r.code).toBe(2);
        noStack(r.stderr);
      }
      const first = runs.slice(0, 7).map((r) => r.stderr.trim());
      for (const line of first) expect(line).toMatch(/^zizhu: [^\n]+$/);
      expect(first[0]).toContain("unknown option '--no-such-flag'");
      expect(first[1]).toContain('no database');
      expect(first[2]).toContain('does not exist');
      expect(first[3]).toContain('cannot reach the database');
      expect(first[4]).toContain('no channel nope');
      expect(first[5]).toContain('does not exist');
      expect(first[6]).toContain("unknown command 'frobnicate'");
    });

    it("without a URL, verify and replay use a running node's embedded PostgreSQL (ZIZHU_HOME/postgres.json); ledger init never does", async () => {
      // A node's embedded-server record, pointing at this test's server: its database is always named zizhu.
      const home = join(dir, 'node-home');
      await mkdir(home, { recursive: true });
      const port = new URL(db.url).port || '5432';
      const record = (ownerPid: number) => writeFile(join(home, 'postgres.json'), JSON.stringify({ port: Number(port), password: 'unused', ownerPid }));
      const env = { ...baseEnv(), ZIZHU_HOME: home };
      await record(process.pid);
      const [verify, replay, init] = await Promise.all([
        zizhu(['ledger', 'verify'], { env }),
        zizhu(['ledger', 'replay', '--channel', 'notary'], { env }),
        zizhu(['ledger', 'init', '--genesis', join(dir, 'genesis.json'), '--keystore', join(dir, 'keystore.json')], { env }),
      ]);
      for (const r of [verify, replay]) {
        expect(r.code).toBe(2);
        // It went to the node's server for the node's database (this test server has none named zizhu).
        expect(r.stderr).toMatch(/database "zizhu" does not exist/);
      }
      expect(init.code).toBe(2);
      expect(init.stderr).toMatch(/^zizhu: no database: give --database-url or set DATABASE_URL\n$/);
      // The node that owned the server is gone: no fallback.
      const gone = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!;
      await record(gone);
      const after = await zizhu(['ledger', 'verify'], { env });
      expect(after.code).toBe(2);
      expect(after.stderr).toContain('no database');
    });
  });
});
