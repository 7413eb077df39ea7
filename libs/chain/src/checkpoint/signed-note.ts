import { ed25519Verify, fromBase64, sha256, toBase64, toHex } from '@zizhu/crypto';
import { CheckpointError } from './checkpoint-error.js';

/**
 * C2SP signed-note (c2sp.org/signed-note) with Ed25519 keys, as ledger-formats §5 uses it:
 * text, a blank line, then lines `— <key name> <base64(keyHash[0..4] || signature)>`.
 */

const SIGNATURE_PREFIX = '\u2014 '; // EM DASH, space
const ED25519_TYPE = 0x01;
const KEY_HASH_SIZE = 4;
const ED25519_SIGNATURE_SIZE = 64;
const ED25519_KEY_SIZE = 32;
/** C2SP asks verifiers to cap signatures and to accept at least 16; Go's x/mod/sumdb/note caps at 100. */
export const MAX_NOTE_SIGNATURES = 100;

/** What signs a note: Ed25519Signer from @zizhu/crypto, or anything shaped like it (an HSM, say). */
export interface NoteSigner {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

export interface NoteSignature {
  readonly name: string;
  /** The 4-byte key ID: SHA-256(name || "\n" || 0x01 || publicKey)[0..4]. */
  readonly keyHash: Buffer;
  readonly signature: Buffer;
}

export interface VerifierKey {
  readonly name: string;
  readonly keyHash: Buffer;
  readonly publicKey: Buffer;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Go's unicode.IsSpace set (JS \s lacks U+0085), and the plus sign that delimits verifier keys.
const SPACE_OR_PLUS = /[\s\u0085+]/;

/** True when `s` has an ASCII control character (below U+0020), newline excepted if allowed. */
export function hasControlCharacter(s: string, allowNewline = false): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && !(allowNewline && c === 0x0a)) return true;
  }
  return false;
}

export const isWellFormed = (s: string): boolean => !LONE_SURROGATE.test(s);

export function isValidKeyName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && !SPACE_OR_PLUS.test(name) && !hasControlCharacter(name) && isWellFormed(name);
}

function assertKeyName(name: unknown): asserts name is string {
  if (!isValidKeyName(name)) throw new CheckpointError('INVALID_KEY', `invalid key name ${JSON.stringify(name)}`);
}

function assertPublicKey(publicKey: unknown): asserts publicKey is Uint8Array {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_KEY_SIZE) {
    throw new CheckpointError('INVALID_KEY', 'an Ed25519 public key is 32 raw bytes');
  }
}

/** The 4-byte key hash (key ID) of an Ed25519 key under a name. */
export function keyHash(keyName: string, rawPublicKey: Uint8Array): Buffer {
  assertKeyName(keyName);
  assertPublicKey(rawPublicKey);
  return sha256(keyName, '\n', Buffer.from([ED25519_TYPE]), rawPublicKey).subarray(0, KEY_HASH_SIZE);
}

/** `<keyName>+<hex keyHash>+<base64(0x01 || rawPublicKey)>` */
export function verifierKey(keyName: string, rawPublicKey: Uint8Array): string {
  const hash = keyHash(keyName, rawPublicKey);
  return `${keyName}+${toHex(hash)}+${toBase64(Buffer.concat([Buffer.from([ED25519_TYPE]), rawPublicKey]))}`;
}

export function parseVerifierKey(vkey: string): VerifierKey {
  if (typeof vkey !== 'string') throw new CheckpointError('INVALID_KEY', 'a verifier key is a string');
  // The name cannot contain '+', the hash is hex; base64 may contain '+', so split twice only.
  const first = vkey.indexOf('+');
  const second = vkey.indexOf('+', first + 1);
  if (first < 0 || second < 0) throw new CheckpointError('INVALID_KEY', 'a verifier key is name+hash+key');
  const name = vkey.slice(0, first);
  const hashHex = vkey.slice(first + 1, second);
  assertKeyName(name);
  if (!/^[0-9a-f]{8}$/.test(hashHex)) throw new CheckpointError('INVALID_KEY', 'the key hash must be 8 lowercase hex digits');
  let encoded: Buffer;
  try {
    encoded = fromBase64(vkey.slice(second + 1));
  } catch {
    throw new CheckpointError('INVALID_KEY', 'the verifier key is not padded standard base64');
  }
  if (encoded.length !== 1 + ED25519_KEY_SIZE || encoded[0] !== ED25519_TYPE) {
    throw new CheckpointError('INVALID_KEY', 'only Ed25519 verifier keys (type 0x01, 32 bytes) are supported');
  }
  const publicKey = Buffer.from(encoded.subarray(1));
  const hash = Buffer.from(hashHex, 'hex');
  if (!hash.equals(keyHash(name, publicKey))) throw new CheckpointError('INVALID_KEY', `key hash ${hashHex} does not match key ${name}`);
  return { name, keyHash: hash, publicKey };
}

function assertNoteText(text: unknown, what: string): asserts text is string {
  if (typeof text !== 'string') throw new CheckpointError('MALFORMED_NOTE', `${what} must be a string`);
  if (!isWellFormed(text)) throw new CheckpointError('MALFORMED_NOTE', `${what} is not well-formed Unicode`);
  if (hasControlCharacter(text, true)) throw new CheckpointError('MALFORMED_NOTE', `${what} contains a control character`);
  if (!text.endsWith('\n')) throw new CheckpointError('MALFORMED_NOTE', `${what} must end with a newline`);
}

