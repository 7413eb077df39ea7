/** Why the engine refused a transaction before ordering it (ledger-formats §2, plus contract checks). */
export type RefusalCode =
  | 'MALFORMED'
  | 'BAD_SIGNATURE'
  | 'UNKNOWN_SIGNER'
  | 'REPLAYED'
  | 'EXPIRED'
  | 'FUTURE_DATED'
  | 'UNKNOWN_CHANNEL'
  | 'UNKNOWN_CONTRACT'
  | 'CONTRACT_DISABLED'
  | 'UNKNOWN_METHOD'
  | 'INVALID_ARGS'
  | 'FORBIDDEN'
  | 'OVERLOADED'
  | 'UNAVAILABLE';

/** A transaction refused before ordering: it never reaches the log. */
export class TransactionRefused extends Error {
  override readonly name = 'TransactionRefused';
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
  }
}

/** Thrown by a contract to revert its transaction: it stays in the log as REVERTED with this reason. */
export class ContractError extends Error {
  override readonly name = 'ContractError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A ledger that does not verify, or an engine used against its invariants. */
export class LedgerError extends Error {
  override readonly name = 'LedgerError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
