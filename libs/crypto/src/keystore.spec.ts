import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519Verify } from './ed25519.js';
import { fromBase64, fromHex, toBase64, toHex } from './encoding.js';
import { KeystoreError, type KeystoreErrorCode } from './errors.js';
import { Keystore, type KeystoreJson } from './keystore.js';
import { x25519PublicFromPrivate } from './x25519.js';

const PASSPHRASE = 'correct horse battery staple 自主';
const FAST = { N: 2 ** 10 }; // the default cost (2^15) is exercised once, in the file round trip

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zizhu-keystore-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectKeystoreError(p: Promise<unknown> | (() => unknown), code: KeystoreErrorCode): Promise<KeystoreError> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(KeystoreError);
  expect((err as KeystoreError).code).toBe(code);
  expect((err as Error).message).not.toContain(PASSPHRASE);
  return err as KeystoreError;
}

const clone = (j: KeystoreJson): KeystoreJson => JSON.parse(JSON.stringify(j)) as KeystoreJson;

describe('Keystore', () => {
  it('round-trips through a file at the default scrypt cost, mode 0600, no passphrase in it', async () => {
    const ks = await Keystore.create(PASSPHRASE);
    const rfcSeed = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
    expect(toHex(ks.addEd25519('org1/rfc8032', rfcSeed))).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const signPub = ks.addEd25519('org1/sign');
    const boxPub = ks.addX25519('org1/box');
    const path = join(dir, 'keys.json');
    await ks.save(path);

    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['keys.json']); // no temp file left behind
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain(PASSPHRASE);
    const json = JSON.parse(text) as KeystoreJson;
    expect(json.format).toBe('zizhu-keystore/v1');
    expect(json.kdf).toEqual({ alg: 'scrypt', salt: expect.any(String), N: 32768, r: 8, p: 1 });
    expect(fromBase64(json.kdf.salt)).toHaveLength(16);
    expect(Object.keys(json.keys)).toEqual(['org1/box', 'org1/rfc8032', 'org1/sign']);
    expect(json.keys['org1/sign']).toEqual({ type: 'ed25519', publicKey: toBase64(signPub), iv: expect.any(String), ciphertext: expect.any(String), tag: expect.any(String) });
    expect(fromBase64(json.keys['org1/sign'].ciphertext)).toHaveLength(32);
    expect(text).not.toContain(toBase64(rfcSeed)); // the seed is stored encrypted only

    const loaded = await Keystore.load(path, PASSPHRASE);
    expect(loaded.names()).toEqual(['org1/box', 'org1/rfc8032', 'org1/sign']);
    expect(loaded.has('org1/sign')).toBe(true);
    expect(loaded.has('nope')).toBe(false);
    expect(loaded.type('org1/box')).toBe('x25519');
    expect(loaded.publicKey('org1/sign').equals(signPub)).toBe(true);
    const signer = loaded.signer('org1/sign');
    expect(signer.publicKey.equals(signPub)).toBe(true);
    const msg = Buffer.from('block 42');
    expect(ed25519Verify(signPub, msg, signer.sign(msg))).toBe(true);
    expect(toHex(loaded.signer('org1/rfc8032').sign(new Uint8Array(0)))).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
    expect(x25519PublicFromPrivate(loaded.x25519PrivateKey('org1/box')).equals(boxPub)).toBe(true);
    expect(loaded.toJSON()).toEqual(json); // unchanged entries re-serialise byte for byte
  });

  it('creates the folder of a first save, owner-only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zizhu-ks-'));
    const path = join(dir, 'new', 'deeper', 'keystore.json');
    const ks = await Keystore.create('pass', { N: 1024 });
    await ks.save(path);
    expect((await stat(join(dir, 'new'))).mode & 0o777).toBe(0o700);
    expect((await Keystore.load(path, 'pass')).names()).toEqual([]);
  });

  it('treats cost options given as undefined as the defaults', async () => {
    const ks = await Keystore.create('pass', { N: undefined, r: undefined, p: undefined });
    expect(ks.toJSON().kdf).toMatchObject({ N: 2 ** 15, r: 8, p: 1 });
  });

  it('overwrites an existing file atomically and tightens its mode to 0600', async () => {
    const path = join(dir, 'overwrite.json');
    await writeFile(path, 'old contents');
    await chmod(path, 0o644);
    const ks = await Keystore.create(PASSPHRASE, FAST);
    ks.addEd25519('a');
    await ks.save(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await Keystore.load(path, PASSPHRASE)).names()).toEqual(['a']);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a wrong passphrase with WRONG_PASSPHRASE, without echoing either passphrase', async () => {
    const ks = await Keystore.create(PASSPHRASE, FAST);
    ks.addEd25519('a');
    const json = ks.toJSON();
    const err = await expectKeystoreError(Keystore.fromJSON(json, 'hunter2'), 'WRONG_PASSPHRASE');
    expect(err.message).not.toContain('hunter2');
    expect(err.message).toMatch(/wrong passphrase/);
    // Altered KDF parameters look exactly like a wrong passphrase.
    const altered = clone(json);
    altered.kdf.N = 2 ** 11;
    await expectKeystoreError(Keystore.fromJSON(altered, PASSPHRASE), 'WRONG_PASSPHRASE');
    await expectKeystoreError(Keystore.fromJSON(json, ''), 'INVALID_ARGUMENT');
  });

  describe('tampering', () => {
    let json: KeystoreJson;
    beforeAll(async () => {
      const ks = await Keystore.create(PASSPHRASE, FAST);
      ks.addEd25519('sign');
      ks.addEd25519('other');
      ks.addX25519('box');
      json = ks.toJSON();
    });

    it('refuses a flipped ciphertext bit (at load, naming the entry)', async () => {
      const t = clone(json);
      const ct = fromBase64(t.keys.sign.ciphertext);
      ct[5] ^= 1;
      t.keys.sign.ciphertext = toBase64(ct);
      const err = await expectKeystoreError(Keystore.fromJSON(JSON.stringify(t), PASSPHRASE), 'TAMPERED');
      expect(err.message).toContain('"sign"');
    });

    it('refuses a flipped tag bit and a replaced IV', async () => {
      const t = clone(json);
      const tag = fromBase64(t.keys.box.tag);
      tag[0] ^= 0x80;
      t.keys.box.tag = toBase64(tag);
      await expectKeystoreError(Keystore.fromJSON(t, PASSPHRASE), 'TAMPERED');
      const u = clone(json);
      u.keys.box.iv = json.keys.sign.iv;
      await expectKeystoreError(Keystore.fromJSON(u, PASSPHRASE), 'TAMPERED');
    });

    it('refuses entries swapped between names (the name is the AAD)', async () => {
      const t = clone(json);
      [t.keys.sign, t.keys.other] = [t.keys.other, t.keys.sign];
      await expectKeystoreError(Keystore.fromJSON(t, PASSPHRASE), 'TAMPERED');
    });

    it('refuses a substituted public key or type', async () => {
      const t = clone(json);
      t.keys.sign.publicKey = json.keys.other.publicKey;
      await expectKeystoreError(Keystore.fromJSON(t, PASSPHRASE), 'TAMPERED');
      const u = clone(json);
      u.keys.sign.type = 'x25519';
      await expectKeystoreError(Keystore.fromJSON(u, PASSPHRASE), 'TAMPERED');
    });

    it('refuses malformed files with INVALID_FORMAT', async () => {
      await expectKeystoreError(Keystore.fromJSON('{not json', PASSPHRASE), 'INVALID_FORMAT');
      await expectKeystoreError(Keystore.fromJSON({ ...clone(json), format: 'zizhu-keystore/v0' }, PASSPHRASE), 'INVALID_FORMAT');
      const hugeN = clone(json);
      hugeN.kdf.N = 2 ** 30; // would demand 1 TiB
      await expectKeystoreError(Keystore.fromJSON(hugeN, PASSPHRASE), 'INVALID_FORMAT');
      const notPow2 = clone(json);
      notPow2.kdf.N = 1000;
      await expectKeystoreError(Keystore.fromJSON(notPow2, PASSPHRASE), 'INVALID_FORMAT');
      const badB64 = clone(json);
      badB64.keys.sign.ciphertext = 'not base64!';
      await expectKeystoreError(Keystore.fromJSON(badB64, PASSPHRASE), 'INVALID_FORMAT');
      const shortTag = clone(json);
      shortTag.keys.sign.tag = toBase64(fromBase64(json.keys.sign.tag).subarray(0, 8));
      await expectKeystoreError(Keystore.fromJSON(shortTag, PASSPHRASE), 'INVALID_FORMAT');
    });
  });

  it('enforces names, types and key sizes', async () => {
    const ks = await Keystore.create(PASSPHRASE, FAST);
    ks.addEd25519('sign');
    ks.addX25519('box');
    await expectKeystoreError(() => ks.addEd25519('sign'), 'KEY_EXISTS');
    await expectKeystoreError(() => ks.addX25519('sign'), 'KEY_EXISTS');
    await expectKeystoreError(() => ks.addEd25519(''), 'INVALID_ARGUMENT');
    await expectKeystoreError(() => ks.addEd25519('bad\nname'), 'INVALID_ARGUMENT');
    await expectKeystoreError(() => ks.addEd25519('short', new Uint8Array(31)), 'INVALID_ARGUMENT');
    await expectKeystoreError(() => ks.signer('box'), 'WRONG_KEY_TYPE');
    await expectKeystoreError(() => ks.x25519PrivateKey('sign'), 'WRONG_KEY_TYPE');
    await expectKeystoreError(() => ks.publicKey('missing'), 'KEY_NOT_FOUND');
    await expectKeystoreError(() => ks.signer('missing'), 'KEY_NOT_FOUND');
    await expectKeystoreError(Keystore.create(PASSPHRASE, { N: 3 }), 'INVALID_ARGUMENT');
  });

  it('returns copies, so callers cannot alter stored public keys', async () => {
    const ks = await Keystore.create(PASSPHRASE, FAST);
    const pub = ks.addX25519('box');
    pub.fill(0);
    ks.publicKey('box').fill(0);
    expect(ks.publicKey('box').equals(Buffer.alloc(32))).toBe(false);
  });
});
