import { describe, expect, it } from '@jest/globals';
import { Ed25519Signer, generateEd25519, sha256 } from '@zizhu/crypto';
import { checkpointBody, parseCheckpoint, verifyCheckpoint, type CheckpointFields } from './checkpoint.js';
import { CheckpointError } from './checkpoint-error.js';
import { cosignNote, signNote, verifierKey } from './signed-note.js';

const member = (name: string) => {
  const { privateKey, publicKey } = generateEd25519();
  return { name, signer: new Ed25519Signer(privateKey), vkey: verifierKey(name, publicKey) };
};
const nodeA = member('bank-a.example/zizhu-node');
const nodeB = member('regulator.example/zizhu-node');
const outsider = member('outsider.example/key');

const FIELDS: CheckpointFields = {
  origin: 'zizhu/demo-consortium/evidence',
  treeSize: 1042,
  root: sha256('root'),
  height: 41,
  blockHash: sha256('block').toString('hex'),
  time: 1763712000123,
};
const BODY = checkpointBody(FIELDS);
const NOTE = signNote(BODY, nodeA.name, nodeA.signer);

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (e) {
    if (e instanceof CheckpointError) return e.code;
    throw e;
  }
  return undefined;
};

describe('checkpoints (ledger-formats §5)', () => {
  it('writes the body exactly as the format says', () => {
    expect(BODY).toBe(
      'zizhu/demo-consortium/evidence\n1042\n' +
        `${FIELDS.root.toString('base64')}\nblock 41 ${FIELDS.blockHash}\ntime 1763712000123\n`,
    );
    expect(NOTE.startsWith(`${BODY}\n\u2014 ${nodeA.name} `)).toBe(true);
    expect(NOTE.endsWith('\n')).toBe(true);
    const signature = Buffer.from(NOTE.slice(BODY.length + 1).trim().split(' ').at(-1) as string, 'base64');
    expect(signature).toHaveLength(68);
  });

  it('round-trips sign, parse and verify', () => {
    const parsed = parseCheckpoint(NOTE);
    expect(parsed).toMatchObject({ ...FIELDS, body: BODY });
    expect(parsed.signatures.map((s) => s.name)).toEqual([nodeA.name]);
    const { checkpoint, verifiedBy } = verifyCheckpoint(NOTE, [nodeA.vkey]);
    expect(checkpoint).toEqual(parsed);
    expect(verifiedBy).toEqual([nodeA.name]);
    expect(checkpointBody(checkpoint)).toBe(BODY);
  });

  it('accepts a cosignature by a second member, for either or both trusted keys', () => {
    const cosigned = cosignNote(NOTE, nodeB.name, nodeB.signer);
    expect(cosigned.startsWith(NOTE)).toBe(true);
    expect(verifyCheckpoint(cosigned, [nodeA.vkey, nodeB.vkey]).verifiedBy).toEqual([nodeA.name, nodeB.name]);
    expect(verifyCheckpoint(cosigned, [nodeB.vkey]).verifiedBy).toEqual([nodeB.name]);
    expect(parseCheckpoint(cosigned).signatures).toHaveLength(2);
  });

  it('fails when only an untrusted key signed', () => {
    const byOutsider = signNote(BODY, outsider.name, outsider.signer);
    expect(codeOf(() => verifyCheckpoint(byOutsider, [nodeA.vkey]))).toBe('UNVERIFIED');
    expect(codeOf(() => verifyCheckpoint(NOTE, [outsider.vkey]))).toBe('UNVERIFIED');
  });

  it('fails when any byte of the body changes', () => {
    for (let i = 0; i < BODY.length; i++) {
      const c = BODY.charCodeAt(i);
      const swapped = c === 0x0a ? 'x' : String.fromCharCode(c === 0x30 ? 0x31 : c === 0x61 ? 0x62 : 0x30);
      const tampered = BODY.slice(0, i) + swapped + NOTE.slice(i + 1);
      expect([i, codeOf(() => verifyCheckpoint(tampered, [nodeA.vkey]))]).not.toEqual([i, undefined]);
    }
    const higher = NOTE.replace('\n1042\n', '\n1043\n');
    expect(codeOf(() => verifyCheckpoint(higher, [nodeA.vkey]))).toBe('BAD_SIGNATURE');
  });

  it('refuses malformed notes with a CheckpointError', () => {
    const sigLines = NOTE.slice(BODY.length + 1);
    const cases: [string, string, string][] = [
      ['missing blank line', BODY + sigLines, 'MALFORMED_NOTE'],
      ['no signature lines', `${BODY}\n`, 'MALFORMED_NOTE'],
      ['wrong dash', NOTE.replace('\u2014 ', '-- '), 'MALFORMED_NOTE'],
      ['bad signature base64', NOTE.replace(/=\n$/, '*\n'), 'MALFORMED_SIGNATURE'],
      ['extra body line', signNote(`${BODY}extra\n`, nodeA.name, nodeA.signer), 'MALFORMED_CHECKPOINT'],
      ['missing time line', signNote(BODY.replace(/time \d+\n$/, ''), nodeA.name, nodeA.signer), 'MALFORMED_CHECKPOINT'],
      ['extra blank line in body', signNote(BODY.replace('\nblock', '\n\nblock'), nodeA.name, nodeA.signer), 'MALFORMED_CHECKPOINT'],
      ['extra line after the signatures', `${NOTE}trailing\n`, 'MALFORMED_NOTE'],
      ['blank line between signatures', `${NOTE}\n${cosignNote(NOTE, nodeB.name, nodeB.signer).slice(NOTE.length)}`, 'MALFORMED_CHECKPOINT'],
      ['leading zero in size', signNote(BODY.replace('\n1042\n', '\n01042\n'), nodeA.name, nodeA.signer), 'MALFORMED_CHECKPOINT'],
      ['signed size', signNote(BODY.replace('\n1042\n', '\n+1042\n'), nodeA.name, nodeA.signer), 'MALFORMED_CHECKPOINT'],
      ['size beyond 2^53', signNote(BODY.replace('\n1042\n', '\n9007199254740993\n'), nodeA.name, nodeA.signer), 'MALFORMED_CHECKPOINT'],
      ['leading zero in height', signNote(BODY.replace('block 41', 'block 041'), nodeA.name, nodeA.signer), 'MALFORMED_CHECKPOINT'],
      ['uppercase block hash', signNote(BODY.replace(FIELDS.blockHash, FIELDS.blockHash.toUpperCase()), nodeA.name, nodeA.signer), 'MALFORMED_CHECKPOINT'],
      ['unpadded root', signNote(BODY.replace(/=\n/, '\n'), nodeA.name, nodeA.signer), 'MALFORMED_CHECKPOINT'],
      ['short root', signNote(BODY.replace(FIELDS.root.toString('base64'), 'AAAA'), nodeA.name, nodeA.signer), 'MALFORMED_CHECKPOINT'],
      ['double space', signNote(BODY.replace('block 41 ', 'block 41  '), nodeA.name, nodeA.signer), 'MALFORMED_CHECKPOINT'],
      ['other origin', signNote(BODY.replace('zizhu/', 'example.com/'), nodeA.name, nodeA.signer), 'MALFORMED_CHECKPOINT'],
      ['CRLF', NOTE.replaceAll('\n', '\r\n'), 'MALFORMED_NOTE'],
    ];
    for (const [desc, note, code] of cases) expect([desc, codeOf(() => parseCheckpoint(note))]).toEqual([desc, code]);
    // verifyCheckpoint refuses them too (after the signature check where one applies).
    for (const [desc, note] of cases) expect([desc, codeOf(() => verifyCheckpoint(note, [nodeA.vkey]))]).not.toEqual([desc, undefined]);
  });

  it('refuses fields it cannot write', () => {
    const bad: Partial<CheckpointFields>[] = [
      { origin: 'zizhu/demo' },
      { origin: 'zizhu/demo consortium/evidence' },
      { origin: 'zizhu/demo/evi\ndence' },
      { treeSize: -1 },
      { treeSize: 1.5 },
      { root: Buffer.alloc(31) },
      { height: 2 ** 53 },
      { blockHash: 'ABCD' },
      { time: Number.NaN },
    ];
    for (const change of bad) expect(codeOf(() => checkpointBody({ ...FIELDS, ...change }))).toBe('INVALID_FIELD');
    expect(checkpointBody({ ...FIELDS, treeSize: 0, height: 0, time: 0 })).toContain('\n0\n');
  });
});
