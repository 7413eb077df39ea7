export { CheckpointError, type CheckpointErrorCode } from './checkpoint-error.js';
export {
  MAX_NOTE_SIGNATURES,
  type NoteSignature,
  type NoteSigner,
  type ParsedNote,
  type VerifiedNote,
  type VerifierKey,
  cosignNote,
  isValidKeyName,
  keyHash,
  parseNote,
  parseVerifierKey,
  signNote,
  verifierKey,
  verifyNote,
} from './signed-note.js';
export { type Checkpoint, type CheckpointFields, checkpointBody, parseCheckpoint, verifyCheckpoint } from './checkpoint.js';
