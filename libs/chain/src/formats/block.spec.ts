import { describe, it, expect } from '@jest/globals';
import { canonicalJson, sha256, sha256Hex } from '@zizhu/crypto';
import { blockHash, EMPTY_STATE_ROOT, leafBytes, leafTextOf, nextStateRoot, type BlockHeader } from './block.js';

describe('block formats (ledger-formats §3, §6)', () => {
  const tx = 'ab'.repeat(32);

  it('leafTextOf is the JCS of { out, status, tx } with out = SHA-256 of the canonical result', () => {
    const result = canonicalJson({ events: [], value: { id: 'x' } });
    for (const status of ['COMMITTED', 'REVERTED'] as const) {
      expect(leafTextOf(result, status, tx)).toBe(leafBytes({ out: sha256Hex(result), status, tx }).toString('utf8'));
    }
    expect(() => leafTextOf(result, 'DONE' as never, tx)).toThrow();
    expect(() => leafTextOf(result, 'COMMITTED', 'XYZ')).toThrow();
  });

  it('hashes headers as SHA-256("zizhu:block:v1\\n" || JCS(header))', () => {
    const header: BlockHeader = { channel: 'evidence', height: 42, prev: '00'.repeat(32), treeSize: 1042, root: '11'.repeat(32), stateRoot: '22'.repeat(32), time: 1763712000123, proposer: '33'.repeat(32), txCount: 17 };
    const expected = sha256Hex(Buffer.from('zizhu:block:v1\n' + canonicalJson(header)));
    expect(blockHash(header)).toBe(expected);
    expect(canonicalJson(header).startsWith('{"channel":"evidence","height":42,"prev":')).toBe(true);
  });

  it('chains state roots over the previous root bytes and the sorted write hashes', () => {
    const writes: [string, string | null][] = [['a', sha256Hex('1')], ['b', null]];
    const expected = sha256Hex(Buffer.concat([Buffer.from('zizhu:state:v1\n'), Buffer.from(EMPTY_STATE_ROOT, 'hex'), sha256(canonicalJson(writes))]));
    expect(nextStateRoot(EMPTY_STATE_ROOT, writes)).toBe(expected);
    expect(nextStateRoot(expected, [])).not.toBe(expected);
  });

  it('hashes the write list as its JCS text whatever the keys hold', () => {
    const writes: [string, string | null][] = [['a"b\\c', null], ['tab\tnl\n\u0001', sha256Hex('x')], ['é/链/\u{1f512}', sha256Hex('y')], ['\u2028', null]];
    const expected = sha256Hex(Buffer.concat([Buffer.from('zizhu:state:v1\n'), Buffer.from(EMPTY_STATE_ROOT, 'hex'), sha256(canonicalJson(writes))]));
    expect(nextStateRoot(EMPTY_STATE_ROOT, writes)).toBe(expected);
  });
});
