import { describe, expect, it } from '@jest/globals';
import { CompactRange } from './compact-range.js';
import { EMPTY_ROOT, leafHash, nodeHash } from './hashes.js';
import {
  assembleProof,
  consistencyProofPlan,
  inclusionProofPlan,
  rootFromInclusion,
  verifyConsistency,
  verifyInclusion,
} from './proofs.js';
import { referenceConsistency, referencePath, referenceRoot } from './reference.js';
import { nodeKey, type NodeId } from './tree-math.js';

// Certificate Transparency / transparency-dev/merkle test data (testonly/constants.go, proof/verify_test.go).
const h = (hex: string): Buffer => Buffer.from(hex, 'hex');

const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(h);

const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(h);

// Every perfect subtree of the 8-leaf tree, NODE_HASHES[level][index].
const NODE_HASHES = [
  [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
    '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
    'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
    '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
  ],
  [
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  ],
  ['d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'],
  ['5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'],
].map((level) => level.map(h));

const INCLUSION: { leafIndex: number; treeSize: number; proof: Buffer[] }[] = [
  { leafIndex: 0, treeSize: 1, proof: [] },
  {
    leafIndex: 0,
    treeSize: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ].map(h),
  },
  {
    leafIndex: 5,
    treeSize: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ].map(h),
  },
  { leafIndex: 2, treeSize: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'].map(h) },
  {
    leafIndex: 1,
    treeSize: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ].map(h),
  },
];

const CONSISTENCY: { m: number; n: number; proof: Buffer[] }[] = [
  { m: 1, n: 1, proof: [] },
  {
    m: 1,
    n: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ].map(h),
  },
  {
    m: 6,
    n: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ].map(h),
  },
  {
    m: 2,
    n: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ].map(h),
  },
  {
    m: 6,
    n: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ].map(h),
  },
];

const SOME_HASH = h('abacaba000000000000000000000000000000000000000000060061e00123456');

/** The stored nodes of the 8-leaf tree, as CompactRange.append reports them. */
function storedNodes(): Map<string, Buffer> {
  const nodes = new Map<string, Buffer>();
  const range = CompactRange.empty();
  for (const leaf of LEAVES) range.append(leafHash(leaf), (node, hash) => nodes.set(nodeKey(node), hash));
  return nodes;
}
const lookupIn = (nodes: Map<string, Buffer>) => (node: NodeId): Buffer => {
  const hash = nodes.get(nodeKey(node));
  if (!hash) throw new Error(`node ${nodeKey(node)} is not stored`);
  return hash;
};

const flipBit = (proof: Buffer[], i: number): Buffer[] =>
  proof.map((p, j) => (j === i ? Buffer.from(p.map((b, k) => (k === 0 ? b ^ 8 : b))) : p));

