import { randomBytes, scrypt as scryptCb, type ScryptOptions } from 'node:crypto';
import { open, readFile, rename, rm, mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { aes256GcmDecrypt, aes256GcmEncrypt } from './aes-gcm.js';
import { Ed25519Signer, ed25519PublicKeyFromPrivate, generateEd25519 } from './ed25519.js';
import { fromBase64, toBase64, utf8 } from './encoding.js';
import { KeystoreError } from './errors.js';
import { generateX25519, x25519PublicFromPrivate } from './x25519.js';

/**
 * Private keys encrypted at rest: a scrypt-derived key-encryption key (KEK) and one AES-256-GCM
 * envelope per entry, with the entry name as associated data so entries cannot be swapped.
 */

export const KEYSTORE_FORMAT = 'zizhu-keystore/v1';

export type KeystoreKeyType = 'ed25519' | 'x25519';

export interface KeystoreKdfJson {
  alg: 'scrypt';
  salt: string;
  N: number;
  r: number;
  p: number;
}

export interface KeystoreSealedJson {
  iv: string;
  ciphertext: string;
  tag: string;
}

export interface KeystoreEntryJson extends KeystoreSealedJson {
  type: KeystoreKeyType;
  publicKey: string;
}

export interface KeystoreJson {
  format: typeof KEYSTORE_FORMAT;
  kdf: KeystoreKdfJson;
  check: KeystoreSealedJson;
  keys: Record<string, KeystoreEntryJson>;
}

export interface KeystoreOptions {
  /** scrypt cost; a power of two. Default 2^15. */
  N?: number;
  r?: number;
  p?: number;
}

interface Sealed {
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

interface Entry extends Sealed {
  type: KeystoreKeyType;
  publicKey: Buffer;
}

const DEFAULT_KDF = { N: 2 ** 15, r: 8, p: 1 };
const SALT_BYTES = 16;
// The check value's AAD contains a control character, which entry names may not, so it can never
// be confused with an entry.
const CHECK_AAD = utf8('\u0000zizhu-keystore/v1 check');
const CHECK_PLAINTEXT = utf8('zizhu-keystore/v1');
/** 1-256 UTF-16 code units, no C0 controls or DEL. */
function isValidName(name: unknown): name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 256) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}

