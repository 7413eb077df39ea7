import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { leafHash, verifyCheckpoint, verifyInclusion } from '@zizhu/chain';
import { decryptAsRecipient, fromBase64, type GeneralJWE, type Keystore } from '@zizhu/crypto';
import { startTestNode, type GraphQLResponse, type TestNode } from '../../support/node.js';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const newDigest = () => randomBytes(32).toString('hex');

const ANCHORED = 'id created status version tx height leafIndex recordedAt';
const ANCHOR = `mutation($i: AnchorEvidenceInput!) { anchorEvidence(input: $i) { ${ANCHORED} } }`;
const ANCHOR_BATCH = `mutation($i: AnchorEvidenceBatchInput!) { anchorEvidenceBatch(input: $i) { ${ANCHORED} } }`;
const RECORD_FIELDS = 'id digest { alg value } type issuer holder status version replaces replacedBy revokeReason recordedAt height tx leafIndex';
const RECORD = `query($id: String!) { evidenceRecord(id: $id) { ${RECORD_FIELDS} timeline { seq action org tx detail } } }`;
const VERIFY = `query($d: EvidenceDigestInput!) { verifyEvidence(digest: $d) { found records { id issuer type status tx height leafIndex } } }`;

interface Anchored {
  id: string;
  created: boolean;
  status: string;
  version: number;
  tx: string;
  height: number;
  leafIndex: number;
  recordedAt: number;
}
interface Flow {
  seq: number;
  action: string;
  org: string;
  tx: string;
  detail: Record<string, unknown>;
}
interface Record_ {
  id: string;
  digest: { alg: string; value: string };
  type: string;
  issuer: string;
  holder: string;
  status: string;
  version: number;
  replaces: string | null;
  replacedBy: string | null;
  revokeReason: string | null;
  tx: string;
  height: number;
  leafIndex: number;
  timeline: Flow[];
}
interface Verification {
  found: boolean;
  records: { id: string; issuer: string; type: string; status: string; tx: string; height: number; leafIndex: number }[];
}

/**
 * An evidence record's life end to end, through GraphQL over a booted node with several
 * organisations: issuer-a (ISSUER) and bank-a (BANK) issue, platform-a holds and passes the
 * holding to platform-b, the regulator audits, hospital-a is unrelated, carrier-a holds a page.
 * Amendments, transfers of holding, revocations, batches of 10,000, and bad input.
 */
