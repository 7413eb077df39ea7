import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { Ed25519Signer, generateEd25519 } from '@zizhu/crypto';
import { CheckpointError } from './checkpoint-error.js';
import { cosignNote, isValidKeyName, keyHash, parseNote, parseVerifierKey, signNote, verifierKey, verifyNote } from './signed-note.js';

// golang.org/x/mod/sumdb/note: the package documentation's example note and its keys.
const GO_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${GO_TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
// transparency-dev/formats test key whose base64 contains a '+'.
const PLUS_VKEY = 'TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6';

const goSigner = new Ed25519Signer(Buffer.from(GO_SKEY.split('+').slice(4).join('+'), 'base64').subarray(1));
const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (e) {
    if (e instanceof CheckpointError) return e.code;
    throw e;
  }
  return undefined;
};

describe('signed notes (C2SP signed-note, Ed25519)', () => {
  it('reproduces the Go sumdb/note example byte for byte', () => {
    expect(verifierKey('PeterNeumann', goSigner.publicKey)).toBe(GO_VKEY);
    expect(signNote(GO_TEXT, 'PeterNeumann', goSigner)).toBe(GO_NOTE);
    expect(verifyNote(GO_NOTE, [GO_VKEY])).toMatchObject({ text: GO_TEXT, verifiedBy: ['PeterNeumann'] });
  });

  it('parses published verifier keys, including base64 that contains "+"', () => {
    for (const vkey of [GO_VKEY, ENOCH_VKEY, PLUS_VKEY]) {
      const key = parseVerifierKey(vkey);
      expect(verifierKey(key.name, key.publicKey)).toBe(vkey);
      expect(key.keyHash).toHaveLength(4);
    }
    expect(parseVerifierKey(PLUS_VKEY).name).toBe('TEST');
  });

  it('computes the verifier key as name+hex(SHA-256(name || "\\n" || 0x01 || key)[0..4])+base64(0x01 || key)', () => {
    const { publicKey } = generateEd25519();
    const name = 'bank-a.example/zizhu';
    const digest = createHash('sha256').update(Buffer.concat([Buffer.from(`${name}\n`), Buffer.from([1]), publicKey])).digest();
    const expected = `${name}+${digest.subarray(0, 4).toString('hex')}+${Buffer.concat([Buffer.from([1]), publicKey]).toString('base64')}`;
    expect(verifierKey(name, publicKey)).toBe(expected);
    expect(keyHash(name, publicKey)).toEqual(digest.subarray(0, 4));
    expect(parseVerifierKey(expected)).toEqual({ name, keyHash: digest.subarray(0, 4), publicKey });
  });

  it('refuses malformed verifier keys and key names', () => {
    const bad = [
      '',
      'PeterNeumann',
      'PeterNeumann+c74f20a3',
      'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', // hash mismatch
      'PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', // uppercase hex
      'Peter+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', // name changed
      'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T', // bad base64
      'PeterNeumann+c74f20a3+AhpjyZDxQ8hE/M4yFMw+s4ZsaUgPuk7mdOEUoC3khSfM', // not type 0x01 / length
      ' PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    ];
    for (const vkey of bad) expect(codeOf(() => parseVerifierKey(vkey))).toBe('INVALID_KEY');
    for (const name of ['', 'a b', 'a+b', 'a\tb', 'a\u00a0b', 'a\u2003b', 'a\u0085b', 'a\u0001b']) expect(isValidKeyName(name)).toBe(false);
    expect(isValidKeyName('zizhu.example/bank-a/node-1')).toBe(true);
    expect(codeOf(() => signNote(GO_TEXT, 'bad name', goSigner))).toBe('INVALID_KEY');
  });

  it('frames notes strictly', () => {
    const sigLine = GO_NOTE.slice(GO_TEXT.length + 1);
    const malformed: [string, string][] = [
      ['no blank line', GO_TEXT + sigLine],
      ['no signature', `${GO_TEXT}\n`],
      ['no final newline', GO_NOTE.slice(0, -1)],
      ['hyphen instead of em dash', GO_NOTE.replace('— ', '- ')],
      ['en dash instead of em dash', GO_NOTE.replace('— ', '– ')],
      ['no space after dash', GO_NOTE.replace('— ', '—')],
      ['control character', GO_NOTE.replace('answer', 'ans\rwer')],
      ['carriage returns', GO_NOTE.replaceAll('\n', '\r\n')],
      ['lone surrogate', GO_NOTE.replace('answer', 'answer\ud800')],
      ['trailing text', `${GO_NOTE}junk\n`],
      ['missing signature field', `${GO_TEXT}\n— PeterNeumann\n`],
    ];
    for (const [desc, note] of malformed) expect([desc, codeOf(() => parseNote(note))]).toEqual([desc, 'MALFORMED_NOTE']);
    expect(codeOf(() => parseNote(GO_NOTE.replace('JnAM=', 'JnAM')))).toBe('MALFORMED_SIGNATURE');
    expect(codeOf(() => parseNote(`${GO_TEXT}\n— PeterNeumann AAAA\n`))).toBe('MALFORMED_SIGNATURE');
    expect(codeOf(() => parseNote(GO_NOTE + sigLine))).toBe('DUPLICATE_SIGNATURE');
    expect(parseNote(`a\n\nb\n${GO_NOTE.slice(GO_TEXT.length)}`).text).toBe('a\n\nb\n'); // the last blank line separates
  });

  it('ignores unknown keys, rejects a failing trusted key, and needs one trusted signature', () => {
    const other = generateEd25519();
    const otherSigner = new Ed25519Signer(other.privateKey);
    const twice = cosignNote(GO_NOTE, 'other.example', otherSigner);
    const otherVkey = verifierKey('other.example', other.publicKey);
    expect(verifyNote(twice, [GO_VKEY]).verifiedBy).toEqual(['PeterNeumann']);
    expect(verifyNote(twice, [otherVkey, GO_VKEY]).verifiedBy).toEqual(['PeterNeumann', 'other.example']);
    expect(codeOf(() => verifyNote(GO_NOTE, [ENOCH_VKEY]))).toBe('UNVERIFIED');
    expect(codeOf(() => verifyNote(GO_NOTE, []))).toBe('UNVERIFIED');
    // Same name, different key: its lines carry another key hash, so they are ignored.
    expect(codeOf(() => verifyNote(GO_NOTE, [verifierKey('PeterNeumann', other.publicKey)]))).toBe('UNVERIFIED');
    const forged = GO_NOTE.replace('x08go/ZJ', 'x08go/ZK');
    expect(codeOf(() => verifyNote(forged, [GO_VKEY]))).toBe('BAD_SIGNATURE');
    expect(codeOf(() => verifyNote(cosignNote(forged, 'other.example', otherSigner), [otherVkey, GO_VKEY]))).toBe('BAD_SIGNATURE');
    expect(codeOf(() => cosignNote(twice, 'other.example', otherSigner))).toBe('DUPLICATE_SIGNATURE');
    expect(codeOf(() => verifyNote(GO_NOTE, ['not a key']))).toBe('INVALID_KEY');
  });
});
