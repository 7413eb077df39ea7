import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AesGcmError } from './errors.js';

/** AES-256-GCM on node:crypto with a fresh random 96-bit IV per message and the full 128-bit tag. */

export interface AesGcmSealed {
  /** 12-byte random IV. */
  iv: Buffer;
  ciphertext: Buffer;
  /** 16-byte authentication tag. */
  tag: Buffer;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

function checkKey(key: Uint8Array): void {
  if (key.length !== 32) throw new TypeError('AES-256-GCM key must be 32 bytes');
}

export function aes256GcmEncrypt(key: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): AesGcmSealed {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  if (aad) cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

/** Decrypts and authenticates; throws AesGcmError('AUTH_FAILED') on a wrong key, wrong AAD or any tampering. */
export function aes256GcmDecrypt(key: Uint8Array, sealed: { iv: Uint8Array; ciphertext: Uint8Array; tag: Uint8Array }, aad?: Uint8Array): Buffer {
  checkKey(key);
  if (sealed.iv.length !== IV_BYTES) throw new TypeError('AES-256-GCM IV must be 12 bytes');
  // A short tag would be accepted by OpenSSL as a truncated tag; insist on all 16 bytes.
  if (sealed.tag.length !== TAG_BYTES) throw new TypeError('AES-256-GCM tag must be 16 bytes');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(sealed.tag);
  if (aad) decipher.setAAD(aad);
  const head = decipher.update(sealed.ciphertext);
  try {
    return Buffer.concat([head, decipher.final()]);
  } catch {
    head.fill(0); // unauthenticated plaintext must not escape
    throw new AesGcmError('AUTH_FAILED', 'AES-256-GCM authentication failed: wrong key, wrong associated data, or tampered ciphertext/tag');
  }
}
