import type { Readable } from 'node:stream';

/** Stored content, named by the SHA-256 (lowercase hex) of its bytes. */
export interface ContentRef {
  digest: string;
  size: number;
}

export interface PutOptions {
  /** Refuse (TOO_LARGE) after this many bytes; nothing of it stays stored. */
  maxBytes?: number;
  /** Refuse (DIGEST_MISMATCH) bytes whose SHA-256 is not this; nothing of it stays stored. */
  expectedDigest?: string;
}

export type ContentStoreErrorCode = 'TOO_LARGE' | 'DIGEST_MISMATCH' | 'NOT_FOUND' | 'INVALID_DIGEST';

export class ContentStoreError extends Error {
  override readonly name = 'ContentStoreError';
  constructor(
    readonly code: ContentStoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Content-addressed storage for documents too large (or too erasable) for the chain, which keeps
 * their digest (ARCHITECTURE §3). Written content is immutable, and there is no delete: custody
 * means the original stays retrievable. What a module stores is usually ciphertext (a JWE).
 */
export interface ContentStore {
  /** Stores the stream's bytes once (a second put of the same bytes is a no-op) and names them. */
  put(source: Readable | AsyncIterable<Uint8Array>, options?: PutOptions): Promise<ContentRef>;
  /** The bytes; ContentStoreError NOT_FOUND when absent. */
  get(digest: string): Promise<Readable>;
  has(digest: string): Promise<boolean>;
  /** Digest and size, or undefined when absent. */
  stat(digest: string): Promise<ContentRef | undefined>;
}

/** Where the node's ContentStore is injected from. */
export const CONTENT_STORE = Symbol('CONTENT_STORE');

const DIGEST = /^[0-9a-f]{64}$/;

export function assertDigest(digest: string): void {
  if (typeof digest !== 'string' || !DIGEST.test(digest)) throw new ContentStoreError('INVALID_DIGEST', 'a content digest is 64 lowercase hex characters (SHA-256)');
}