function scrypt(passphrase: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(passphrase, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

function checkKdfParams(N: unknown, r: unknown, p: unknown): string | null {
  // Bounds keep a hostile file from demanding gigabytes of memory.
  if (!Number.isSafeInteger(N) || (N as number) < 2 || (N as number) > 2 ** 20 || ((N as number) & ((N as number) - 1)) !== 0) return 'N must be a power of two between 2 and 2^20';
  if (!Number.isSafeInteger(r) || (r as number) < 1 || (r as number) > 32) return 'r must be an integer between 1 and 32';
  if (!Number.isSafeInteger(p) || (p as number) < 1 || (p as number) > 16) return 'p must be an integer between 1 and 16';
  return null;
}

async function deriveKek(passphrase: string, kdf: { salt: Buffer; N: number; r: number; p: number }): Promise<Buffer> {
  if (typeof passphrase !== 'string' || passphrase.length === 0) throw new KeystoreError('INVALID_ARGUMENT', 'passphrase must be a non-empty string');
  return scrypt(passphrase, kdf.salt, 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r * kdf.p + 1024 * 1024 });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseB64(v: unknown, what: string): Buffer {
  try {
    return fromBase64(v as string);
  } catch {
    throw new KeystoreError('INVALID_FORMAT', `keystore: ${what} is not padded base64`);
  }
}

function parseSealed(v: unknown, what: string): Sealed {
  if (!isObject(v)) throw new KeystoreError('INVALID_FORMAT', `keystore: ${what} is not an object`);
  const sealed = { iv: parseB64(v.iv, `${what}.iv`), ciphertext: parseB64(v.ciphertext, `${what}.ciphertext`), tag: parseB64(v.tag, `${what}.tag`) };
  if (sealed.iv.length !== 12 || sealed.tag.length !== 16) throw new KeystoreError('INVALID_FORMAT', `keystore: ${what} has a wrong IV or tag length`);
  return sealed;
}

const sealedJson = (s: Sealed): KeystoreSealedJson => ({ iv: toBase64(s.iv), ciphertext: toBase64(s.ciphertext), tag: toBase64(s.tag) });

const publicFromPrivate = (type: KeystoreKeyType, priv: Uint8Array): Buffer => (type === 'ed25519' ? ed25519PublicKeyFromPrivate(priv) : x25519PublicFromPrivate(priv));

export class Keystore {
  readonly #kdf: { salt: Buffer; N: number; r: number; p: number };
  readonly #kek: Buffer;
  readonly #check: Sealed;
  readonly #entries = new Map<string, Entry>();

  private constructor(kdf: { salt: Buffer; N: number; r: number; p: number }, kek: Buffer, check: Sealed) {
    this.#kdf = kdf;
    this.#kek = kek;
    this.#check = check;
  }

  /** A new, empty keystore (derives the KEK: ~100 ms at the default cost). */
  static async create(passphrase: string, opts: KeystoreOptions = {}): Promise<Keystore> {
    // An option given as undefined means the default, not "no value".
    const N = opts.N ?? DEFAULT_KDF.N;
    const r = opts.r ?? DEFAULT_KDF.r;
    const p = opts.p ?? DEFAULT_KDF.p;
    const bad = checkKdfParams(N, r, p);
    if (bad) throw new KeystoreError('INVALID_ARGUMENT', `keystore: ${bad}`);
    const kdf = { salt: randomBytes(SALT_BYTES), N, r, p };
    const kek = await deriveKek(passphrase, kdf);
    return new Keystore(kdf, kek, aes256GcmEncrypt(kek, CHECK_PLAINTEXT, CHECK_AAD));
  }

  /** Opens a keystore from its JSON (object or text); every entry is authenticated before it returns. */
  static async fromJSON(json: unknown, passphrase: string): Promise<Keystore> {
    let doc: unknown = json;
    if (typeof json === 'string') {
      try {
        doc = JSON.parse(json);
      } catch {
        throw new KeystoreError('INVALID_FORMAT', 'keystore: not valid JSON');
      }
    }
    if (!isObject(doc) || doc.format !== KEYSTORE_FORMAT) throw new KeystoreError('INVALID_FORMAT', `keystore: format is not ${KEYSTORE_FORMAT}`);
    const k = doc.kdf;
    if (!isObject(k) || k.alg !== 'scrypt') throw new KeystoreError('INVALID_FORMAT', 'keystore: kdf.alg must be scrypt');
    const bad = checkKdfParams(k.N, k.r, k.p);
    if (bad) throw new KeystoreError('INVALID_FORMAT', `keystore: kdf ${bad}`);
    const kdf = { salt: parseB64(k.salt, 'kdf.salt'), N: k.N as number, r: k.r as number, p: k.p as number };
    if (kdf.salt.length < 16) throw new KeystoreError('INVALID_FORMAT', 'keystore: kdf.salt is shorter than 16 bytes');
    const check = parseSealed(doc.check, 'check');
    if (!isObject(doc.keys)) throw new KeystoreError('INVALID_FORMAT', 'keystore: keys is not an object');

    const entries: [string, Entry][] = [];
    for (const [name, e] of Object.entries(doc.keys)) {
      if (!isValidName(name)) throw new KeystoreError('INVALID_FORMAT', 'keystore: an entry name is empty, too long or has control characters');
      if (!isObject(e) || (e.type !== 'ed25519' && e.type !== 'x25519')) throw new KeystoreError('INVALID_FORMAT', `keystore: entry "${name}" has no valid type`);
      const publicKey = parseB64(e.publicKey, `entry "${name}" publicKey`);
      if (publicKey.length !== 32) throw new KeystoreError('INVALID_FORMAT', `keystore: entry "${name}" publicKey is not 32 bytes`);
      entries.push([name, { type: e.type, publicKey, ...parseSealed(e, `entry "${name}"`) }]);
    }

    const kek = await deriveKek(passphrase, kdf);
    try {
      aes256GcmDecrypt(kek, check, CHECK_AAD);
    } catch {
      kek.fill(0);
      throw new KeystoreError('WRONG_PASSPHRASE', 'keystore: wrong passphrase (or the key-derivation parameters were altered)');
    }
    const ks = new Keystore(kdf, kek, check);
    try {
      for (const [name, entry] of entries) {
        ks.#entries.set(name, entry);
        // Authenticates the ciphertext and binds the plaintext public key and type to the private key.
        const priv = ks.#decrypt(name);
        const derived = publicFromPrivate(entry.type, priv);
        priv.fill(0);
        if (!derived.equals(entry.publicKey)) throw new KeystoreError('TAMPERED', `keystore: entry "${name}" public key or type does not match its private key`);
      }
    } catch (err) {
      kek.fill(0);
      throw err;
    }
    return ks;
  }

  static async load(path: string, passphrase: string): Promise<Keystore> {
    return Keystore.fromJSON(await readFile(path, 'utf8'), passphrase);
  }

  /** Writes atomically (temp file in the same directory, fsync, rename, fsync the directory) with mode 0600. */
  async save(path: string): Promise<void> {
    const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
    const data = `${JSON.stringify(this.toJSON(), null, 2)}\n`;
    // A first save creates its folder, readable by the owner only (it holds encrypted private keys).
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    try {
      const fh = await open(tmp, 'wx', 0o600);
      try {
        await fh.chmod(0o600); // the umask can only remove bits, but be explicit
        await fh.writeFile(data, 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    // Persist the rename itself; best effort (not every platform can fsync a directory).
    try {
      const dh = await open(dirname(path), 'r');
      try {
        await dh.sync();
      } finally {
        await dh.close();
      }
    } catch {
      /* ignore */
    }
  }

  toJSON(): KeystoreJson {
    const keys: Record<string, KeystoreEntryJson> = {};
    for (const name of this.names()) {
      const e = this.#entries.get(name) as Entry;
      keys[name] = { type: e.type, publicKey: toBase64(e.publicKey), ...sealedJson(e) };
    }
    return {
      format: KEYSTORE_FORMAT,
      kdf: { alg: 'scrypt', salt: toBase64(this.#kdf.salt), N: this.#kdf.N, r: this.#kdf.r, p: this.#kdf.p },
      check: sealedJson(this.#check),
      keys,
    };
  }

  /** Adds an Ed25519 key (generated when no seed is given) and returns its raw public key. */
  addEd25519(name: string, seed?: Uint8Array): Buffer {
    if (seed) return this.#add(name, 'ed25519', seed);
    const generated = generateEd25519().privateKey;
    try {
      return this.#add(name, 'ed25519', generated);
    } finally {
      generated.fill(0);
    }
  }

  /** Adds an X25519 key (generated when no private key is given) and returns its raw public key. */
  addX25519(name: string, privateKey?: Uint8Array): Buffer {
    if (privateKey) return this.#add(name, 'x25519', privateKey);
    const generated = generateX25519().privateKey;
    try {
      return this.#add(name, 'x25519', generated);
    } finally {
      generated.fill(0);
    }
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** Entry names, sorted. */
  names(): string[] {
    return [...this.#entries.keys()].sort();
  }

  type(name: string): KeystoreKeyType {
    return this.#entry(name).type;
  }

  publicKey(name: string): Buffer {
    return Buffer.from(this.#entry(name).publicKey);
  }

  signer(name: string): Ed25519Signer {
    this.#expectType(name, 'ed25519');
    const seed = this.#decrypt(name);
    try {
      return new Ed25519Signer(seed);
    } finally {
      seed.fill(0);
    }
  }

  /** The raw Ed25519 seed (for signing on a worker thread); the caller owns (and should wipe) the returned buffer. */
  ed25519Seed(name: string): Buffer {
    this.#expectType(name, 'ed25519');
    return this.#decrypt(name);
  }

  /** The raw X25519 private key; the caller owns (and should wipe) the returned buffer. */
  x25519PrivateKey(name: string): Buffer {
    this.#expectType(name, 'x25519');
    return this.#decrypt(name);
  }

  #add(name: string, type: KeystoreKeyType, priv: Uint8Array): Buffer {
    if (!isValidName(name)) throw new KeystoreError('INVALID_ARGUMENT', 'keystore: key name must be 1-256 characters without control characters');
    if (this.#entries.has(name)) throw new KeystoreError('KEY_EXISTS', `keystore: a key named "${name}" already exists`);
    if (!(priv instanceof Uint8Array) || priv.length !== 32) throw new KeystoreError('INVALID_ARGUMENT', `keystore: ${type} private key must be 32 bytes`);
    const publicKey = publicFromPrivate(type, priv);
    this.#entries.set(name, { type, publicKey, ...aes256GcmEncrypt(this.#kek, priv, utf8(name)) });
    return Buffer.from(publicKey);
  }

  #entry(name: string): Entry {
    const e = this.#entries.get(name);
    if (!e) throw new KeystoreError('KEY_NOT_FOUND', `keystore: no key named "${name}"`);
    return e;
  }

  #expectType(name: string, type: KeystoreKeyType): void {
    const actual = this.#entry(name).type;
    if (actual !== type) throw new KeystoreError('WRONG_KEY_TYPE', `keystore: key "${name}" is ${actual}, not ${type}`);
  }

  #decrypt(name: string): Buffer {
    const e = this.#entry(name);
    let priv: Buffer;
    try {
      priv = aes256GcmDecrypt(this.#kek, e, utf8(name));
    } catch {
      throw new KeystoreError('TAMPERED', `keystore: entry "${name}" failed authentication (tampered or moved ciphertext)`);
    }
    if (priv.length !== 32) throw new KeystoreError('TAMPERED', `keystore: entry "${name}" does not hold a 32-byte key`);
    return priv;
  }
}