export interface ParsedNote {
  /** The signed text, every line with its newline, without the separating blank line. */
  readonly text: string;
  readonly signatures: NoteSignature[];
}

/** Splits a note into text and signature lines; checks framing only, no signature. */
export function parseNote(note: string): ParsedNote {
  assertNoteText(note, 'a note');
  // The last blank line separates text from signatures; the text may itself contain blank lines.
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new CheckpointError('MALFORMED_NOTE', 'no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1);
  if (lines === '') throw new CheckpointError('MALFORMED_NOTE', 'the note has no signature lines');
  const signatures = lines.split('\n').map(parseSignatureLine);
  if (signatures.length > MAX_NOTE_SIGNATURES) {
    throw new CheckpointError('TOO_MANY_SIGNATURES', `more than ${MAX_NOTE_SIGNATURES} signatures`);
  }
  const seen = new Set<string>();
  for (const { name, keyHash: hash } of signatures) {
    const id = `${name}+${toHex(hash)}`;
    if (seen.has(id)) throw new CheckpointError('DUPLICATE_SIGNATURE', `two signatures by key ${id}`);
    seen.add(id);
  }
  return { text, signatures };
}

function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(SIGNATURE_PREFIX)) throw new CheckpointError('MALFORMED_NOTE', 'a signature line starts with an em dash and a space');
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) throw new CheckpointError('MALFORMED_NOTE', 'a signature line is "— <name> <signature>"');
  const name = rest.slice(0, space);
  if (!isValidKeyName(name)) throw new CheckpointError('MALFORMED_NOTE', `invalid key name ${JSON.stringify(name)} in a signature line`);
  let bytes: Buffer;
  try {
    bytes = fromBase64(rest.slice(space + 1));
  } catch {
    throw new CheckpointError('MALFORMED_SIGNATURE', `the signature by ${name} is not padded standard base64`);
  }
  if (bytes.length <= KEY_HASH_SIZE) throw new CheckpointError('MALFORMED_SIGNATURE', `the signature by ${name} is too short`);
  return { name, keyHash: Buffer.from(bytes.subarray(0, KEY_HASH_SIZE)), signature: Buffer.from(bytes.subarray(KEY_HASH_SIZE)) };
}

function signatureLine(text: string, keyName: string, signer: NoteSigner): string {
  assertKeyName(keyName);
  const signature = signer.sign(Buffer.from(text, 'utf8'));
  if (signature.length !== ED25519_SIGNATURE_SIZE) throw new TypeError('an Ed25519 signature is 64 bytes');
  return `${SIGNATURE_PREFIX}${keyName} ${toBase64(Buffer.concat([keyHash(keyName, signer.publicKey), signature]))}\n`;
}

/** Signs `body` (the note text, ending in a newline) and returns the complete note. */
export function signNote(body: string, keyName: string, signer: NoteSigner): string {
  assertNoteText(body, 'a note body');
  return `${body}\n${signatureLine(body, keyName, signer)}`;
}

/** Adds one more signature line to a note (another member cosigning the same text). */
export function cosignNote(note: string, keyName: string, signer: NoteSigner): string {
  const { text, signatures } = parseNote(note);
  const hash = keyHash(keyName, signer.publicKey);
  if (signatures.some((s) => s.name === keyName && s.keyHash.equals(hash))) {
    throw new CheckpointError('DUPLICATE_SIGNATURE', `the note is already signed by ${keyName}`);
  }
  if (signatures.length >= MAX_NOTE_SIGNATURES) throw new CheckpointError('TOO_MANY_SIGNATURES', `a note carries at most ${MAX_NOTE_SIGNATURES} signatures`);
  return note + signatureLine(text, keyName, signer);
}

export interface VerifiedNote extends ParsedNote {
  /** Names of the trusted keys whose signatures verified, in note order. */
  readonly verifiedBy: string[];
}

/**
 * Verifies a note against trusted verifier keys, as C2SP requires: lines from unknown keys are
 * ignored; a line that names a trusted key (name and key hash) must verify or the note is
 * rejected; at least one trusted key must have signed.
 */
export function verifyNote(note: string, trustedVerifierKeys: readonly string[]): VerifiedNote {
  const trusted = new Map<string, VerifierKey>();
  for (const vkey of trustedVerifierKeys) {
    const key = parseVerifierKey(vkey);
    const id = `${key.name}+${toHex(key.keyHash)}`;
    const known = trusted.get(id);
    if (known && !known.publicKey.equals(key.publicKey)) throw new CheckpointError('INVALID_KEY', `two trusted keys share name and hash ${id}`);
    trusted.set(id, key);
  }
  const parsed = parseNote(note);
  const message = Buffer.from(parsed.text, 'utf8');
  const verifiedBy: string[] = [];
  for (const sig of parsed.signatures) {
    const key = trusted.get(`${sig.name}+${toHex(sig.keyHash)}`);
    if (!key) continue;
    if (sig.signature.length !== ED25519_SIGNATURE_SIZE || !ed25519Verify(key.publicKey, message, sig.signature)) {
      throw new CheckpointError('BAD_SIGNATURE', `the signature by trusted key ${sig.name} does not verify`);
    }
    verifiedBy.push(sig.name);
  }
  if (verifiedBy.length === 0) throw new CheckpointError('UNVERIFIED', 'the note carries no signature from a trusted key');
  return { ...parsed, verifiedBy };
}
