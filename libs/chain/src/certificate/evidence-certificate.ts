import { canonicalJson, documentDigestHex, DOCUMENT_DIGEST_ALGS, ed25519Verify, fromBase64, toBase64, type DocumentDigestAlg, type JsonValue } from '@zizhu/crypto';
import { LedgerError } from '../errors.js';
import { keyIdOf, parseSignedTransaction, type ParsedTransaction, type SignedTransaction } from '../formats/index.js';
import { leafHash, verifyInclusion } from '../merkle/index.js';
import { parseCheckpoint, verifyCheckpoint, type Checkpoint } from '../checkpoint/index.js';
import type { StoredTx } from '../store/ledger-store.js';
import { HEX64 } from '../formats/hex.js';

/** ledger-formats §7. */
export const EVIDENCE_CERTIFICATE_FORMAT = 'zizhu-evidence-certificate/v1';

export interface EvidenceDigest {
  alg: DocumentDigestAlg;
  /** 64 lowercase hex digits. */
  value: string;
}

/** What the certificate says was recorded. */
export interface CertifiedEvidence {
  id: string;
  digest: EvidenceDigest;
  type: string;
  /** The issuing organisation's id. */
  issuer: string;
  /** Block time of the anchoring block, ms since the epoch. */
  recordedAt: number;
}

export interface EvidenceCertificate {
  format: typeof EVIDENCE_CERTIFICATE_FORMAT;
  evidence: CertifiedEvidence;
  transaction: { hash: string; signed: SignedTransaction; status: 'COMMITTED' };
  inclusion: { leafIndex: number; treeSize: number; leaf: string; proof: string[] };
  /** The full signed checkpoint note. */
  checkpoint: string;
  /** Hints: which keys signed the checkpoint. A verifier never trusts them for being listed here. */
  verifierKeys: string[];
}

/**
 * The checks of ledger-formats §7, in the order a verifier makes them. FORMAT comes first (the
 * document must have the §7 shape before anything can be checked); DOCUMENT last, and only when the
 * caller holds the original.
 */
export const EVIDENCE_CHECKS = [
  'FORMAT',
  'TRANSACTION_HASH',
  'TRANSACTION_SIGNATURE',
  'DIGEST',
  'LEAF',
  'INCLUSION',
  'CHECKPOINT_SIGNATURE',
  'DOCUMENT',
] as const;
export type EvidenceCheck = (typeof EVIDENCE_CHECKS)[number];