describe('evidence lifecycle: amendment, transfer of holding, revocation, batches, bad input', () => {
  let t: TestNode;
  let keystore: Keystore;
  const tok: Record<string, string> = {};
  const gql = <T = Record<string, unknown>>(org: string | undefined, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> =>
    t.gql<T>(query, variables, org ? { token: tok[org] } : undefined);
  const data = <T>(r: GraphQLResponse<T>): T => {
    expect(r.body.errors).toBeUndefined();
    return r.body.data!;
  };
  /** The first error's code and reason, and that no data came with it. */
  const refusal = (r: GraphQLResponse) => {
    expect(r.body.data ?? null).toBeNull();
    return { code: r.body.errors?.[0]?.extensions?.code, reason: r.body.errors?.[0]?.extensions?.reason };
  };

  const anchor = async (org: string, input: Record<string, unknown>) => data(await gql<{ anchorEvidence: Anchored }>(org, ANCHOR, { i: input })).anchorEvidence;
  const record = async (org: string, id: string) => data(await gql<{ evidenceRecord: Record_ }>(org, RECORD, { id })).evidenceRecord;
  const verify = async (value: string, alg = 'sha256') => data(await gql<{ verifyEvidence: Verification }>(undefined, VERIFY, { d: { alg, value } })).verifyEvidence;
  const treeSize = async () => {
    const note = data(await gql<{ checkpoint: string }>('regulator', '{ checkpoint(channel: "evidence") }')).checkpoint;
    return Number(note.split('\n')[1]);
  };

  beforeAll(async () => {
    t = await startTestNode();
    keystore = await t.keystore();
    for (const org of ['issuer-a', 'bank-a', 'platform-a', 'platform-b', 'regulator', 'hospital-a', 'carrier-a']) tok[org] = await t.login(org, 'admin', t.adminPassword(org));
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('amendment', () => {
    it('anchors version 2 pointing to the record it replaces, which becomes AMENDED unchanged; both verify; the timeline shows AMENDED', async () => {
      const d1 = newDigest();
      const v1 = await anchor('issuer-a', { digest: { value: d1 }, type: 'INVOICE', holder: 'platform-a', title: 'invoice 7, first issue', amount: '10000' });
      const before = await record('platform-a', v1.id);

      const d2 = newDigest();
      const v2 = await anchor('issuer-a', { digest: { value: d2 }, type: 'INVOICE', holder: 'platform-a', title: 'invoice 7, corrected', amount: '12000', replaces: v1.id });
      expect(v2).toMatchObject({ created: true, status: 'ACTIVE', version: 2 });
      expect(v2.id).not.toBe(v1.id);

      const newer = await record('platform-a', v2.id);
      expect(newer).toMatchObject({ version: 2, replaces: v1.id, replacedBy: null, status: 'ACTIVE', digest: { alg: 'sha256', value: d2 } });
      const older = await record('platform-a', v1.id);
      // Never edited: the same digest, transaction, block and leaf; only its status moves on.
      expect(older).toMatchObject({ status: 'AMENDED', replacedBy: v2.id, version: 1, replaces: null, digest: before.digest, tx: v1.tx, height: v1.height, leafIndex: v1.leafIndex });
      expect(older.timeline.map((f) => f.action)).toEqual(['ANCHORED', 'AMENDED']);
      expect(older.timeline[1]).toMatchObject({ org: 'issuer-a', tx: v2.tx, detail: { replacedBy: v2.id } });
      expect(newer.timeline[0]).toMatchObject({ action: 'ANCHORED', detail: { replaces: v1.id } });

      // Both digests verify publicly, the older one reporting that it was amended.
      expect(await verify(d1)).toEqual({ found: true, records: [{ id: v1.id, issuer: 'issuer-a', type: 'INVOICE', status: 'AMENDED', tx: v1.tx, height: v1.height, leafIndex: v1.leafIndex }] });
      expect(await verify(d2)).toEqual({ found: true, records: [{ id: v2.id, issuer: 'issuer-a', type: 'INVOICE', status: 'ACTIVE', tx: v2.tx, height: v2.height, leafIndex: v2.leafIndex }] });
      // The older version's certificate still proves its own anchoring transaction.
      const cert = data(await gql<{ evidenceRecord: { certificate: { transaction: { hash: string }; evidence: { digest: { value: string } } } } }>('regulator', 'query($id: String!) { evidenceRecord(id: $id) { certificate } }', { id: v1.id })).evidenceRecord.certificate;
      expect(cert.transaction.hash).toBe(v1.tx);
      expect(cert.evidence.digest.value).toBe(d1);
    });

    it('amending an amended or a revoked record, another issuer\'s, or with another type is refused with a code before the chain, and nothing is anchored', async () => {
      // bank-a (a BANK, so an issuer too) holds these: it sees them, but did not issue them.
      const v1 = await anchor('issuer-a', { digest: { value: newDigest() }, type: 'RECEIPT', holder: 'bank-a' });
      const v2 = await anchor('issuer-a', { digest: { value: newDigest() }, type: 'RECEIPT', holder: 'bank-a', replaces: v1.id });
      const size = await treeSize();

      const again = newDigest();
      const amend = (org: string, replaces: string, type = 'RECEIPT') => gql(org, ANCHOR, { i: { digest: { value: again }, type, holder: 'bank-a', replaces } });
      expect(refusal(await amend('issuer-a', v1.id))).toEqual({ code: 'CONFLICT', reason: 'EVIDENCE_SUPERSEDED' });
      expect(refusal(await amend('bank-a', v2.id))).toEqual({ code: 'FORBIDDEN', reason: 'NOT_ISSUER' });
      expect(refusal(await amend('issuer-a', v2.id, 'INVOICE'))).toEqual({ code: 'BAD_USER_INPUT', reason: 'TYPE_MISMATCH' });
      expect(refusal(await amend('issuer-a', sha256('no such record')))).toMatchObject({ code: 'NOT_FOUND' });
      // In a batch: two amendments of one record.
      const twice = await gql('issuer-a', ANCHOR_BATCH, { i: { items: [newDigest(), newDigest()].map((value) => ({ digest: { value }, type: 'RECEIPT', holder: 'bank-a', replaces: v2.id })) } });
      expect(refusal(twice)).toEqual({ code: 'BAD_USER_INPUT', reason: 'AMENDED_TWICE' });
      expect(await treeSize()).toBe(size);

      data(await gql('issuer-a', 'mutation($id: String!) { revokeEvidence(id: $id, reason: "issued in error") { status } }', { id: v2.id }));
      const afterRevoke = await treeSize();
      expect(refusal(await amend('issuer-a', v2.id))).toEqual({ code: 'CONFLICT', reason: 'EVIDENCE_REVOKED' });

      // Refused before the chain: no transaction besides the revocation, no record of the digest.
      expect(afterRevoke).toBe(size + 1);
      expect(await treeSize()).toBe(afterRevoke);
      expect((await verify(again)).found).toBe(false);
      expect(await record('issuer-a', v2.id)).toMatchObject({ status: 'REVOKED', replaces: v1.id, version: 2 });
    });
  });

  describe('transfer of holding', () => {
    it('the holder passes the holding on: HOLDING_TRANSFERRED, the new holder lists it and reads its metadata and original; the old holder still sees it but no longer holds it', async () => {
      const doc = Buffer.concat([Buffer.from('insurance policy '), randomBytes(512)]);
      const a = await anchor('issuer-a', { digest: { value: sha256(doc) }, type: 'INSURANCE_POLICY', holder: 'platform-a', holderIdentity: 'Li Si', title: 'policy 42', amount: '990000', reference: 'POL-42' });
      const form = () => {
        const boundary = `zizhu${randomBytes(8).toString('hex')}`;
        const head = `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="policy.pdf"\r\ncontent-type: application/pdf\r\n\r\n`;
        return { body: Buffer.concat([Buffer.from(head), doc, Buffer.from(`\r\n--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
      };
      const { body, contentType } = form();
      const kept = await fetch(`${t.url}/evidence/records/${a.id}/original`, { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${tok['issuer-a']}` }, body });
      expect(kept.status).toBe(201);

      const TRANSFER = 'mutation($id: String!, $to: String!) { transferEvidenceHolding(id: $id, to: $to) { id holder status } }';
      // Someone who cannot see the record cannot move it (it is not even said to exist).
      expect(refusal(await gql('hospital-a', TRANSFER, { id: a.id, to: 'hospital-a' }))).toMatchObject({ code: 'NOT_FOUND' });

      expect(data(await gql<{ transferEvidenceHolding: unknown }>('platform-a', TRANSFER, { id: a.id, to: 'platform-b' })).transferEvidenceHolding).toEqual({ id: a.id, holder: 'platform-b', status: 'ACTIVE' });

      const seen = await record('platform-b', a.id);
      expect(seen).toMatchObject({ holder: 'platform-b', status: 'ACTIVE', tx: a.tx });
      const transfer = seen.timeline.find((f) => f.action === 'HOLDING_TRANSFERRED')!;
      expect(transfer).toMatchObject({ org: 'platform-a', detail: { from: 'platform-a', to: 'platform-b' } });
      const listed = data(await gql<{ evidenceRecords: { edges: { node: { id: string } }[] } }>('platform-b', '{ evidenceRecords(first: 100, holder: "platform-b") { edges { node { id } } } }')).evidenceRecords.edges;
      expect(listed.map((e) => e.node.id)).toContain(a.id);

      // The metadata was sealed again for the new holder (issuer, platform-b, regulator) with the transfer.
      const META = 'query($id: String!) { evidenceRecord(id: $id) { sealed metadata { holderIdentity title amount reference } } }';
      const mine = data(await gql<{ evidenceRecord: { sealed: GeneralJWE; metadata: Record<string, string> } }>('platform-b', META, { id: a.id })).evidenceRecord;
      expect(mine.metadata).toEqual({ holderIdentity: 'Li Si', title: 'policy 42', amount: '990000', reference: 'POL-42' });
      const aad = `evidence:${a.id}`;
      const opened = await decryptAsRecipient(mine.sealed, { kid: 'platform-b', privateKey: keystore.x25519PrivateKey('platform-b/encryption') }, { aad });
      expect(JSON.parse(Buffer.from(opened).toString('utf8'))).toMatchObject({ title: 'policy 42' });
      await expect(decryptAsRecipient(mine.sealed, { kid: 'platform-a', privateKey: keystore.x25519PrivateKey('platform-a/encryption') }, { aad })).rejects.toThrow();
      // So was the original in custody: the new holder downloads it.
      const got = await fetch(`${t.url}/evidence/records/${a.id}/original`, { headers: { authorization: `Bearer ${tok['platform-b']}` } });
      expect(got.status).toBe(200);
      expect(Buffer.from(await got.arrayBuffer()).equals(doc)).toBe(true);

      // The old holder stays a party (it sees the record and its timeline) but holds it no more.
      const old = await record('platform-a', a.id);
      expect(old).toMatchObject({ holder: 'platform-b' });
      expect(old.timeline.map((f) => f.action)).toContain('HOLDING_TRANSFERRED');
      expect(refusal(await gql('platform-a', TRANSFER, { id: a.id, to: 'platform-a' }))).toEqual({ code: 'FORBIDDEN', reason: 'NOT_ISSUER_OR_HOLDER' });
      expect(refusal(await gql('platform-a', META, { id: a.id }))).toEqual({ code: 'FORBIDDEN', reason: 'NOT_A_RECIPIENT' });
      const denied = await fetch(`${t.url}/evidence/records/${a.id}/original`, { headers: { authorization: `Bearer ${tok['platform-a']}` } });
      expect(denied.status).toBe(403);

      // The issuer may move it too; to the current holder is refused.
      expect(refusal(await gql('issuer-a', TRANSFER, { id: a.id, to: 'platform-b' }))).toEqual({ code: 'CONFLICT', reason: 'SAME_HOLDER' });
      expect(data(await gql<{ transferEvidenceHolding: { holder: string } }>('issuer-a', TRANSFER, { id: a.id, to: 'platform-a' })).transferEvidenceHolding.holder).toBe('platform-a');
      expect(data(await gql<{ evidenceRecord: { metadata: { title: string } } }>('platform-a', META, { id: a.id })).evidenceRecord.metadata.title).toBe('policy 42');
      // The regulator reads it throughout.
      expect(data(await gql<{ evidenceRecord: { metadata: { title: string } } }>('regulator', META, { id: a.id })).evidenceRecord.metadata.title).toBe('policy 42');
    });
  });

  describe('revocation', () => {
    it('the issuer revokes with a reason: REVOKED, never deleted; verify still finds it, reporting REVOKED; nobody else may revoke', async () => {
      const d = newDigest();
      const a = await anchor('issuer-a', { digest: { value: d }, type: 'BILL', holder: 'platform-a' });
      const REVOKE = 'mutation($id: String!, $r: String!) { revokeEvidence(id: $id, reason: $r) { id status revokeReason } }';

      // The holder and the regulator are parties who may see it, not its issuer: FORBIDDEN before the chain.
      const size = await treeSize();
      expect(refusal(await gql('platform-a', REVOKE, { id: a.id, r: 'not mine' }))).toEqual({ code: 'FORBIDDEN', reason: 'NOT_ISSUER' });
      expect(refusal(await gql('regulator', REVOKE, { id: a.id, r: 'not mine either' }))).toEqual({ code: 'FORBIDDEN', reason: 'NOT_ISSUER' });
      expect(refusal(await gql('hospital-a', REVOKE, { id: a.id, r: 'unrelated' }))).toMatchObject({ code: 'NOT_FOUND' });
      expect(await treeSize()).toBe(size);

      expect(data(await gql<{ revokeEvidence: unknown }>('issuer-a', REVOKE, { id: a.id, r: 'billed twice' })).revokeEvidence).toEqual({ id: a.id, status: 'REVOKED', revokeReason: 'billed twice' });
      const r = await record('platform-a', a.id);
      expect(r).toMatchObject({ status: 'REVOKED', revokeReason: 'billed twice', tx: a.tx, digest: { value: d } });
      expect(r.timeline.at(-1)).toMatchObject({ action: 'REVOKED', org: 'issuer-a', detail: { reason: 'billed twice' } });
      expect(await verify(d)).toEqual({ found: true, records: [expect.objectContaining({ id: a.id, status: 'REVOKED', tx: a.tx })] });
      expect(refusal(await gql('issuer-a', REVOKE, { id: a.id, r: 'again' }))).toEqual({ code: 'CONFLICT', reason: 'ALREADY_REVOKED' });
      expect(refusal(await gql('issuer-a', 'mutation($id: String!) { transferEvidenceHolding(id: $id, to: "platform-b") { id } }', { id: a.id }))).toEqual({ code: 'CONFLICT', reason: 'EVIDENCE_REVOKED' });
      // Still listed under its status.
      const revoked = data(await gql<{ evidenceRecords: { edges: { node: { id: string } }[] } }>('platform-a', '{ evidenceRecords(first: 100, status: REVOKED) { edges { node { id } } } }')).evidenceRecords.edges;
      expect(revoked.map((e) => e.node.id)).toContain(a.id);
    });
  });

  describe('batch anchoring', () => {
    it('anchors 10,000 digests in one call, each individually provable against a signed checkpoint; duplicates and a second submission return the same ids', async () => {
      const digests = Array.from({ length: 9_999 }, newDigest);
      const items = digests.map((value, i) => ({ digest: { value }, type: 'RECEIPT', holder: 'platform-a', reference: `R-${i}` }));
      // The last item repeats the first: the batch holds 9,999 distinct digests.
      items.push({ ...items[0] });
      const first = data(await gql<{ anchorEvidenceBatch: Anchored[] }>('issuer-a', ANCHOR_BATCH, { i: { items } })).anchorEvidenceBatch;
      expect(first).toHaveLength(10_000);
      expect(new Set(first.map((a) => a.id)).size).toBe(9_999);
      expect(first[9_999].id).toBe(first[0].id);
      expect(first[9_999].tx).toBe(first[0].tx);
      expect(first.slice(0, 9_999).every((a) => a.created && a.status === 'ACTIVE')).toBe(true);
      expect(new Set(first.map((a) => a.tx)).size).toBe(9_999);

      // Each one proves on its own: its anchoring transaction is in the log of a checkpoint the node signed.
      const verifierKey = data(await gql<{ nodeInfo: { verifierKey: string } }>(undefined, '{ nodeInfo { verifierKey } }')).nodeInfo.verifierKey;
      const note = data(await gql<{ checkpoint: string }>('regulator', '{ checkpoint(channel: "evidence") }')).checkpoint;
      const { checkpoint } = verifyCheckpoint(note, [verifierKey]);
      for (let k = 0; k < 5; k++) {
        const i = randomInt(9_999);
        const p = data(
          await gql<{ inclusionProof: { leafIndex: number; treeSize: number; leaf: string; proof: string[] } }>(
            'issuer-a',
            'query($h: String!, $n: Int) { inclusionProof(channel: "evidence", txHash: $h, treeSize: $n) { leafIndex treeSize leaf proof } }',
            { h: first[i].tx, n: checkpoint.treeSize },
          ),
        ).inclusionProof;
        expect(p.leafIndex).toBe(first[i].leafIndex);
        const leaf = fromBase64(p.leaf);
        expect(JSON.parse(leaf.toString('utf8'))).toMatchObject({ status: 'COMMITTED', tx: first[i].tx });
        expect(verifyInclusion(leafHash(leaf), p.leafIndex, p.treeSize, p.proof.map(fromBase64), checkpoint.root)).toBe(true);
        expect((await verify(digests[i])).records).toEqual([expect.objectContaining({ id: first[i].id, tx: first[i].tx, leafIndex: first[i].leafIndex })]);
      }

      // Sending the batch again anchors nothing new: the same ids and transactions, created false.
      const size = await treeSize();
      const again = data(await gql<{ anchorEvidenceBatch: Anchored[] }>('issuer-a', ANCHOR_BATCH, { i: { items } })).anchorEvidenceBatch;
      expect(again).toEqual(first.map((a) => ({ ...a, created: false })));
      expect(await treeSize()).toBe(size);
    });

    it('a batch of 10,001 is refused with BAD_USER_INPUT and nothing is written', async () => {
      const items = Array.from({ length: 10_001 }, () => ({ digest: { value: newDigest() }, type: 'RECEIPT', holder: 'platform-a' }));
      const size = await treeSize();
      const r = await gql('issuer-a', ANCHOR_BATCH, { i: { items } });
      expect(refusal(r)).toEqual({ code: 'BAD_USER_INPUT', reason: 'VALIDATION_FAILED' });
      expect(r.body.errors![0].message).toMatch(/10000/);
      expect(await treeSize()).toBe(size);
      expect((await verify(items[0].digest.value)).found).toBe(false);
    });
  });

  describe('bad input', () => {
    it('a malformed digest, an unknown type, an over-long title, an unknown holder: BAD_USER_INPUT with a code; nothing is written, in a batch neither', async () => {
      const ok = { digest: { value: newDigest() }, type: 'INVOICE', holder: 'platform-a' };
      const size = await treeSize();
      const cases: [Record<string, unknown>, string][] = [
        [{ ...ok, digest: { value: 'ABC' } }, 'VALIDATION_FAILED'],
        [{ ...ok, digest: { value: ok.digest.value.toUpperCase() } }, 'VALIDATION_FAILED'],
        [{ ...ok, digest: { alg: 'md5', value: ok.digest.value } }, 'INVALID_VARIABLES'],
        [{ ...ok, type: 'PAYSLIP' }, 'INVALID_VARIABLES'],
        [{ ...ok, title: 'x'.repeat(257) }, 'VALIDATION_FAILED'],
        [{ ...ok, amount: '12.50' }, 'VALIDATION_FAILED'],
        [{ ...ok, holder: 'Platform A' }, 'VALIDATION_FAILED'],
        [{ ...ok, holder: 'no-such-org' }, 'UNKNOWN_RECIPIENT'],
      ];
      for (const [input, reason] of cases) {
        const r = await gql('issuer-a', ANCHOR, { i: input });
        expect({ input, ...refusal(r) }).toEqual({ input, code: 'BAD_USER_INPUT', reason });
        expect(r.body.errors![0].message.length).toBeGreaterThan(10);
        expect(r.body.errors![0].extensions!.stacktrace).toBeUndefined();
      }
      // One bad item refuses the whole batch before anything reaches the chain.
      for (const [bad, reason] of [
        [{ ...ok, title: 'y'.repeat(300) }, 'VALIDATION_FAILED'],
        [{ ...ok, holder: 'no-such-org' }, 'UNKNOWN_RECIPIENT'],
      ] as const) {
        const items = [{ ...ok, digest: { value: newDigest() } }, { ...ok, digest: { value: newDigest() } }, { ...bad, digest: { value: newDigest() } }];
        const r = await gql('issuer-a', ANCHOR_BATCH, { i: { items } });
        expect(refusal(r)).toEqual({ code: 'BAD_USER_INPUT', reason });
        expect(r.body.errors![0].message).toMatch(/^(item 2: |items\.2\.)/);
        for (const item of items) expect((await verify(item.digest.value)).found).toBe(false);
      }
      expect(await treeSize()).toBe(size);
      expect((await verify(ok.digest.value)).found).toBe(false);
      // Not an issuer at all.
      expect(refusal(await gql('platform-a', ANCHOR, { i: ok }))).toEqual({ code: 'FORBIDDEN', reason: 'NOT_AN_ISSUER' });
    });
  });

  describe('reading a page of records', () => {
    it('a page of 50 records with their metadata records 50 VIEWED flows in one transaction, each decryption audited', async () => {
      const items = Array.from({ length: 50 }, (_, i) => ({ digest: { value: newDigest() }, type: 'SALES_SLIP', holder: 'carrier-a', title: `slip ${i}` }));
      const anchored = data(await gql<{ anchorEvidenceBatch: Anchored[] }>('issuer-a', ANCHOR_BATCH, { i: { items } })).anchorEvidenceBatch;
      const size = await treeSize();

      const page = data(
        await gql<{ evidenceRecords: { edges: { node: { id: string; metadata: { title: string } } }[] } }>('carrier-a', '{ evidenceRecords(first: 50, holder: "carrier-a") { edges { node { id metadata { title } } } } }'),
      ).evidenceRecords.edges.map((e) => e.node);
      expect(page).toHaveLength(50);
      const titleOf = new Map(items.map((item, i) => [anchored[i].id, item.title]));
      for (const node of page) expect(node.metadata.title).toBe(titleOf.get(node.id));
      expect(await treeSize()).toBe(size + 1);

      // A batch is sealed with one ephemeral key per recipient organisation, each JWE with its own apu.
      const SEALED = 'query($id: String!) { evidenceRecord(id: $id) { sealed } }';
      const sealed = await Promise.all(anchored.slice(0, 2).map(async (a) => data(await gql<{ evidenceRecord: { sealed: GeneralJWE } }>('issuer-a', SEALED, { id: a.id })).evidenceRecord.sealed));
      const entry = (jwe: GeneralJWE, kid: string) => jwe.recipients.find((r) => r.header?.kid === kid)!.header!;
      for (const kid of ['issuer-a', 'carrier-a', 'regulator']) {
        expect(entry(sealed[0], kid).epk).toEqual(entry(sealed[1], kid).epk);
        expect(entry(sealed[0], kid).apu).not.toBe(entry(sealed[1], kid).apu);
      }

      const timelines = await Promise.all(page.map((n) => record('carrier-a', n.id)));
      const views = timelines.map((r) => r.timeline.filter((f) => f.action === 'VIEWED'));
      expect(views.every((v) => v.length === 1 && v[0].org === 'carrier-a')).toBe(true);
      const txs = new Set(views.map((v) => v[0].tx));
      expect(txs.size).toBe(1);
      const tx = data(await gql<{ transaction: { method: string; status: string; args: { ids: string[] } } }>('carrier-a', 'query($h: String!) { transaction(hash: $h) { method status args } }', { h: [...txs][0] })).transaction;
      expect(tx).toMatchObject({ method: 'viewMany', status: 'COMMITTED' });
      expect([...tx.args.ids].sort()).toEqual(page.map((n) => n.id).sort());

      const audit = data(await gql<{ auditRecords: { edges: { node: { action: string; target: string; detail: { outcome: string } } }[] } }>('carrier-a', '{ auditRecords(first: 100) { edges { node { action target detail } } } }')).auditRecords.edges;
      const decrypted = audit.filter((e) => e.node.action === 'DECRYPTION' && e.node.detail.outcome === 'DECRYPTED').map((e) => e.node.target);
      expect(decrypted.sort()).toEqual(page.map((n) => `evidence:${n.id}`).sort());
    });
  });
});
