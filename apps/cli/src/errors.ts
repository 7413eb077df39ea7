import { CheckpointError, LedgerError } from '@zizhu/chain';
import { KeystoreError } from '@zizhu/crypto';
import { GenesisError } from '@zizhu/contract-system';

/** A mistake of the caller (bad flag, missing file, wrong passphrase, unreachable database): exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** SQLSTATEs and errno codes worth a plainer sentence than the driver's. */
const PG_HINTS: Record<string, string> = {
  '42P01': 'the database holds no Zizhu ledger (run `zizhu ledger init` first)',
  '3D000': 'the database does not exist',
  '28P01': 'the database refused the password',
  '28000': 'the database refused the connection (authentication)',
};

function errnoCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * One line for an error that is not a verification result: what went wrong, for a person, with no
 * stack. Database and network errors say where they come from.
 */
export function describeError(e: unknown): string {
  if (e instanceof UsageError) return e.message;
  if (e instanceof KeystoreError) return e.message;
  if (e instanceof GenesisError) return `genesis: ${e.message}`;
  if (e instanceof CheckpointError) return e.message;
  if (e instanceof LedgerError) return e.message;
  if (e instanceof AggregateError) {
    // Node's connect() to "localhost" tries every address and reports them together.
    const first = e.errors[0] as unknown;
    return first === undefined ? e.message || 'unknown error' : describeError(first);
  }
  const code = errnoCode(e);
  const message = e instanceof Error ? e.message : String(e);
  if (code && /^E[A-Z]+$/.test(code)) {
    if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN'].includes(code)) {
      return `cannot reach the database: ${message}`;
    }
    return message;
  }
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    const hint = PG_HINTS[code];
    return hint ? `${hint} (${message})` : `database error: ${message}`;
  }
  return message || (e instanceof Error ? e.name : 'unknown error');
}

/** A database or operating-system error (SQLSTATE or errno code), as opposed to bad ledger data. */
export function isEnvironmentError(e: unknown): boolean {
  if (e instanceof AggregateError) return true;
  const code = errnoCode(e);
  return code !== undefined && (/^E[A-Z]+$/.test(code) || /^[0-9A-Z]{5}$/.test(code));
}
