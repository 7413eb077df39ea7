import { describe, expect, it } from '@jest/globals';
import { Ed25519Signer, canonicalJson, generateEd25519, sha256, sha256Hex, toBase64 } from '@zizhu/crypto';
import { LedgerError } from '../errors.js';
import { leafTextOf, signTransaction, type SignedTransaction } from '../formats/index.js';
import { referencePath, referenceRoot } from '../merkle/reference.js';
import { checkpointBody, signNote, verifierKey } from '../checkpoint/index.js';
import { buildEvidenceCertificate, verifyEvidenceCertificate, EVIDENCE_CHECKS, type EvidenceCertificate, type EvidenceCheck } from './evidence-certificate.js';

const member = (name: string) => {
  const { privateKey, publicKey } = generateEd25519();
  return { name, signer: new Ed25519Signer(privateKey), vkey: verifierKey(name, publicKey) };
};
const node = member('bank-a.node');
const other = member('other.node');
const issuerKey = new Ed25519Signer(generateEd25519().privateKey);

const DOCUMENT = Buffer.from('%PDF-1.7 an e-contract between A, B and C\n');
const DIGEST = { alg: 'sha256' as const, value: sha256Hex(DOCUMENT) };
const TIME = 1763712000123;

/** A log of 7 leaves whose leaf 4 is a committed anchor transaction, and a checkpoint at size 7. */
function fixture() {
  const signed = signTransaction(
    { channel: 'evidence', contract: 'evidence', method: 'anchor', args: { digest: DIGEST, type: 'E_CONTRACT', holder: 'platform-a', sealed: {} as never }, ts: TIME - 50 },
    issuerKey,
  );
  const hash = sha256Hex('zizhu:tx:v1\n', canonicalJson(signed.envelope as never));
  const leafText = leafTextOf(canonicalJson({ events: [], value: { id: 'e1' } }), 'COMMITTED', hash);
  const leaves = Array.from({ length: 7 }, (_, i) => (i === 4 ? Buffer.from(leafText) : Buffer.from(leafTextOf('{}', i % 2 ? 'REVERTED' : 'COMMITTED', sha256Hex(`tx${i}`)))));
  const note = (size: number, by = node) =>
    signNote(
      checkpointBody({ origin: 'zizhu/test/evidence', treeSize: size, root: referenceRoot(leaves.slice(0, size)), height: 3, blockHash: sha256Hex('block'), time: TIME }),
      by.name,
      by.signer,
    );
  const inputs = {
    evidence: { id: sha256Hex('id'), digest: DIGEST, type: 'E_CONTRACT', issuer: 'issuer-a', recordedAt: TIME },
    transaction: { hash, signed, status: 'COMMITTED' as 'COMMITTED' | 'REVERTED', leaf: leafText, leafIndex: 4 },
    inclusion: { leafIndex: 4, treeSize: 7, leaf: toBase64(leaves[4]), proof: referencePath(4, leaves).map(toBase64) },
    checkpoint: note(7),
    verifierKeys: [node.vkey],
  };
  return { cert: buildEvidenceCertificate(inputs), inputs, leaves, note, signed };
}

const clone = (c: EvidenceCertificate): EvidenceCertificate => JSON.parse(JSON.stringify(c)) as EvidenceCertificate;
const flipHex = (s: string): string => (s[0] === '0' ? '1' : '0') + s.slice(1);
/** One character of a base64 string changed (a different valid base64 of the same length). */
const flipB64 = (s: string): string => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);

function expectFailure(cert: unknown, failed: EvidenceCheck, opts: { trust?: string[]; doc?: Uint8Array } = {}) {
  const result = verifyEvidenceCertificate(cert, opts.trust ?? [node.vkey], opts.doc);
  expect(result).toMatchObject({ ok: false, failed });
  return result;
}

