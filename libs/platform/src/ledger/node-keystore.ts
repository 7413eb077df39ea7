import type { Ed25519Signer, Keystore } from '@zizhu/crypto';

/**
 * The node's keystore (node key, organisations' CA and admin keys, users' and machines' signing
 * keys), with signers cached and additions saved to disk one at a time.
 */
export class NodeKeystore {
  private readonly signers = new Map<string, Ed25519Signer>();
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
    let s = this.signers.get(name);
    if (!s) {
      if (this.signers.size >= 10_000) this.signers.clear();
      s = this.keystore.signer(name);
      this.signers.set(name, s);
    }
    return s;
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
