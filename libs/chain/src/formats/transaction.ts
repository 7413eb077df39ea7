import { canonicalJson, Ed25519Signer, encryptForRecipientsSync, JweSealer, randomBytesFast, sha256Hex, toBase64, fromBase64, hasNonIntegerNumber, type JsonValue, type JweRecipient } from '@zizhu/crypto';
import { TransactionRefused } from '../errors.js';
import { HEX64 } from './hex.js';

/** ledger-formats §2: what a client signs. */
export interface Envelope {
  v: 1;
  channel: string;
  contract: string;
  method: string;
  args: { [key: string]: JsonValue };
  signer: string;
  nonce: string;
  ts: number;
}

export interface SignedTransaction {
  envelope: Envelope;
  signature: string;
  publicKey: string;
}

/** ledger-formats §2: what a transaction's signature and hash cover is this prefix, then the envelope's JCS text. */
export const TX_PREFIX = 'zizhu:tx:v1\n';
/** Ed25519's suite byte in key ids. */
const ED25519_SUITE = Buffer.from([0x01]);

export const txPreimage = (envelope: Envelope): Buffer => Buffer.from(TX_PREFIX + canonicalJson(envelope), 'utf8');
export const txHashOfPreimage = (preimage: Uint8Array): string => sha256Hex(preimage);
export const txHash = (envelope: Envelope): string => sha256Hex(txPreimage(envelope));

/**
 * The envelope a preimage serialises (txPreimage's bytes read back): for a signer on another thread,
 * whose preimage crosses as bytes and whose envelope is then exactly what it signed. Throws on
 * bytes that are not a preimage.
 */
export function envelopeOfPreimage(preimage: Uint8Array): Envelope {
  const bytes = Buffer.from(preimage.buffer, preimage.byteOffset, preimage.byteLength);
  if (bytes.length < TX_PREFIX.length || bytes.toString('latin1', 0, TX_PREFIX.length) !== TX_PREFIX) throw new TypeError(`not a transaction preimage (no ${JSON.stringify(TX_PREFIX)} prefix)`);
  const envelope = JSON.parse(bytes.toString('utf8', TX_PREFIX.length)) as unknown;
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) throw new TypeError('not a transaction preimage (no envelope object)');
  return envelope as Envelope;
}

/** keyId = hex(SHA-256(0x01 || rawPublicKey)). */
export const keyIdOf = (rawPublicKey: Uint8Array): string => sha256Hex(ED25519_SUITE, rawPublicKey);

const keyIds = new Map<string, string>();
/**
 * keyIdOf for a base64 key, memoised: every submit checks its signer against its key, and `ledger
 * verify` every stored transaction. `raw` is the decoded key when the caller has it (else decoded here on a miss).
 */
export function keyIdOfBase64(publicKey: string, raw?: Uint8Array): string {
  let id = keyIds.get(publicKey);
  if (id === undefined) {
    if (keyIds.size >= 100_000) keyIds.clear();
    id = keyIdOf(raw ?? Buffer.from(publicKey, 'base64'));
    keyIds.set(publicKey, id);
  }
  return id;
}

export function randomNonce(): string {
  return randomBytesFast(16).toString('hex');
}

/** Builds and signs a transaction (what a client SDK or the node, on a user's behalf, does). */
export function signTransaction(fields: TransactionFields, signer: Ed25519Signer): SignedTransaction {
  return signTransactionWithPreimage(fields, signer).signed;
}

export type TransactionFields = Omit<Envelope, 'v' | 'signer' | 'nonce' | 'ts'> & { nonce?: string; ts: number };

/**
 * signTransaction, also answering the preimage it signed, so that a submitter in the same process
 * can hand it to the engine at once (`Chain.submit(signed, { preimage })`) instead of having the
 * envelope serialised a second time.
 */
export function signTransactionWithPreimage(fields: TransactionFields, signer: Ed25519Signer): { signed: SignedTransaction; preimage: Buffer } {
  const ids = signerIds(signer);
  const envelope: Envelope = {
    v: 1,
    channel: fields.channel,
    contract: fields.contract,
    method: fields.method,
    args: fields.args,
    signer: ids.keyId,
    nonce: fields.nonce ?? randomNonce(),
    ts: fields.ts,
  };
  const preimage = txPreimage(envelope);
  return { signed: { envelope, signature: toBase64(signer.sign(preimage)), publicKey: ids.publicKey }, preimage };
}

