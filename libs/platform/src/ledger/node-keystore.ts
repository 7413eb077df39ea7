import type { Ed25519Signer, Keystore } from '@zizhu/crypto';

/**
 * The node's keystore (node key, organisations' CA and admin keys, users' and machines' signing
 * keys), with signers cached and additions saved to disk one at a time.
 */
export class NodeKeystore {
  private readonly signers = new Map<string, Ed25519Signer>();
  private readonly seeds = new Map<string, Buffer>();
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly keystore: Keystore,
    private readonly path: string,
  ) {}

  has(name: string): boolean {
    return this.keystore.has(name);
  }

  publicKey(name: string): Buffer {
    return this.keystore.publicKey(name);
  }

  signer(name: string): Ed25519Signer {
    return cached(this.signers, name, () => this.keystore.signer(name));
  }

  /** An Ed25519 key's seed, for a signer on a worker thread of this process (cached with the signers; not to be changed). */
  seed(name: string): Buffer {
    return cached(this.seeds, name, () => this.keystore.ed25519Seed(name));
  }

  /** Adds an Ed25519 key (or returns the existing one: a retried creation reuses it) and saves the keystore. */
  async ensureSigningKey(name: string): Promise<Buffer> {
    if (this.keystore.has(name)) return this.keystore.publicKey(name);
    const publicKey = this.keystore.addEd25519(name);
    const save = this.saving.then(() => this.keystore.save(this.path));
    this.saving = save.catch(() => undefined);
    await save;
    return publicKey;
  }
}

/** A bounded cache of values derived from keystore entries (entries never change under one name). */
function cached<T>(map: Map<string, T>, name: string, make: () => T): T {
  let value = map.get(name);
  if (value === undefined) {
    if (map.size >= 10_000) map.clear();
    value = make();
    map.set(name, value);
  }
  return value;
}
