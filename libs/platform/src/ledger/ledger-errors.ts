import { LedgerError, TransactionRefused, type RefusalCode, type TxReceipt } from '@zizhu/chain';
import { AppError, type ErrorCode } from '../graphql/errors.js';

const REFUSAL_CODES: Record<RefusalCode, ErrorCode> = {
  MALFORMED: 'BAD_USER_INPUT',
  INVALID_ARGS: 'BAD_USER_INPUT',
  EXPIRED: 'BAD_USER_INPUT',
  FUTURE_DATED: 'BAD_USER_INPUT',
  UNKNOWN_CHANNEL: 'BAD_USER_INPUT',
  UNKNOWN_CONTRACT: 'BAD_USER_INPUT',
  UNKNOWN_METHOD: 'BAD_USER_INPUT',
  CONTRACT_DISABLED: 'BAD_USER_INPUT',
  // The signature does not verify: the request is wrong, not the caller's rights.
  BAD_SIGNATURE: 'BAD_USER_INPUT',
  // The key is not an active key of a channel member: a question of rights.
  UNKNOWN_SIGNER: 'FORBIDDEN',
  FORBIDDEN: 'FORBIDDEN',
  REPLAYED: 'CONFLICT',
  OVERLOADED: 'RATE_LIMITED',
  UNAVAILABLE: 'UNAVAILABLE',
};

const LEDGER_CODES: Record<string, ErrorCode> = {
  NOT_FOUND: 'NOT_FOUND',
  BAD_TREE_SIZE: 'BAD_USER_INPUT',
  UNKNOWN_CHANNEL: 'BAD_USER_INPUT',
  COMMIT_UNCERTAIN: 'UNAVAILABLE',
  LEASE_HELD: 'UNAVAILABLE',
};

/** The engine's errors as the node reports them (reason = the engine's code); undefined for a bug. */
export function ledgerErrorToAppError(e: unknown): AppError | undefined {
  if (e instanceof TransactionRefused) return new AppError(REFUSAL_CODES[e.code] ?? 'BAD_USER_INPUT', e.message, e.code);
  if (e instanceof LedgerError && LEDGER_CODES[e.code]) return new AppError(LEDGER_CODES[e.code], e.message, e.code);
  return undefined;
}

/** Rethrows an engine error as an AppError, anything else unchanged. */
export function rethrowLedgerError(e: unknown): never {
  throw ledgerErrorToAppError(e) ?? e;
}

/** A REVERTED transaction (it stays in the log with its reason) answers CONFLICT with the contract's reason. */
export function committed(receipt: TxReceipt): TxReceipt {
  if (receipt.status !== 'COMMITTED') throw new AppError('CONFLICT', receipt.error?.message ?? `transaction ${receipt.hash} was ${receipt.status}`, receipt.error?.code ?? receipt.status);
  return receipt;
}
