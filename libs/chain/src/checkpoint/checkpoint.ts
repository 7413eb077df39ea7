import { fromBase64, toBase64 } from '@zizhu/crypto';
import { CheckpointError } from './checkpoint-error.js';
import { hasControlCharacter, isWellFormed, parseNote, verifyNote, type NoteSignature } from './signed-note.js';
import { HEX64 } from '../formats/hex.js';

/** The values a checkpoint (ledger-formats §5) commits to. */
export interface CheckpointFields {
  /** `zizhu/<consortiumId>/<channel>` */
  readonly origin: string;
  readonly treeSize: number;
  /** The 32-byte RFC 9162 root at treeSize. */
  readonly root: Buffer;
  readonly height: number;
  /** Lowercase hex block hash. */
  readonly blockHash: string;
  /** Block time, milliseconds since the Unix epoch. */
  readonly time: number;
}

export interface Checkpoint extends CheckpointFields {
  /** The signed note text, exactly as signed. */
  readonly body: string;
  readonly signatures: NoteSignature[];
}

// Segments without spaces, '+' or '/' (C2SP recommends origins free of spaces and '+').
const ORIGIN = /^zizhu\/[^\s\u0085/+]+\/[^\s\u0085/+]+$/;
const DECIMAL = '(0|[1-9][0-9]*)';
const SIZE_LINE = new RegExp(`^${DECIMAL}$`);
const BLOCK_LINE = new RegExp(`^block ${DECIMAL} ([0-9a-f]{64})$`);
const TIME_LINE = new RegExp(`^time ${DECIMAL}$`);
const ROOT_SIZE = 32;

const isOrigin = (origin: unknown): origin is string =>
  typeof origin === 'string' && ORIGIN.test(origin) && !hasControlCharacter(origin) && isWellFormed(origin);
const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** The note text of a checkpoint: origin, size, root, then the `block` and `time` extension lines. */
export function checkpointBody(fields: CheckpointFields): string {
  const { origin, treeSize, root, height, blockHash, time } = fields;
  const invalid = (what: string): never => {
    throw new CheckpointError('INVALID_FIELD', `cannot write a checkpoint: ${what}`);
  };
  if (!isOrigin(origin)) invalid(`origin ${JSON.stringify(origin)} is not zizhu/<consortiumId>/<channel>`);
  if (!isCount(treeSize)) invalid('treeSize must be a non-negative safe integer');
  if (!Buffer.isBuffer(root) || root.length !== ROOT_SIZE) invalid('root must be a 32-byte Buffer');
  if (!isCount(height)) invalid('height must be a non-negative safe integer');
  if (typeof blockHash !== 'string' || !HEX64.test(blockHash)) invalid('blockHash must be 64 lowercase hex digits');
  if (!isCount(time)) invalid('time must be a non-negative safe integer of milliseconds');
  return `${origin}\n${treeSize}\n${toBase64(root)}\nblock ${height} ${blockHash}\ntime ${time}\n`;
}

function parseBody(body: string): CheckpointFields {
  const malformed = (what: string): never => {
    throw new CheckpointError('MALFORMED_CHECKPOINT', `not a Zizhu checkpoint: ${what}`);
  };
  const lines = body.slice(0, -1).split('\n');
  if (lines.length !== 5) malformed(`expected 5 body lines, found ${lines.length}`);
  const [origin, sizeLine, rootLine, blockLine, timeLine] = lines;
  if (!isOrigin(origin)) malformed(`origin ${JSON.stringify(origin)} is not zizhu/<consortiumId>/<channel>`);
  const count = (digits: string, what: string): number => {
    const n = Number(digits);
    return Number.isSafeInteger(n) ? n : malformed(`${what} is too large`);
  };
  const size = SIZE_LINE.exec(sizeLine) ?? malformed('the tree size is not a decimal without leading zeros');
  let root: Buffer | undefined;
  try {
    root = fromBase64(rootLine);
  } catch {
    malformed('the root is not padded standard base64');
  }
  if (!root || root.length !== ROOT_SIZE) malformed('the root is not 32 bytes');
  const block = BLOCK_LINE.exec(blockLine) ?? malformed('expected "block <height> <hex block hash>"');
  const time = TIME_LINE.exec(timeLine) ?? malformed('expected "time <ms>"');
  return {
    origin,
    treeSize: count(size[1], 'the tree size'),
    root: root as Buffer,
    height: count(block[1], 'the height'),
    blockHash: block[2],
    time: count(time[1], 'the time'),
  };
}

/** Parses a signed checkpoint strictly; it checks no signature (see verifyCheckpoint). */
export function parseCheckpoint(note: string): Checkpoint {
  const { text, signatures } = parseNote(note);
  return { ...parseBody(text), body: text, signatures };
}

/**
 * Verifies a checkpoint against the verifier keys the caller trusts (never keys taken from the
 * document itself). Throws unless at least one trusted key signed it and every trusted key's
 * signature line verifies; lines from other keys are ignored. verifiedBy lists key names.
 */
export function verifyCheckpoint(note: string, trustedVerifierKeys: readonly string[]): { checkpoint: Checkpoint; verifiedBy: string[] } {
  // Signatures first: C2SP says the text must not be interpreted before a trusted signature holds.
  const { text, signatures, verifiedBy } = verifyNote(note, trustedVerifierKeys);
  return { checkpoint: { ...parseBody(text), body: text, signatures }, verifiedBy };
}
