import { describe, expect, it } from '@jest/globals';
import { ed25519 as nobleCurve } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { createPublicKey, randomBytes, verify as nodeVerifyRaw } from 'node:crypto';
import {
  Ed25519Signer,
  ed25519PreCheck,
  ed25519PublicKeyFromPrivate,
  ed25519Sign,
  ed25519Verify,
  ed25519VerifyBackend,
  ed25519VerifyNode,
  generateEd25519,
} from './ed25519.js';
import { fromHex, toHex } from './encoding.js';
import { nobleEd25519 } from './noble.js';

// RFC 8032 §7.1, all five Ed25519 vectors.
const RFC8032 = [
  {
    name: 'TEST 1',
    secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    name: 'TEST 2',
    secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    public: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    name: 'TEST 3',
    secret: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    public: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature: '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
  {
    name: 'TEST 1024',
    secret: 'f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5',
    public: '278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e',
    message:
      '08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e9f77b1' +
      'e355f6c50544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d' +
      '658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc1a858efcb8550ee3a5e1998bd177e93a' +
      '7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e' +
      '06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96bd68a8a97b928a8bbc10' +
      '3b6621fcde2beca1231d206be6cd9ec7aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1' +
      '85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2d17ba70eb6248e594e1a2297acbbb39d' +
      '502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270' +
      '88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089b' +
      'eccf80cfe2df16a2cf65bd92dd597b0707e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba' +
      'b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51addd3b75a2b1ae0784504df543af8969b' +
      'e3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7' +
      '51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb038dda0847dd988d' +
      'cda6f3bfd15c4b4c4525004aa06eeff8ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df' +
      'f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08d78ff4ef5d63653a65040cf9bfd4aca7' +
      '984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4' +
      '88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac09' +
      '43bf6686b64b2579376504ccc493d97e6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f' +
      'b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b50d334ba77c225bc307ba537152f3f161' +
      '0e4eafe595f6d9d90d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d' +
      'b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8ca' +
      'c60c905c15fc910840b94c00a0b9d0',
    signature: '0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03',
  },
  {
    name: 'TEST SHA(abc)',
    secret: '833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42',
    public: 'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf',
    message: 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    signature: 'dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704',
  },
];

type Verifier = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;
const VERIFIERS: [string, Verifier][] = [
  ['ed25519VerifyNode (OpenSSL)', ed25519VerifyNode],
  [`ed25519Verify (${ed25519VerifyBackend})`, ed25519Verify],
  ['nobleEd25519.verify', nobleEd25519.verify],
];

describe('RFC 8032 §7.1 Ed25519 vectors', () => {
  it('TEST 1024 really has a 1023-byte message', () => {
    expect(fromHex(RFC8032[3].message)).toHaveLength(1023);
    expect(fromHex(RFC8032[4].message)).toHaveLength(64);
  });

  describe.each(RFC8032)('$name', (v) => {
    const seed = fromHex(v.secret);
    const msg = fromHex(v.message);

    it('derives the public key (node, Ed25519Signer, noble)', () => {
      expect(toHex(ed25519PublicKeyFromPrivate(seed))).toBe(v.public);
      expect(toHex(new Ed25519Signer(seed).publicKey)).toBe(v.public);
      expect(toHex(nobleEd25519.getPublicKey(seed))).toBe(v.public);
    });

    it('produces the signature bytes (node, Ed25519Signer, noble)', () => {
      expect(toHex(ed25519Sign(seed, msg))).toBe(v.signature);
      expect(toHex(new Ed25519Signer(seed).sign(msg))).toBe(v.signature);
      expect(toHex(nobleEd25519.sign(seed, msg))).toBe(v.signature);
    });

    it.each(VERIFIERS)('verifies with %s', (_name, verify) => {
      expect(verify(fromHex(v.public), msg, fromHex(v.signature))).toBe(true);
    });
  });
});

describe('Ed25519 refusals (every backend)', () => {
  const v = RFC8032[2];
  const pk = fromHex(v.public);
  const msg = fromHex(v.message);
  const sig = fromHex(v.signature);
  const flip = (b: Uint8Array, bit: number): Buffer => {
    const c = Buffer.from(b);
    c[bit >> 3] ^= 1 << (bit & 7);
    return c;
  };

  it.each(VERIFIERS)('%s refuses a flipped bit in the message', (_n, verify) => {
    for (const bit of [0, 7, 15]) expect(verify(pk, flip(msg, bit), sig)).toBe(false);
    expect(verify(pk, Buffer.concat([msg, Buffer.from([0])]), sig)).toBe(false);
  });

  it.each(VERIFIERS)('%s refuses a flipped bit anywhere in the signature', (_n, verify) => {
    for (let bit = 0; bit < 512; bit += 7) expect(verify(pk, msg, flip(sig, bit))).toBe(false);
  });

  it.each(VERIFIERS)('%s refuses a flipped bit in the public key', (_n, verify) => {
    for (const bit of [0, 100, 254, 255]) expect(verify(flip(pk, bit), msg, sig)).toBe(false);
  });

  it.each(VERIFIERS)('%s refuses non-canonical S (S + L)', (_n, verify) => {
    const s = bytesToBigLE(sig.subarray(32)) + L;
    const malleated = Buffer.concat([sig.subarray(0, 32), bigToBytesLE(s)]);
    expect(verify(pk, msg, malleated)).toBe(false);
    expect(ed25519PreCheck(pk, malleated)).toBe(false);
  });

  it.each(VERIFIERS)('%s refuses the identity public key 0100..00 even with a signature that satisfies the equation', (_n, verify) => {
    const identity = fromHex('01' + '00'.repeat(31));
    // With A = O the cofactorless equation is [S]B == R for every message: a universal forgery.
    const s = 12345n;
    const forged = Buffer.concat([nobleCurve.Point.BASE.multiply(s).toBytes(), bigToBytesLE(s)]);
    expect(rawOpenssl(identity, msg, forged)).toBe(true); // OpenSSL alone accepts it
    expect(verify(identity, msg, forged)).toBe(false);
  });

  it.each(VERIFIERS)('%s refuses wrong-length inputs without throwing', (_n, verify) => {
    expect(verify(pk.subarray(0, 31), msg, sig)).toBe(false);
    expect(verify(Buffer.concat([pk, Buffer.from([0])]), msg, sig)).toBe(false);
    expect(verify(pk, msg, sig.subarray(0, 63))).toBe(false);
    expect(verify(pk, msg, Buffer.concat([sig, Buffer.from([0])]))).toBe(false);
    expect(verify(new Uint8Array(0), msg, new Uint8Array(0))).toBe(false);
  });

  it('signing rejects a wrong-length seed', () => {
    expect(() => ed25519Sign(new Uint8Array(31), msg)).toThrow(TypeError);
    expect(() => nobleEd25519.sign(new Uint8Array(33), msg)).toThrow(TypeError);
  });
});

// ---- edge cases: every backend must accept exactly the same set (the consensus property) ----

const P = nobleCurve.Point;
const L = P.Fn.ORDER;
function bytesToBigLE(b: Uint8Array): bigint {
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]);
  return x;
}
function bigToBytesLE(x: bigint, len = 32): Buffer {
  const out = Buffer.alloc(len);
  for (let i = 0; i < len; i++, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}
const challenge = (r: Uint8Array, a: Uint8Array, m: Uint8Array): bigint => P.Fn.create(bytesToBigLE(sha512(Buffer.concat([r, a, m]))));
const SPKI = Buffer.from('302a300506032b6570032100', 'hex');
function rawOpenssl(pk: Uint8Array, m: Uint8Array, s: Uint8Array): boolean {
  return nodeVerifyRaw(null, m, createPublicKey({ key: Buffer.concat([SPKI, pk]), format: 'der', type: 'spki' }), s);
}

// The eight small-order points, their sign-flipped encodings, and the non-canonical y >= p encodings.
const T8 = P.fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05');
const TORSION = [P.ZERO];
for (let i = 1; i < 8; i++) TORSION.push(TORSION[i - 1].add(T8));
const SMALL_ORDER_ENCODINGS: string[] = (() => {
  const set = new Set<string>();
  const p = 2n ** 255n - 19n;
  for (const t of TORSION) {
    const c = t.toBytes();
    set.add(toHex(c));
    const flipped = Buffer.from(c);
    flipped[31] ^= 0x80;
    set.add(toHex(flipped));
    const y = bytesToBigLE(Buffer.from(c).fill(c[31] & 0x7f, 31));
    if (y + p < 2n ** 255n) {
      const nc = bigToBytesLE(y + p);
      set.add(toHex(nc));
      nc[31] ^= 0x80;
      set.add(toHex(nc));
    }
  }
  return [...set];
})();

/** A "signature" for small-order A that satisfies the cofactorless equation: R = [S]B with [k]A = O. */
function forgeForSmallOrderKey(aEnc: Buffer): { msg: Buffer; sig: Buffer } {
  const A = P.fromBytes(aEnc, true);
  for (;;) {
    const s = P.Fn.create(bytesToBigLE(randomBytes(64)));
    const R = P.BASE.multiply(s).toBytes();
    const msg = randomBytes(16);
    if (A.multiplyUnsafe(challenge(R, aEnc, msg)).is0()) return { msg, sig: Buffer.concat([R, bigToBytesLE(s)]) };
  }
}

/** A key with a torsion component, A = [a]B + T, and a signature whose R is the given small-order encoding. */
function forgeSmallOrderR(rEnc: Buffer): { pk: Buffer; msg: Buffer; sig: Buffer } {
  const Rp = P.fromBytes(rEnc, true);
  const a = P.Fn.create(bytesToBigLE(randomBytes(64)));
  const T = TORSION[3];
  const pk = Buffer.from(P.BASE.multiply(a).add(T).toBytes());
  for (;;) {
    const msg = randomBytes(16);
    const k = challenge(rEnc, pk, msg);
    // [S]B - [k]A = [S - ka]B - [k]T, so S = ka leaves -[k]T, which must be R.
    if (T.multiplyUnsafe(k).negate().equals(Rp)) return { pk, msg, sig: Buffer.concat([rEnc, bigToBytesLE(P.Fn.mul(k, a))]) };
  }
}

describe('Ed25519 edge cases: node, sodium and noble accept exactly the same signatures', () => {
  it('covers all 8 small-order points and their alternative encodings', () => {
    expect(SMALL_ORDER_ENCODINGS.length).toBe(14);
  });

  it.each(SMALL_ORDER_ENCODINGS)('small-order public key %s is refused by every backend', (hex) => {
    const aEnc = fromHex(hex);
    const { msg, sig } = forgeForSmallOrderKey(aEnc);
    expect(rawOpenssl(aEnc, msg, sig)).toBe(true); // the forgery is real for bare OpenSSL
    expect(ed25519PreCheck(aEnc, sig)).toBe(false);
    for (const [, verify] of VERIFIERS) expect(verify(aEnc, msg, sig)).toBe(false);
  });

  it.each(SMALL_ORDER_ENCODINGS)('small-order R %s is refused by every backend', (hex) => {
    const { pk, msg, sig } = forgeSmallOrderR(fromHex(hex));
    expect(ed25519PreCheck(pk, sig)).toBe(false);
    for (const [, verify] of VERIFIERS) expect(verify(pk, msg, sig)).toBe(false);
  });

  /** A = [a]B + T and an honest-looking signature (R = [r]B, S = r + ka) whose [k]T is (or is not) O. */
  function torsionKeySignature(T: InstanceType<typeof P>, residue: boolean): { pk: Buffer; msg: Buffer; sig: Buffer } {
    const a = P.Fn.create(bytesToBigLE(randomBytes(64)));
    const pk = Buffer.from(P.BASE.multiply(a).add(T).toBytes());
    const r = P.Fn.create(bytesToBigLE(randomBytes(64)));
    const R = P.BASE.multiply(r).toBytes();
    for (;;) {
      const msg = randomBytes(20);
      const k = challenge(R, pk, msg);
      // Cofactorless check: [S]B - [k]A = R - [k]T, so it holds exactly when [k]T = O.
      if (T.multiplyUnsafe(k).is0() !== residue) return { pk, msg, sig: Buffer.concat([R, bigToBytesLE(P.Fn.add(r, P.Fn.mul(k, a)))]) };
    }
  }

  it.each([2, 4, 8])('a key with a torsion component of order %i: a cofactorless-valid signature is accepted by all', (order) => {
    const { pk, msg, sig } = torsionKeySignature(TORSION[8 / order], false);
    for (const [, verify] of VERIFIERS) expect(verify(pk, msg, sig)).toBe(true);
  });

  it.each([2, 4, 8])('a key with a torsion component of order %i: a low-order residue is refused by all', (order) => {
    const { pk, msg, sig } = torsionKeySignature(TORSION[8 / order], true);
    for (const [, verify] of VERIFIERS) expect(verify(pk, msg, sig)).toBe(false);
    // noble's built-in verify is cofactored, so it accepts what OpenSSL and libsodium refuse.
    expect(nobleCurve.verify(sig, msg, pk, { zip215: false })).toBe(true);
  });

  it('a non-canonical (y >= p) public key is refused by the pre-check and by noble', () => {
    const sig = Buffer.concat([P.BASE.toBytes(), Buffer.alloc(32)]);
    for (let y = 2n; y < 19n; y++) {
      const enc = bigToBytesLE(2n ** 255n - 19n + y);
      expect(ed25519PreCheck(enc, sig)).toBe(false);
      for (const [, verify] of VERIFIERS) expect(verify(enc, Buffer.from('x'), sig)).toBe(false);
    }
  });
});

describe('Ed25519 random cross-checks', () => {
  it('node signs, noble and sodium verify; noble signs, node verifies; signatures are byte-identical', () => {
    expect(ed25519VerifyBackend).toBe('sodium');
    for (let i = 0; i < 40; i++) {
      const { privateKey, publicKey } = generateEd25519();
      expect(privateKey).toHaveLength(32);
      expect(publicKey).toHaveLength(32);
      expect(toHex(nobleEd25519.getPublicKey(privateKey))).toBe(toHex(publicKey));
      const msg = randomBytes(i * 7);
      const nodeSig = ed25519Sign(privateKey, msg);
      const nobleSig = nobleEd25519.sign(privateKey, msg);
      expect(toHex(nobleSig)).toBe(toHex(nodeSig)); // RFC 8032 signing is deterministic
      // Ed25519Signer signs with libsodium when it is loaded (it is here): the same bytes.
      expect(toHex(new Ed25519Signer(privateKey).sign(msg))).toBe(toHex(nodeSig));
      expect(nobleEd25519.verify(publicKey, msg, nodeSig)).toBe(true);
      expect(ed25519VerifyNode(publicKey, msg, nobleSig)).toBe(true);
      expect(ed25519Verify(publicKey, msg, nobleSig)).toBe(true);
      const other = randomBytes(i * 7 + 1);
      for (const [, verify] of VERIFIERS) expect(verify(publicKey, other, nodeSig)).toBe(false);
    }
  });
});
