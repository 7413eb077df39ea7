/**
 * One error class per concern, each with a machine-readable `code`. Kept free of node:* imports so the
 * portable noble.ts can throw the same classes as the node:crypto hot path.
 */

export type X25519ErrorCode = 'LOW_ORDER_POINT';
export class X25519Error extends Error {
  override readonly name = 'X25519Error';
  constructor(
    readonly code: X25519ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type AesGcmErrorCode = 'AUTH_FAILED';
export class AesGcmError extends Error {
  override readonly name = 'AesGcmError';
  constructor(
    readonly code: AesGcmErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type KeystoreErrorCode =
  | 'WRONG_PASSPHRASE'
  | 'TAMPERED'
  | 'INVALID_FORMAT'
  | 'INVALID_ARGUMENT'
  | 'KEY_EXISTS'
  | 'KEY_NOT_FOUND'
  | 'WRONG_KEY_TYPE';
export class KeystoreError extends Error {
  override readonly name = 'KeystoreError';
  constructor(
    readonly code: KeystoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type JweErrorCode = 'NO_RECIPIENTS' | 'INVALID_RECIPIENT' | 'NOT_A_RECIPIENT' | 'DECRYPTION_FAILED' | 'AAD_MISMATCH' | 'INVALID_JWE' | 'NOT_JSON';
export class JweError extends Error {
  override readonly name = 'JweError';
  constructor(
    readonly code: JweErrorCode,
    message: string,
  ) {
    super(message);
  }
}
