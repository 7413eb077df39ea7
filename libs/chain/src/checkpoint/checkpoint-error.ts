/** Why a note, key or checkpoint was refused; stable strings a caller can branch on or show. */
export type CheckpointErrorCode =
  /** Signed-note framing: UTF-8, control characters, the blank line, the shape of a signature line. */
  | 'MALFORMED_NOTE'
  /** A signature that is not base64 of a 4-byte key hash plus a signature of the right length. */
  | 'MALFORMED_SIGNATURE'
  /** Two signature lines for the same key name and key hash. */
  | 'DUPLICATE_SIGNATURE'
  | 'TOO_MANY_SIGNATURES'
  /** The note text is not exactly the five checkpoint lines of ledger-formats §5. */
  | 'MALFORMED_CHECKPOINT'
  /** A value handed to checkpointBody cannot be written as a checkpoint line. */
  | 'INVALID_FIELD'
  /** A key name or verifier key string that is malformed or whose key hash does not match. */
  | 'INVALID_KEY'
  /** A trusted key's signature line does not verify: the note is rejected as a whole. */
  | 'BAD_SIGNATURE'
  /** No signature from a trusted key. */
  | 'UNVERIFIED';

export class CheckpointError extends Error {
  constructor(
    readonly code: CheckpointErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CheckpointError';
  }
}