export type EvidenceVerification =
  | {
      ok: true;
      evidence: CertifiedEvidence;
      transaction: { hash: string; channel: string; signer: string };
      checkpoint: { origin: string; treeSize: number; height: number; blockHash: string; time: number; verifiedBy: string[] };
      /** Whether a document was compared with the certified digest (it matched, or verification failed). */
      documentChecked: boolean;
    }
  | { ok: false; failed: EvidenceCheck; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function isDigest(v: unknown): v is EvidenceDigest {
  return isObject(v) && Object.keys(v).length === 2 && DOCUMENT_DIGEST_ALGS.includes(v.alg as DocumentDigestAlg) && typeof v.value === 'string' && HEX64.test(v.value);
}

/** Same algorithm and value, and nothing else (canonical JSON of both objects is equal). */
const sameDigest = (a: unknown, b: EvidenceDigest): boolean => isDigest(a) && canonicalJson(a as unknown as JsonValue) === canonicalJson(b as unknown as JsonValue);

class Failed extends Error {
  constructor(
    readonly check: EvidenceCheck,
    reason: string,
  ) {
    super(reason);
  }
}

const fail = (check: EvidenceCheck, reason: string): never => {
  throw new Failed(check, reason);
};

function decode(v: unknown, what: string, size?: number): Buffer {
  let bytes: Buffer | undefined;
  try {
    bytes = fromBase64(v as string);
  } catch {
    fail('FORMAT', `${what} is not padded standard base64`);
  }
  if (size !== undefined && bytes!.length !== size) fail('FORMAT', `${what} is not ${size} bytes`);
  return bytes!;
}

/** The §7 shape, with the parts later checks need decoded. Any deviation is a FORMAT failure. */
function readCertificate(cert: unknown) {
  if (!isObject(cert)) return fail('FORMAT', 'the certificate is not a JSON object');
  if (cert.format !== EVIDENCE_CERTIFICATE_FORMAT) fail('FORMAT', `"format" must be "${EVIDENCE_CERTIFICATE_FORMAT}"`);
  const { evidence, transaction, inclusion, checkpoint } = cert;
  if (!isObject(evidence)) return fail('FORMAT', '"evidence" must be an object');
  if (typeof evidence.id !== 'string' || evidence.id.length === 0) fail('FORMAT', '"evidence.id" must be a string');
  if (!isDigest(evidence.digest)) fail('FORMAT', '"evidence.digest" must be { alg: "sha256" | "sm3", value: <64 hex> }');
  if (typeof evidence.type !== 'string' || typeof evidence.issuer !== 'string') fail('FORMAT', '"evidence.type" and "evidence.issuer" must be strings');
  if (!isCount(evidence.recordedAt)) fail('FORMAT', '"evidence.recordedAt" must be integer milliseconds');
  if (!isObject(transaction)) return fail('FORMAT', '"transaction" must be an object');
  if (typeof transaction.hash !== 'string' || !HEX64.test(transaction.hash)) fail('FORMAT', '"transaction.hash" must be 64 lowercase hex digits');
  if (transaction.status !== 'COMMITTED') fail('FORMAT', '"transaction.status" must be "COMMITTED"');
  let parsed: ParsedTransaction;
  try {
    parsed = parseSignedTransaction(transaction.signed);
  } catch (e) {
    return fail('FORMAT', `"transaction.signed": ${(e as Error).message}`);
  }
  if (!isObject(inclusion)) return fail('FORMAT', '"inclusion" must be an object');
  if (!isCount(inclusion.leafIndex) || !isCount(inclusion.treeSize)) fail('FORMAT', '"inclusion.leafIndex" and "inclusion.treeSize" must be non-negative integers');
  if (!Array.isArray(inclusion.proof)) return fail('FORMAT', '"inclusion.proof" must be an array of base64 hashes');
  const leaf = decode(inclusion.leaf, '"inclusion.leaf"');
  const proof = inclusion.proof.map((h, i) => decode(h, `"inclusion.proof[${i}]"`, 32));
  if (typeof checkpoint !== 'string') fail('FORMAT', '"checkpoint" must be the signed checkpoint text');
  if (cert.verifierKeys !== undefined && (!Array.isArray(cert.verifierKeys) || !cert.verifierKeys.every((k) => typeof k === 'string'))) {
    fail('FORMAT', '"verifierKeys" must be an array of strings');
  }
  return {
    evidence: evidence as unknown as CertifiedEvidence,
    hash: transaction.hash as string,
    parsed,
    leafIndex: inclusion.leafIndex as number,
    treeSize: inclusion.treeSize as number,
    leaf,
    proof,
    note: checkpoint as string,
  };
}

/**
 * Verifies an evidence certificate offline (ledger-formats §7), making the checks in the spec's
 * order and naming the first that fails. Only `trustedVerifierKeys` (C2SP verifier keys the caller
 * chose) can authenticate the checkpoint; keys listed in the certificate are ignored.
 */
export function verifyEvidenceCertificate(cert: unknown, trustedVerifierKeys: readonly string[], documentBytes?: Uint8Array): EvidenceVerification {
  try {
    const c = readCertificate(cert);
    const env = c.parsed.signed.envelope;
    if (c.parsed.hash !== c.hash) fail('TRANSACTION_HASH', `the envelope hashes to ${c.parsed.hash}, not to transaction.hash ${c.hash}`);
    if (keyIdOf(c.parsed.publicKey) !== env.signer) fail('TRANSACTION_SIGNATURE', 'the publicKey is not the key the envelope names as signer');
    if (!ed25519Verify(c.parsed.publicKey, c.parsed.preimage, c.parsed.signature)) fail('TRANSACTION_SIGNATURE', 'the transaction signature does not verify');
    if (!sameDigest(env.args.digest, c.evidence.digest)) fail('DIGEST', "the envelope's args.digest is not evidence.digest");

    let leaf: unknown;
    try {
      leaf = JSON.parse(c.leaf.toString('utf8'));
    } catch {
      fail('LEAF', 'the leaf is not JSON');
    }
    if (!isObject(leaf) || leaf.tx !== c.hash) fail('LEAF', 'the leaf does not name transaction.hash');
    if ((leaf as Record<string, unknown>).status !== 'COMMITTED') fail('LEAF', `the leaf's status is ${JSON.stringify((leaf as Record<string, unknown>).status)}, not "COMMITTED"`);

    let cp: Checkpoint;
    try {
      cp = parseCheckpoint(c.note);
    } catch (e) {
      return fail('INCLUSION', `the checkpoint cannot be read: ${(e as Error).message}`);
    }
    if (c.treeSize !== cp.treeSize) fail('INCLUSION', `the proof is for a tree of size ${c.treeSize}, the checkpoint for size ${cp.treeSize}`);
    if (!verifyInclusion(leafHash(c.leaf), c.leafIndex, c.treeSize, c.proof, cp.root)) {
      fail('INCLUSION', `the proof does not lead from leaf ${c.leafIndex} to the checkpoint's root at size ${cp.treeSize}`);
    }

    let verifiedBy: string[] = [];
    try {
      verifiedBy = verifyCheckpoint(c.note, trustedVerifierKeys).verifiedBy;
    } catch (e) {
      fail('CHECKPOINT_SIGNATURE', (e as Error).message);
    }

    if (documentBytes !== undefined) {
      const actual = documentDigestHex(c.evidence.digest.alg, documentBytes);
      if (actual !== c.evidence.digest.value) fail('DOCUMENT', `the document's ${c.evidence.digest.alg} digest is ${actual}, not the certified ${c.evidence.digest.value}`);
    }
    const { id, digest, type, issuer, recordedAt } = c.evidence;
    return {
      ok: true,
      evidence: { id, digest: { alg: digest.alg, value: digest.value }, type, issuer, recordedAt },
      transaction: { hash: c.hash, channel: env.channel, signer: env.signer },
      checkpoint: { origin: cp.origin, treeSize: cp.treeSize, height: cp.height, blockHash: cp.blockHash, time: cp.time, verifiedBy },
      documentChecked: documentBytes !== undefined,
    };
  } catch (e) {
    if (e instanceof Failed) return { ok: false, failed: e.check, reason: e.message };
    throw e;
  }
}

/**
 * Assembles a certificate from a committed transaction (as the store returns it), an inclusion
 * proof of its leaf, and a signed checkpoint at the proof's tree size. Refuses (LedgerError
 * BAD_CERTIFICATE_INPUT) parts that do not belong together, so a node never hands out a
 * certificate that cannot verify for reasons of its own making.
 */
export function buildEvidenceCertificate(input: {
  evidence: CertifiedEvidence;
  transaction: Pick<StoredTx, 'hash' | 'signed' | 'status' | 'leaf' | 'leafIndex'>;
  inclusion: { leafIndex: number; treeSize: number; leaf: string; proof: readonly string[] };
  checkpoint: string;
  verifierKeys: readonly string[];
}): EvidenceCertificate {
  const { evidence, transaction: tx, inclusion, checkpoint } = input;
  const refuse = (why: string): never => {
    throw new LedgerError('BAD_CERTIFICATE_INPUT', `cannot build an evidence certificate: ${why}`);
  };
  if (tx.status !== 'COMMITTED') refuse(`transaction ${tx.hash} is ${tx.status}`);
  if (!isDigest(evidence.digest)) refuse('evidence.digest must be { alg, value }');
  if (!sameDigest(tx.signed.envelope.args.digest, evidence.digest)) refuse(`transaction ${tx.hash} does not carry the digest as args.digest`);
  if (inclusion.leafIndex !== tx.leafIndex || inclusion.leaf !== toBase64(Buffer.from(tx.leaf, 'utf8'))) refuse(`the inclusion proof is not for transaction ${tx.hash}'s leaf`);
  const size = parseCheckpoint(checkpoint).treeSize;
  if (size !== inclusion.treeSize) refuse(`the proof is for tree size ${inclusion.treeSize}, the checkpoint for ${size}`);
  const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  return {
    format: EVIDENCE_CERTIFICATE_FORMAT,
    evidence: { id: evidence.id, digest: { alg: evidence.digest.alg, value: evidence.digest.value }, type: evidence.type, issuer: evidence.issuer, recordedAt: evidence.recordedAt },
    transaction: { hash: tx.hash, signed: copy(tx.signed), status: 'COMMITTED' },
    inclusion: { leafIndex: inclusion.leafIndex, treeSize: inclusion.treeSize, leaf: inclusion.leaf, proof: [...inclusion.proof] },
    checkpoint,
    verifierKeys: [...input.verifierKeys],
  };
}