describe('RFC 6962 / CT test vectors', () => {
  it('EMPTY_ROOT is SHA-256 of the empty string', () => {
    expect(EMPTY_ROOT.equals(ROOTS[0])).toBe(true);
  });

  it('the reference implementation reproduces the published roots for sizes 0..8', () => {
    for (let n = 0; n <= 8; n++) expect(referenceRoot(LEAVES.slice(0, n)).toString('hex')).toBe(ROOTS[n].toString('hex'));
  });

  it('CompactRange reproduces the published roots after each append', () => {
    const range = CompactRange.empty();
    expect(range.root().equals(ROOTS[0])).toBe(true);
    LEAVES.forEach((leaf, i) => {
      range.append(leafHash(leaf));
      expect(range.size).toBe(i + 1);
      expect(range.root().toString('hex')).toBe(ROOTS[i + 1].toString('hex'));
    });
  });

  it('CompactRange.append reports exactly the published perfect nodes', () => {
    const nodes = storedNodes();
    const expected = NODE_HASHES.flatMap((level, l) => level.map((hash, i) => [`${l}:${i}`, hash.toString('hex')]));
    expect([...nodes].map(([k, v]) => [k, v.toString('hex')]).sort()).toEqual(expected.sort());
  });

  it('leafHash and nodeHash match the published level-0 and level-1 nodes', () => {
    expect(leafHash(LEAVES[1]).equals(NODE_HASHES[0][1])).toBe(true);
    expect(nodeHash(NODE_HASHES[0][2], NODE_HASHES[0][3]).equals(NODE_HASHES[1][1])).toBe(true);
  });

  it('leafHash of a text hashes its UTF-8 bytes', () => {
    expect(leafHash('').equals(NODE_HASHES[0][0])).toBe(true);
    for (const text of ['{"out":null,"status":"COMMITTED","tx":"ab"}', 'é 链 \u{1f512}']) {
      expect(leafHash(text).equals(leafHash(Buffer.from(text, 'utf8')))).toBe(true);
    }
  });

  it.each(INCLUSION)('inclusion proof of leaf $leafIndex in tree $treeSize', ({ leafIndex, treeSize, proof }) => {
    const leaf = leafHash(LEAVES[leafIndex]);
    const root = ROOTS[treeSize];
    expect(referencePath(leafIndex, LEAVES.slice(0, treeSize))).toEqual(proof);
    expect(assembleProof(inclusionProofPlan(leafIndex, treeSize), lookupIn(storedNodes()))).toEqual(proof);
    expect(rootFromInclusion(leaf, leafIndex, treeSize, proof)?.equals(root)).toBe(true);
    expect(verifyInclusion(leaf, leafIndex, treeSize, proof, root)).toBe(true);

    // The probes of transparency-dev/merkle's verifierCheck.
    const bad: [string, number, number, Buffer, Buffer[], Buffer][] = [
      ['leafIndex - 1', leafIndex - 1, treeSize, leaf, proof, root],
      ['leafIndex + 1', leafIndex + 1, treeSize, leaf, proof, root],
      ['leafIndex ^ 2', leafIndex ^ 2, treeSize, leaf, proof, root],
      ['treeSize * 2', leafIndex, treeSize * 2, leaf, proof, root],
      ['treeSize / 2', leafIndex, Math.floor(treeSize / 2), leaf, proof, root],
      ['wrong leaf', leafIndex, treeSize, leafHash(Buffer.from('WrongLeaf')), proof, root],
      ['empty root', leafIndex, treeSize, leaf, proof, EMPTY_ROOT],
      ['random root', leafIndex, treeSize, leaf, proof, SOME_HASH],
      ['trailing garbage', leafIndex, treeSize, leaf, [...proof, Buffer.alloc(0)], root],
      ['trailing root', leafIndex, treeSize, leaf, [...proof, root], root],
      ['preceding garbage', leafIndex, treeSize, leaf, [Buffer.alloc(0), ...proof], root],
      ['preceding root', leafIndex, treeSize, leaf, [root, ...proof], root],
      ...proof.map((_, i): [string, number, number, Buffer, Buffer[], Buffer] => [`flipped bit in proof[${i}]`, leafIndex, treeSize, leaf, flipBit(proof, i), root]),
    ];
    if (proof.length > 0) bad.push(['removed component', leafIndex, treeSize, leaf, proof.slice(0, -1), root]);
    if (proof.length > 1) bad.push(['inserted component', leafIndex, treeSize, leaf, [proof[0], SOME_HASH, ...proof.slice(1)], root]);
    const accepted = bad.filter(([, i, n, l, p, r]) => verifyInclusion(l, i, n, p, r)).map(([desc]) => desc);
    expect(accepted).toEqual([]);
  });

  it.each(CONSISTENCY)('consistency proof from $m to $n', ({ m, n, proof }) => {
    const [root1, root2] = [ROOTS[m], ROOTS[n]];
    expect(referenceConsistency(m, LEAVES.slice(0, n))).toEqual(proof);
    expect(assembleProof(consistencyProofPlan(m, n), lookupIn(storedNodes()))).toEqual(proof);
    expect(verifyConsistency(m, n, proof, root1, root2)).toBe(true);
    if (proof.length === 0) return;

    // The probes of transparency-dev/merkle's verifierConsistencyCheck.
    const bad: [string, number, number, Buffer[], Buffer, Buffer][] = [
      ['m - 1', m - 1, n, proof, root1, root2],
      ['m + 1', m + 1, n, proof, root1, root2],
      ['m ^ 2', m ^ 2, n, proof, root1, root2],
      ['n * 2', m, n * 2, proof, root1, root2],
      ['n / 2', m, Math.floor(n / 2), proof, root1, root2],
      ['wrong root1', m, n, proof, SOME_HASH, root2],
      ['wrong root2', m, n, proof, root1, SOME_HASH],
      ['swapped roots', m, n, proof, root2, root1],
      ['empty proof', m, n, [], root1, root2],
      ['trailing garbage', m, n, [...proof, Buffer.alloc(0)], root1, root2],
      ['trailing root1', m, n, [...proof, root1], root1, root2],
      ['trailing root2', m, n, [...proof, root2], root1, root2],
      ['preceding garbage', m, n, [Buffer.alloc(0), ...proof], root1, root2],
      ['preceding root1', m, n, [root1, ...proof], root1, root2],
      ['preceding root2', m, n, [root2, ...proof], root1, root2],
      ['preceding proof[0]', m, n, [proof[0], ...proof], root1, root2],
      ['truncated proof', m, n, proof.slice(0, -1), root1, root2],
      ...proof.map((_, i): [string, number, number, Buffer[], Buffer, Buffer] => [`flipped bit in proof[${i}]`, m, n, flipBit(proof, i), root1, root2]),
    ];
    const accepted = bad.filter(([, a, b, p, r1, r2]) => verifyConsistency(a, b, p, r1, r2)).map(([desc]) => desc);
    expect(accepted).toEqual([]);
  });

  it('handles the trivial consistency cases as documented', () => {
    const [r1, r8] = [ROOTS[1], ROOTS[8]];
    expect(verifyConsistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)).toBe(true);
    expect(verifyConsistency(0, 8, [], EMPTY_ROOT, r8)).toBe(true);
    expect(verifyConsistency(0, 8, [], r1, r8)).toBe(false); // a size-0 tree has only one root
    expect(verifyConsistency(0, 8, [EMPTY_ROOT], EMPTY_ROOT, r8)).toBe(false);
    expect(verifyConsistency(8, 8, [], r8, r8)).toBe(true);
    expect(verifyConsistency(8, 8, [], r1, r8)).toBe(false);
    expect(verifyConsistency(8, 8, [EMPTY_ROOT], r8, r8)).toBe(false);
    expect(verifyConsistency(8, 1, [], r8, r1)).toBe(false); // time travel
    expect(verifyConsistency(1, 2, [], r1, ROOTS[2])).toBe(false);
    expect(consistencyProofPlan(0, 8)).toEqual([]);
    expect(consistencyProofPlan(8, 8)).toEqual([]);
  });

  it('rejects inclusion claims that cannot hold', () => {
    const leaf = leafHash(LEAVES[0]);
    expect(verifyInclusion(leaf, 0, 1, [], ROOTS[1])).toBe(true);
    for (const [i, n] of [[0, 0], [1, 0], [2, 1], [1, 1]]) expect(verifyInclusion(leaf, i, n, [], ROOTS[1])).toBe(false);
    expect(verifyInclusion(Buffer.alloc(0), 0, 1, [], Buffer.alloc(0))).toBe(false);
    expect(verifyInclusion(leaf, 0.5, 1, [], ROOTS[1])).toBe(false);
    expect(verifyInclusion(leaf, -1, 1, [], ROOTS[1])).toBe(false);
  });
});