const signerIdCache = new WeakMap<Ed25519Signer, { keyId: string; publicKey: string }>();
/** A signer's key id and base64 public key, worked out once per signer rather than for every transaction it signs. */
function signerIds(signer: Ed25519Signer): { keyId: string; publicKey: string } {
  let ids = signerIdCache.get(signer);
  if (!ids) signerIdCache.set(signer, (ids = { keyId: keyIdOf(signer.publicKey), publicKey: toBase64(signer.publicKey) }));
  return ids;
}

/** Metadata to seal (JWE) into one argument of a call before it is signed. */
export interface SealedArgument {
  /** The argument that receives the JWE. */
  field: string;
  plaintext: JsonValue;
  recipients: readonly JweRecipient[];
  aad?: string;
}

/**
 * Seals `seal.plaintext` (a JWE to its recipients; with `sealer`, one of that batch's) into
 * `fields.args[seal.field]`, then signs: what a node does for its users' calls carrying sealed
 * metadata, on the main thread or on a worker (the same function either way).
 */
export function sealAndSignTransaction(fields: TransactionFields, seal: SealedArgument, signer: Ed25519Signer, sealer?: JweSealer): { signed: SignedTransaction; preimage: Buffer } {
  const sealed = sealer ? sealer.seal(seal.plaintext, seal.recipients, seal.aad) : encryptForRecipientsSync(seal.plaintext, seal.recipients, seal.aad);
  return signTransactionWithPreimage({ ...fields, args: { ...fields.args, [seal.field]: sealed as unknown as JsonValue } }, signer);
}

/** A call to seal and sign with a key given by its keystore name and seed, in a sealing batch or not. */
export interface SealSignJob {
  fields: TransactionFields;
  seal: SealedArgument;
  keyName: string;
  seed: Uint8Array;
  /** A sealing batch: its JWEs share ephemeral keys per recipient (JweSealer) until it is forgotten. */
  batch?: string;
}

/**
 * sealAndSignTransaction for jobs, keeping what one thread needs between them: a signer per key
 * name (made again if the seed under that name differs) and a JweSealer per open batch. The node's
 * sealing pool runs one on its main thread (0 workers) or one on each worker thread.
 */
export class SealSigner {
  private readonly sealers = new Map<string, JweSealer>();
  private readonly signers = new Map<string, { seed: Buffer; signer: Ed25519Signer }>();

  run(job: SealSignJob): { signed: SignedTransaction; preimage: Buffer } {
    let sealer: JweSealer | undefined;
    if (job.batch) {
      sealer = this.sealers.get(job.batch);
      if (!sealer) this.sealers.set(job.batch, (sealer = new JweSealer()));
    }
    let cached = this.signers.get(job.keyName);
    if (!cached || !cached.seed.equals(job.seed)) {
      if (this.signers.size >= 10_000) this.signers.clear();
      cached = { seed: Buffer.from(job.seed), signer: new Ed25519Signer(job.seed) };
      this.signers.set(job.keyName, cached);
    }
    return sealAndSignTransaction(job.fields, job.seal, cached.signer, sealer);
  }

  /** Forgets a batch's ephemeral keys. */
  forget(batch: string): void {
    this.sealers.get(batch)?.clear();
    this.sealers.delete(batch);
  }

  clear(): void {
    for (const batch of [...this.sealers.keys()]) this.forget(batch);
    this.signers.clear();
  }
}

const ENVELOPE_KEYS = ['args', 'channel', 'contract', 'method', 'nonce', 'signer', 'ts', 'v'];
const ENVELOPE_KEY_SET = new Set(ENVELOPE_KEYS);
const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const METHOD = /^[a-zA-Z][a-zA-Z0-9]{0,62}$/;
const HEX32 = /^[0-9a-f]{32}$/;
export const MAX_TX_BYTES = 256 * 1024;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A structurally valid signed transaction with its decoded parts; computed once per submit. */
export interface ParsedTransaction {
  signed: SignedTransaction;
  /** What the signature covers; the ledger's stored text is written from it (storedSignedParts). */
  preimage: Buffer;
  hash: string;
  publicKey: Buffer;
  signature: Buffer;
}