describe('evidence certificate (ledger-formats §7)', () => {
  const { cert, inputs, leaves, note, signed } = fixture();

  it('builds the §7 document, which verifies against the trusted node key, with and without the document', () => {
    expect(Object.keys(cert).sort()).toEqual(['checkpoint', 'evidence', 'format', 'inclusion', 'transaction', 'verifierKeys']);
    expect(cert.format).toBe('zizhu-evidence-certificate/v1');
    const withDoc = verifyEvidenceCertificate(JSON.parse(JSON.stringify(cert)), [node.vkey], DOCUMENT);
    expect(withDoc).toEqual({
      ok: true,
      evidence: cert.evidence,
      transaction: { hash: cert.transaction.hash, channel: 'evidence', signer: signed.envelope.signer },
      checkpoint: { origin: 'zizhu/test/evidence', treeSize: 7, height: 3, blockHash: sha256Hex('block'), time: TIME, verifiedBy: [node.name] },
      documentChecked: true,
    });
    expect(verifyEvidenceCertificate(cert, [other.vkey, node.vkey])).toMatchObject({ ok: true, documentChecked: false });
  });

  it('names the checks in the order of the spec', () => {
    expect(EVIDENCE_CHECKS).toEqual(['FORMAT', 'TRANSACTION_HASH', 'TRANSACTION_SIGNATURE', 'DIGEST', 'LEAF', 'INCLUSION', 'CHECKPOINT_SIGNATURE', 'DOCUMENT']);
  });

  it('a malformed document fails FORMAT', () => {
    for (const mutate of [
      (c: EvidenceCertificate) => ((c as { format: string }).format = 'zizhu-evidence-certificate/v2'),
      (c: EvidenceCertificate) => ((c.evidence.digest as { alg: string }).alg = 'md5'),
      (c: EvidenceCertificate) => ((c.evidence as { recordedAt: unknown }).recordedAt = '1763712000123'),
      (c: EvidenceCertificate) => ((c.transaction as { status: string }).status = 'REVERTED'),
      (c: EvidenceCertificate) => delete (c.transaction.signed as Partial<SignedTransaction>).publicKey,
      (c: EvidenceCertificate) => (c.inclusion.proof[0] = 'not base64'),
      (c: EvidenceCertificate) => (c.inclusion.proof[0] = toBase64(Buffer.alloc(31))),
      (c: EvidenceCertificate) => ((c as { checkpoint: unknown }).checkpoint = null),
    ]) {
      const c = clone(cert);
      mutate(c);
      expectFailure(c, 'FORMAT');
    }
    expectFailure('[]', 'FORMAT');
    expectFailure(null, 'FORMAT');
  });

  it('a changed envelope or transaction.hash fails TRANSACTION_HASH; a consistently re-signed transaction fails LEAF', () => {
    const c = clone(cert);
    c.transaction.signed.envelope.ts += 1;
    expect(expectFailure(c, 'TRANSACTION_HASH')).toMatchObject({ reason: expect.stringContaining('transaction.hash') });
    const d = clone(cert);
    d.transaction.hash = flipHex(d.transaction.hash);
    expectFailure(d, 'TRANSACTION_HASH');
    const forger = new Ed25519Signer(generateEd25519().privateKey);
    const { v: _v, signer: _s, ...fields } = signed.envelope;
    const forged = signTransaction(fields, forger);
    const e = clone(cert);
    e.transaction.signed = forged;
    e.transaction.hash = sha256Hex('zizhu:tx:v1\n', canonicalJson(forged.envelope as never));
    expectFailure(e, 'LEAF');
  });

  it('a changed signature, or a signature by another key, fails TRANSACTION_SIGNATURE', () => {
    const c = clone(cert);
    c.transaction.signed.signature = flipB64(c.transaction.signed.signature);
    expectFailure(c, 'TRANSACTION_SIGNATURE');
    const forger = new Ed25519Signer(generateEd25519().privateKey);
    const d = clone(cert);
    d.transaction.signed.publicKey = toBase64(forger.publicKey);
    expectFailure(d, 'TRANSACTION_SIGNATURE');
  });

  it('a certified digest other than the envelope args carry fails DIGEST', () => {
    const c = clone(cert);
    c.evidence.digest.value = flipHex(c.evidence.digest.value);
    expectFailure(c, 'DIGEST');
    const d = clone(cert);
    d.evidence.digest.alg = 'sm3';
    expectFailure(d, 'DIGEST');
  });

  it('a leaf for another transaction or status fails LEAF', () => {
    const c = clone(cert);
    c.inclusion.leaf = toBase64(Buffer.from(leafTextOf('{}', 'REVERTED', cert.transaction.hash)));
    expect(expectFailure(c, 'LEAF')).toMatchObject({ reason: expect.stringContaining('REVERTED') });
    const d = clone(cert);
    d.inclusion.leaf = toBase64(leaves[3]);
    expectFailure(d, 'LEAF');
    const e = clone(cert);
    e.inclusion.leaf = toBase64(Buffer.from('not json'));
    expectFailure(e, 'LEAF');
  });

  it('a changed proof hash, leaf index, leaf result or tree size fails INCLUSION', () => {
    const c = clone(cert);
    c.inclusion.proof[1] = toBase64(sha256('another subtree'));
    expectFailure(c, 'INCLUSION');
    const d = clone(cert);
    d.inclusion.leafIndex = 5;
    expectFailure(d, 'INCLUSION');
    // Same transaction and status, another result: the leaf's bytes no longer hash into the tree.
    const e = clone(cert);
    e.inclusion.leaf = toBase64(Buffer.from(leafTextOf('{"value":"forged"}', 'COMMITTED', cert.transaction.hash)));
    expectFailure(e, 'INCLUSION');
    const f = clone(cert);
    f.inclusion.treeSize = 8;
    expect(expectFailure(f, 'INCLUSION')).toMatchObject({ reason: expect.stringContaining('size 8') });
  });

  it('a changed checkpoint text fails INCLUSION (root or size) or CHECKPOINT_SIGNATURE (extension lines)', () => {
    const c = clone(cert);
    const lines = c.checkpoint.split('\n');
    lines[2] = toBase64(sha256('another root'));
    c.checkpoint = lines.join('\n');
    expectFailure(c, 'INCLUSION');
    const d = clone(cert);
    d.checkpoint = d.checkpoint.replace(`time ${TIME}`, `time ${TIME + 1}`);
    expectFailure(d, 'CHECKPOINT_SIGNATURE');
    const e = clone(cert);
    e.checkpoint = e.checkpoint.replace('zizhu/test/evidence', 'zizhu test/evidence');
    expectFailure(e, 'INCLUSION');
  });

  it('a checkpoint signature line changed, or signed by a key the verifier does not trust, fails CHECKPOINT_SIGNATURE', () => {
    const c = clone(cert);
    const lines = c.checkpoint.split('\n');
    const sigLine = lines.length - 2;
    const [dash, name, sig] = lines[sigLine].split(' ');
    const raw = Buffer.from(sig, 'base64');
    raw[10] ^= 1;
    lines[sigLine] = [dash, name, raw.toString('base64')].join(' ');
    c.checkpoint = lines.join('\n');
    expectFailure(c, 'CHECKPOINT_SIGNATURE');
    // The other key signed the same body and lists itself as verifier key: still not trusted.
    const d = clone(cert);
    d.checkpoint = note(7, other);
    d.verifierKeys = [other.vkey];
    expect(expectFailure(d, 'CHECKPOINT_SIGNATURE')).toMatchObject({ reason: expect.stringContaining('no signature from a trusted key') });
    expectFailure(cert, 'CHECKPOINT_SIGNATURE', { trust: [other.vkey] });
    expectFailure(cert, 'CHECKPOINT_SIGNATURE', { trust: [] });
  });

  it('keys listed inside the file are never trusted', () => {
    const c = clone(cert);
    c.verifierKeys = [node.vkey];
    expect(verifyEvidenceCertificate(c, [])).toMatchObject({ ok: false, failed: 'CHECKPOINT_SIGNATURE' });
    expect(verifyEvidenceCertificate(c, [other.vkey])).toMatchObject({ ok: false, failed: 'CHECKPOINT_SIGNATURE' });
  });

  it('another document, or one changed byte of it, fails DOCUMENT', () => {
    const changed = Buffer.from(DOCUMENT);
    changed[3] ^= 1;
    expect(expectFailure(cert, 'DOCUMENT', { doc: changed })).toMatchObject({ reason: expect.stringContaining('sha256') });
    expectFailure(cert, 'DOCUMENT', { doc: Buffer.alloc(0) });
  });

  it('refuses to build from parts that do not belong together', () => {
    const base = inputs;
    expect(buildEvidenceCertificate(base)).toEqual(cert);
    const attempts = [
      { ...base, transaction: { ...base.transaction, status: 'REVERTED' as const } },
      { ...base, evidence: { ...base.evidence, digest: { alg: 'sha256' as const, value: flipHex(DIGEST.value) } } },
      { ...base, transaction: { ...base.transaction, leafIndex: 5 } },
      { ...base, checkpoint: note(6) },
    ];
    for (const a of attempts) expect(() => buildEvidenceCertificate(a)).toThrow(LedgerError);
  });
});
