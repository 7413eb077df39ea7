import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildEvidenceCertificate, signTransaction, verifierKey, type EvidenceCertificate } from '@zizhu/chain';
import { Ed25519Signer, encryptForRecipients, fromBase64, generateEd25519, sha256Hex } from '@zizhu/crypto';
import { SystemContract } from '@zizhu/contract-system';
import { EvidenceContract } from '@zizhu/contract-evidence';
import { createDevConsortium } from '@zizhu/consortium';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { openChain } from '../../support/chain-fixture.js';

/** `zizhu evidence verify`, the built CLI as a child process. Build first: `npx tsc -b tsconfig.build.json`. */
const CLI = join(fileURLToPath(new URL('../../../', import.meta.url)), 'apps/cli/dist/main.js');

function zizhu(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

describe('zizhu evidence verify (built, as a child process)', () => {
  let db: TestDatabase;
  let dir: string;
  let cert: EvidenceCertificate;
  let nodeKey: string;
  const document = Buffer.from('%PDF-1.7 e-contract between issuer-a and platform-a, 125000 fen\n');
  const path = (name: string) => join(dir, name);
  /** Writes a variant of the certificate and returns its path. */
  const variant = async (name: string, change: (c: EvidenceCertificate) => void): Promise<string> => {
    const c = JSON.parse(JSON.stringify(cert)) as EvidenceCertificate;
    change(c);
    await writeFile(path(name), JSON.stringify(c, null, 2));
    return path(name);
  };

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first with npx tsc -b tsconfig.build.json`);
    [db, dir] = await Promise.all([createTestDatabase('zizhu_evcli'), mkdtemp(join(tmpdir(), 'zizhu-evidence-'))]);
    const { genesis, keystore } = await createDevConsortium({
      consortium: 'test',
      orgs: [
        { id: 'issuer-a', name: 'Issuer A', kind: 'ISSUER' },
        { id: 'platform-a', name: 'Platform A', kind: 'PLATFORM' },
      ],
      channels: [{ name: 'evidence', members: ['issuer-a', 'platform-a'], contracts: ['evidence'] }],
      contracts: [EvidenceContract],
      scryptN: 1024,
    });
    const chain = await openChain(db.url, genesis, keystore, { contracts: [SystemContract, EvidenceContract], config: { blockMaxWaitMs: 2 } });
    try {
      const issuer = keystore.signer('issuer-a/admin');
      // The contract refuses metadata not sealed for both the issuer and the holder organisation.
      const sealed = await encryptForRecipients(
        { holder: 'platform-a', title: 'e-contract' },
        ['issuer-a', 'platform-a'].map((kid) => ({ kid, publicKey: fromBase64(genesis.orgs.find((o) => o.id === kid)!.encryptionKey) })),
      );
      const digest = { alg: 'sha256' as const, value: sha256Hex(document) };
      const args = { digest, type: 'E_CONTRACT', holder: 'platform-a', sealed: sealed as never };
      const r = await chain.submit(signTransaction({ channel: 'evidence', contract: 'evidence', method: 'anchor', args, ts: Date.now() }, issuer));
      expect(r.status).toBe('COMMITTED');
      const id = (r.value as { id: string; recordedAt: number }).id;
      cert = buildEvidenceCertificate({
        evidence: { id, digest, type: 'E_CONTRACT', issuer: 'issuer-a', recordedAt: (r.value as { recordedAt: number }).recordedAt },
        transaction: (await chain.transaction(r.hash))!,
        inclusion: await chain.inclusionProof('evidence', r.hash),
        checkpoint: chain.checkpoint('evidence'),
        verifierKeys: [chain.verifierKey],
      });
      nodeKey = chain.verifierKey;
      expect(id).toBe(EvidenceContract.evidenceId('issuer-a', digest));
    } finally {
      await chain.close();
    }
    await writeFile(path('cert.json'), JSON.stringify(cert, null, 2));
    await writeFile(path('contract.pdf'), document);
  });

  afterAll(async () => {
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the ledger behind it verifies, and its evidence channel replays with the evidence contract', async () => {
    const [verify, replay] = await Promise.all([zizhu(['ledger', 'verify', '--database-url', db.url]), zizhu(['ledger', 'replay', '--channel', 'evidence', '--database-url', db.url])]);
    expect(verify).toMatchObject({ code: 0, stderr: '' });
    expect(verify.stdout).toContain('ledger verify: OK');
    expect(replay).toMatchObject({ code: 0, stderr: '' });
    expect(replay.stdout).toMatch(/^ledger replay: OK/m);
  });

  it('a valid certificate and its document: exit 0 with an OK line', async () => {
    const r = await zizhu(['evidence', 'verify', path('cert.json'), '--trust', nodeKey, '--file', path('contract.pdf')]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.split('\n')[0]).toBe(`evidence certificate OK: E_CONTRACT sha256:${cert.evidence.digest.value} issued by issuer-a`);
    expect(r.stdout).toContain(`transaction  ${cert.transaction.hash} on channel evidence`);
    expect(r.stdout).toContain('matches the certified digest');
    const noDoc = await zizhu(['evidence', 'verify', path('cert.json'), '--trust', nodeKey]);
    expect(noDoc.code).toBe(0);
    expect(noDoc.stdout).toContain('not checked');
  });

  it('another document, a changed certificate or an untrusted key: exit 1 naming the failed check', async () => {
    const changedDoc = Buffer.from(document);
    changedDoc[10] ^= 1;
    await writeFile(path('changed.pdf'), changedDoc);
    const cases: [string[], string][] = [
      [[path('cert.json'), '--trust', nodeKey, '--file', path('changed.pdf')], 'DOCUMENT'],
      [[path('cert.json'), '--trust', verifierKey('other.node', new Ed25519Signer(generateEd25519().privateKey).publicKey)], 'CHECKPOINT_SIGNATURE'],
      [[await variant('digest.json', (c) => (c.evidence.digest.value = sha256Hex(changedDoc))), '--trust', nodeKey], 'DIGEST'],
      [[await variant('ts.json', (c) => (c.transaction.signed.envelope.ts += 1)), '--trust', nodeKey], 'TRANSACTION_HASH'],
      [[await variant('root.json', (c) => (c.checkpoint = c.checkpoint.replace(c.checkpoint.split('\n')[2], Buffer.alloc(32, 7).toString('base64')))), '--trust', nodeKey], 'INCLUSION'],
      [[await variant('format.json', (c) => ((c as { format: string }).format = 'v2')), '--trust', nodeKey], 'FORMAT'],
    ];
    for (const [args, check] of cases) {
      const r = await zizhu(['evidence', 'verify', ...args]);
      expect({ check, code: r.code, line: r.stdout.split('\n')[0] }).toEqual({ check, code: 1, line: expect.stringMatching(new RegExp(`^evidence verify: REJECTED at ${check}: `)) });
    }
  });

  it('usage mistakes exit 2 with one line: no --trust, a missing file, a file that is not JSON', async () => {
    await writeFile(path('not.json'), '{ nope');
    for (const args of [[path('cert.json')], [path('missing.json'), '--trust', nodeKey], [path('not.json'), '--trust', nodeKey], [path('cert.json'), '--trust', 'not-a-key']]) {
      const r = await zizhu(['evidence', 'verify', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^zizhu: /);
    }
    const missingDoc = await zizhu(['evidence', 'verify', path('cert.json'), '--trust', nodeKey, '--file', path('missing.pdf')]);
    expect(missingDoc).toMatchObject({ code: 2, stderr: expect.stringContaining('does not exist') });
  });
});