/**
 * Checks the shape of a signed transaction (anything else is MALFORMED) and derives its preimage
 * and hash. Signature and signer checks come after, in the engine.
 *
 * `signedPreimage` is the preimage signTransactionWithPreimage answered for this very object, in
 * this process, with nothing run in between that could change it (the node signing on a user's
 * behalf and submitting at once): it is taken as the envelope's serialisation. The signature is
 * still verified against it, and the ledger stores its text.
 */
export function parseSignedTransaction(input: unknown, signedPreimage?: Buffer): ParsedTransaction {
  const bad = (why: string): never => {
    throw new TransactionRefused('MALFORMED', `malformed transaction: ${why}`);
  };
  if (!isPlainObject(input)) bad('expected an object { envelope, signature, publicKey }');
  const { envelope, signature, publicKey } = input as Record<string, unknown>;
  if (Object.keys(input as object).some((k) => !['envelope', 'signature', 'publicKey'].includes(k))) bad('unexpected top-level field');
  if (!isPlainObject(envelope)) bad('envelope must be an object');
  const env = envelope as Record<string, unknown>;
  // Exactly those fields (each own key one of them, and as many): no sorted copy of the keys per transaction.
  const keys = Object.keys(env);
  if (keys.length !== ENVELOPE_KEYS.length || keys.some((k) => !ENVELOPE_KEY_SET.has(k))) {
    bad(`envelope must have exactly the fields ${ENVELOPE_KEYS.join(', ')}`);
  }
  if (env.v !== 1) bad('unsupported version (v must be 1)');
  if (typeof env.channel !== 'string' || !NAME.test(env.channel)) bad('channel must be a lowercase name');
  if (typeof env.contract !== 'string' || !NAME.test(env.contract)) bad('contract must be a lowercase name');
  if (typeof env.method !== 'string' || !METHOD.test(env.method)) bad('method must be an identifier');
  if (!isPlainObject(env.args)) bad('args must be an object');
  if (typeof env.signer !== 'string' || !HEX64.test(env.signer)) bad('signer must be 64 lowercase hex characters');
  if (typeof env.nonce !== 'string' || !HEX32.test(env.nonce)) bad('nonce must be 32 lowercase hex characters');
  if (typeof env.ts !== 'number' || !Number.isSafeInteger(env.ts) || env.ts < 0) bad('ts must be integer milliseconds');
  if (hasNonIntegerNumber(env.args)) bad('args must not contain floating-point numbers');
  if (typeof signature !== 'string' || typeof publicKey !== 'string') bad('signature and publicKey must be base64 strings');
  let sig: Buffer;
  let pub: Buffer;
  try {
    sig = fromBase64(signature as string);
    pub = fromBase64(publicKey as string);
  } catch {
    return bad('signature and publicKey must be padded standard base64');
  }
  if (sig.length !== 64) bad('signature must be 64 bytes');
  if (pub.length !== 32) bad('publicKey must be a raw 32-byte Ed25519 key');
  let preimage: Buffer;
  try {
    preimage = signedPreimage ?? txPreimage(env as unknown as Envelope);
  } catch (e) {
    return bad(`envelope has no canonical JSON form (${(e as Error).message})`);
  }
  if (preimage.length > MAX_TX_BYTES) bad(`envelope larger than ${MAX_TX_BYTES} bytes`);
  const signed: SignedTransaction = {
    envelope: env as unknown as Envelope,
    signature: signature as string,
    publicKey: publicKey as string,
  };
  return { signed, preimage, hash: txHashOfPreimage(preimage), publicKey: pub, signature: sig };
}

const STORED_HEAD = Buffer.from('{"envelope":', 'latin1');
/**
 * The signed transaction as the ledger stores it, JCS of { envelope, publicKey, signature }, as
 * UTF-8 bytes to concatenate, written from the preimage its signature covers: the envelope is not
 * serialised again (the keys already sort in this order, and JCS writes strings as JSON.stringify
 * does), and no text of it is made: a block's column goes to the database as bytes.
 */
export function storedSignedParts(preimage: Buffer, signed: Pick<SignedTransaction, 'publicKey' | 'signature'>): Buffer[] {
  return [STORED_HEAD, preimage.subarray(TX_PREFIX.length), Buffer.from(`,"publicKey":${JSON.stringify(signed.publicKey)},"signature":${JSON.stringify(signed.signature)}}`, 'utf8')];
}
