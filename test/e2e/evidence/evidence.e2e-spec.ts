import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decryptAsRecipient, type GeneralJWE, type Keystore } from '@zizhu/crypto';
import { startTestNode, type GraphQLResponse, type TestNode } from '../../support/node.js';

const CLI = join(fileURLToPath(new URL('../../../', import.meta.url)), 'apps/cli/dist/main.js');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function zizhu(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

function multipart(file: Buffer, filename = 'contract.pdf'): { body: Buffer; contentType: string } {
  const boundary = `zizhu${randomBytes(8).toString('hex')}`;
  const head = `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${filename}"\r\ncontent-type: application/pdf\r\n\r\n`;
  return { body: Buffer.concat([Buffer.from(head), file, Buffer.from(`\r\n--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}

const ANCHOR = `mutation($i: AnchorEvidenceInput!) { anchorEvidence(input: $i) { id created status version tx height leafIndex recordedAt } }`;
const ENVELOPE_FIELDS = 'id status recipients { org routingOrder status signature declineReason }';

interface Anchored {
  id: string;
  created: boolean;
  status: string;
  tx: string;
  height: number;
  leafIndex: number;
  recordedAt: number;
}

/**
 * The evidence module end to end, through GraphQL and HTTP over a booted node with several
 * organisations: issuer-a issues, platform-a holds, bank-a co-signs, the regulator audits,
 * hospital-a is unrelated.
 */
describe('evidence: anchor, verify, custody, signing, certificates', () => {
  let t: TestNode;
  let keystore: Keystore;
  let dir: string;
  const tok: Record<string, string> = {};
  const as = (org: string) => ({ token: tok[org] });
  const gql = async <T>(org: string | undefined, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> =>
    t.gql<T>(query, variables, org ? as(org) : undefined);
  const data = <T>(r: GraphQLResponse<T>): T => {
    expect(r.body.errors).toBeUndefined();
    return r.body.data!;
  };
  const reasonOf = (r: GraphQLResponse) => r.body.errors?.[0]?.extensions?.reason;
  const contract = Buffer.concat([Buffer.from('%PDF-1.7 e-contract issuer-a / platform-a / bank-a '), randomBytes(2048)]);
  let contractId: string;

  const anchor = async (doc: Buffer, type = 'E_CONTRACT', extra: Record<string, unknown> = {}) =>
    data(await gql<{ anchorEvidence: Anchored }>('issuer-a', ANCHOR, { i: { digest: { alg: 'sha256', value: sha256(doc) }, type, holder: 'platform-a', holderIdentity: 'Zhang San', title: 'sales contract', amount: '125000', reference: 'PO-7', ...extra } })).anchorEvidence;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first with npx tsc -b tsconfig.build.json`);
    t = await startTestNode();
    keystore = await t.keystore();
    dir = await mkdtemp(join(tmpdir(), 'zizhu-evidence-e2e-'));
    for (const org of ['issuer-a', 'platform-a', 'bank-a', 'regulator', 'hospital-a']) tok[org] = await t.login(org, 'admin', t.adminPassword(org));
    contractId = (await anchor(contract)).id;
  });
  afterAll(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('anchors a digest (id, tx, height, leaf index); public verify finds it; one changed byte is not found; re-anchoring returns the same record', async () => {
    const doc = Buffer.from(`invoice ${randomBytes(8).toString('hex')}`);
    const first = await anchor(doc, 'INVOICE');
    expect(first).toMatchObject({ created: true, status: 'ACTIVE', id: expect.stringMatching(/^[0-9a-f]{64}$/), tx: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(first.height).toBeGreaterThan(0);
    expect(first.leafIndex).toBeGreaterThan(0);

    const verify = `query($d: EvidenceDigestInput!) { verifyEvidence(digest: $d) { found records { id issuer type recordedAt tx height leafIndex certificate } } }`;
    const found = data(await gql<{ verifyEvidence: { found: boolean; records: Record<string, unknown>[] } }>(undefined, verify, { d: { value: sha256(doc) } })).verifyEvidence;
    expect(found.found).toBe(true);
    expect(found.records).toEqual([
      expect.objectContaining({ id: first.id, issuer: 'issuer-a', type: 'INVOICE', recordedAt: first.recordedAt, tx: first.tx, height: first.height, leafIndex: first.leafIndex }),
    ]);
    expect((found.records[0].certificate as { transaction: { hash: string } }).transaction.hash).toBe(first.tx);

    const changed = Buffer.from(doc);
    changed[3] ^= 1;
    expect(data(await gql<{ verifyEvidence: { found: boolean; records: unknown[] } }>(undefined, verify, { d: { value: sha256(changed) } })).verifyEvidence).toEqual({ found: false, records: [] });
    // A malformed digest is refused with a code, never looked up.
    const bad = await gql(undefined, verify, { d: { value: sha256(changed).toUpperCase() } });
    expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'VALIDATION_FAILED' });
    // The same by file upload over HTTP, without logging in.
    for (const [file, expected] of [[doc, true], [changed, false]] as const) {
      const { body, contentType } = multipart(file);
      const res = await fetch(`${t.url}/evidence/verify`, { method: 'POST', headers: { 'content-type': contentType }, body });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { found: boolean }).found).toBe(expected);
    }

    const again = await anchor(doc, 'INVOICE');
    expect(again).toEqual({ ...first, created: false });
  });

  it('signing with routing 1, 2, 2: B cannot sign before A, B and C sign in parallel, completion; the certificate verifies offline with the CLI, and fails once changed', async () => {
    const created = data(
      await gql<{ createSigningEnvelope: { id: string; status: string } }>('issuer-a', `mutation($i: CreateSigningEnvelopeInput!) { createSigningEnvelope(input: $i) { ${ENVELOPE_FIELDS} } }`, {
        i: {
          evidenceId: contractId,
          expiresAt: Date.now() + 3_600_000,
          recipients: [
            { organization: 'issuer-a', username: 'admin', routingOrder: 1 },
            { organization: 'platform-a', username: 'admin', routingOrder: 2 },
            { organization: 'bank-a', username: 'admin', routingOrder: 2 },
          ],
        },
      }),
    ).createSigningEnvelope;
    expect(created.status).toBe('SENT');
    const sign = (org: string) => gql<{ signEnvelope: { status: string } }>(org, `mutation($e: String!) { signEnvelope(envelopeId: $e) { ${ENVELOPE_FIELDS} } }`, { e: created.id });

    const early = await sign('platform-a');
    expect(early.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(reasonOf(early)).toBe('OUT_OF_ORDER');

    expect(data(await sign('issuer-a')).signEnvelope.status).toBe('SIGNED');
    const [b, c] = await Promise.all([sign('platform-a'), sign('bank-a')]);
    const statuses = [data(b).signEnvelope.status, data(c).signEnvelope.status].sort();
    expect(statuses[0]).toBe('COMPLETED');

    const record = data(
      await gql<{ evidenceRecord: { certificate: unknown; timeline: { action: string }[]; envelopes: { status: string; recipients: { signature: string | null }[] }[] } }>(
        'platform-a',
        `query($id: String!) { evidenceRecord(id: $id) { certificate timeline { action } envelopes { status recipients { signature } } } }`,
        { id: contractId },
      ),
    ).evidenceRecord;
    expect(record.envelopes[0].status).toBe('COMPLETED');
    expect(record.envelopes[0].recipients.every((r) => typeof r.signature === 'string')).toBe(true);
    expect(record.timeline.map((f) => f.action).filter((a) => a === 'SIGNED')).toHaveLength(3);
    expect(record.timeline.map((f) => f.action)).toContain('ENVELOPE_COMPLETED');

    const nodeKey = data(await gql<{ nodeInfo: { verifierKey: string } }>(undefined, '{ nodeInfo { verifierKey } }')).nodeInfo.verifierKey;
    await writeFile(join(dir, 'cert.json'), JSON.stringify(record.certificate, null, 2));
    await writeFile(join(dir, 'contract.pdf'), contract);
    const ok = await zizhu(['evidence', 'verify', join(dir, 'cert.json'), '--trust', nodeKey, '--file', join(dir, 'contract.pdf')]);
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    expect(ok.stdout).toContain('evidence certificate OK: E_CONTRACT');

    // One changed byte of the certificate (a hex digit of the digest).
    const text = JSON.stringify(record.certificate, null, 2);
    const at = text.indexOf(sha256(contract));
    const tampered = text.slice(0, at) + (text[at] === '0' ? '1' : '0') + text.slice(at + 1);
    await writeFile(join(dir, 'tampered.json'), tampered);
    const bad = await zizhu(['evidence', 'verify', join(dir, 'tampered.json'), '--trust', nodeKey]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^evidence verify: REJECTED at /);

    // The same certificate over HTTP (JSON and PDF).
    const json = await fetch(`${t.url}/evidence/records/${contractId}/certificate`, { headers: { authorization: `Bearer ${tok['platform-a']}` } });
    expect(json.status).toBe(200);
    expect(((await json.json()) as { evidence: { id: string } }).evidence.id).toBe(contractId);
    const pdf = await fetch(`${t.url}/evidence/records/${contractId}/certificate.pdf`, { headers: { authorization: `Bearer ${tok['platform-a']}` } });
    expect(pdf.status).toBe(200);
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('C declines: the envelope is DECLINED and the decline is on chain', async () => {
    const doc = Buffer.from(`e-contract to decline ${randomBytes(8).toString('hex')}`);
    const id = (await anchor(doc)).id;
    const envelope = data(
      await gql<{ createSigningEnvelope: { id: string } }>('issuer-a', `mutation($i: CreateSigningEnvelopeInput!) { createSigningEnvelope(input: $i) { id } }`, {
        i: { evidenceId: id, expiresAt: Date.now() + 3_600_000, recipients: [{ organization: 'platform-a', username: 'admin', routingOrder: 1 }, { organization: 'bank-a', username: 'admin', routingOrder: 1 }] },
      }),
    ).createSigningEnvelope;
    const declined = data(
      await gql<{ declineEnvelope: { status: string; recipients: { org: string; status: string; declineReason: string | null }[] } }>(
        'bank-a',
        `mutation($e: String!) { declineEnvelope(envelopeId: $e, reason: "amount is wrong") { ${ENVELOPE_FIELDS} } }`,
        { e: envelope.id },
      ),
    ).declineEnvelope;
    expect(declined.status).toBe('DECLINED');
    expect(declined.recipients.find((r) => r.org === 'bank-a')).toMatchObject({ status: 'DECLINED', declineReason: 'amount is wrong' });
    const late = await gql<Record<string, unknown>>('platform-a', `mutation($e: String!) { signEnvelope(envelopeId: $e) { id } }`, { e: envelope.id });
    expect(reasonOf(late)).toBe('ENVELOPE_DECLINED');

    const flows = data(await gql<{ evidenceRecord: { timeline: { action: string; tx: string; org: string }[] } }>('regulator', `query($id: String!) { evidenceRecord(id: $id) { timeline { action tx org } } }`, { id })).evidenceRecord.timeline;
    const decline = flows.find((f) => f.action === 'DECLINED')!;
    expect(decline.org).toBe('bank-a');
    const tx = data(await gql<{ transaction: { status: string; method: string; args: unknown } }>('bank-a', `query($h: String!) { transaction(hash: $h) { status method args } }`, { h: decline.tx })).transaction;
    expect(tx).toEqual({ status: 'COMMITTED', method: 'declineEnvelope', args: { envelopeId: envelope.id, reason: 'amount is wrong' } });
  });

  it('custody: an upload whose digest differs is refused; the anchored original is kept encrypted and downloaded by a recipient (on chain as DOWNLOADED)', async () => {
    const upload = async (file: Buffer, org: string) => {
      const { body, contentType } = multipart(file);
      return fetch(`${t.url}/evidence/records/${contractId}/original`, { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${tok[org]}` }, body });
    };
    const wrong = Buffer.from(contract);
    wrong[wrong.length - 1] ^= 1;
    const refused = await upload(wrong, 'issuer-a');
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { errors: { extensions: { reason: string } }[] }).errors[0].extensions.reason).toBe('DIGEST_MISMATCH');

    const kept = await upload(contract, 'issuer-a');
    expect(kept.status).toBe(201);
    expect(((await kept.json()) as { recipients: string[] }).recipients.sort()).toEqual(['issuer-a', 'platform-a', 'regulator']);

    const got = await fetch(`${t.url}/evidence/records/${contractId}/original`, { headers: { authorization: `Bearer ${tok['platform-a']}` } });
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(contract)).toBe(true);
    const denied = await fetch(`${t.url}/evidence/records/${contractId}/original`, { headers: { authorization: `Bearer ${tok['hospital-a']}` } });
    expect(denied.status).toBe(404);
    const flows = data(await gql<{ evidenceRecord: { timeline: { action: string; org: string }[] } }>('issuer-a', `query($id: String!) { evidenceRecord(id: $id) { timeline { action org } } }`, { id: contractId })).evidenceRecord.timeline;
    expect(flows).toContainEqual({ action: 'DOWNLOADED', org: 'platform-a' });
  });

  it('the regulator reads the metadata; an unrelated organisation cannot, and its key cannot open the JWE', async () => {
    const q = `query($id: String!) { evidenceRecord(id: $id) { sealed metadata { holderIdentity title amount reference } } }`;
    const seen = data(await gql<{ evidenceRecord: { sealed: GeneralJWE; metadata: Record<string, string> } }>('regulator', q, { id: contractId })).evidenceRecord;
    expect(seen.metadata).toEqual({ holderIdentity: 'Zhang San', title: 'sales contract', amount: '125000', reference: 'PO-7' });

    const refused = await gql('hospital-a', q, { id: contractId });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const listed = data(await gql<{ evidenceRecords: { edges: unknown[] } }>('hospital-a', '{ evidenceRecords(first: 50) { edges { node { id } } } }')).evidenceRecords.edges;
    expect(listed).toEqual([]);

    // Cryptographically: the regulator's X25519 key opens the on-chain JWE, hospital-a's does not.
    const aad = `evidence:${contractId}`;
    const opened = await decryptAsRecipient(seen.sealed, { kid: 'regulator', privateKey: keystore.x25519PrivateKey('regulator/encryption') }, { aad });
    expect(JSON.parse(Buffer.from(opened).toString('utf8'))).toMatchObject({ holderIdentity: 'Zhang San' });
    await expect(decryptAsRecipient(seen.sealed, { kid: 'hospital-a', privateKey: keystore.x25519PrivateKey('hospital-a/encryption') }, { aad })).rejects.toThrow();
    // Not even by pretending to be a listed recipient: hospital-a's key against the regulator's entry.
    await expect(decryptAsRecipient(seen.sealed, { kid: 'regulator', privateKey: keystore.x25519PrivateKey('hospital-a/encryption') }, { aad })).rejects.toThrow();
  });

  it('lists records by holder, issuer, type, status and time, Relay-paginated; the regulator sees all, a party only its own', async () => {
    const q = `query($a: String, $f: Float) { evidenceRecords(first: 2, after: $a, holder: "platform-a", type: E_CONTRACT, status: ACTIVE, from: $f) { edges { node { id issuer } } pageInfo { hasNextPage endCursor } } }`;
    type Page = { evidenceRecords: { edges: { node: { id: string; issuer: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    const ids: string[] = [];
    let after: string | null = null;
    do {
      const page: Page = data(await gql<Page>('regulator', q, { a: after, f: 0 }));
      ids.push(...page.evidenceRecords.edges.map((e) => e.node.id));
      after = page.evidenceRecords.pageInfo.hasNextPage ? page.evidenceRecords.pageInfo.endCursor : null;
    } while (after);
    expect(ids).toContain(contractId);
    expect(new Set(ids).size).toBe(ids.length);
    const future = data(await gql<Page>('platform-a', q, { a: null, f: Date.now() + 3_600_000 }));
    expect(future.evidenceRecords.edges).toEqual([]);
  });
});
