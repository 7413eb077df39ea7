import { readFileSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Option } from 'commander';
import { keyIdOf, parseVerifierKey, PgLedgerStore } from '@zizhu/chain';
import { Keystore, KeystoreError } from '@zizhu/crypto';
import { validateGenesis, type GenesisDocument } from '@zizhu/contract-system';
import type { CliContext } from './cli-context.js';
import { UsageError } from './errors.js';

export const PASSPHRASE_ENV = 'ZIZHU_KEYSTORE_PASSPHRASE';
export const SCRYPT_N_ENV = 'ZIZHU_KEYSTORE_SCRYPT_N';
export const DATABASE_URL_ENV = 'DATABASE_URL';

/** Commander reducer for repeatable options (`--trust a --trust b`). */
export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** `--database-url <url>`, falling back to DATABASE_URL. */
export const databaseUrlOption = (readOnly = false) =>
  new Option('--database-url <url>', `PostgreSQL connection URL (default: $${DATABASE_URL_ENV}${readOnly ? ", else a running node's embedded PostgreSQL under $ZIZHU_HOME" : ''})`);

/** Hidden: the keystore's scrypt cost when a command creates one (tests lower it). */
export const scryptNOption = () => new Option('--scrypt-n <n>', 'scrypt cost of a new keystore (power of two)').hideHelp();

export const progressOption = () => new Option('--progress', 'show a progress bar on stderr even when it is not a terminal');

export function passphrase(ctx: CliContext): string {
  const value = ctx.env[PASSPHRASE_ENV];
  if (!value) throw new UsageError(`set ${PASSPHRASE_ENV} to the keystore passphrase (it is never read from the command line)`);
  return value;
}

/**
 * --database-url, else DATABASE_URL; for commands that only read (`readOnly`), else the embedded
 * PostgreSQL of a node running under ZIZHU_HOME (default .zizhu, as the node's), so that a node
 * started without DATABASE_URL can be verified with no URL to copy out of its files.
 */
export function databaseUrl(ctx: CliContext, flag: string | undefined, readOnly = false): string {
  const url = flag ?? ctx.env[DATABASE_URL_ENV] ?? (readOnly ? runningEmbeddedDatabase(ctx.env.ZIZHU_HOME || '.zizhu') : undefined);
  if (!url) {
    const embedded = readOnly ? ', or run it next to a node using its embedded PostgreSQL (ZIZHU_HOME)' : '';
    throw new UsageError(`no database: give --database-url or set ${DATABASE_URL_ENV}${embedded}`);
  }
  if (!/^postgres(ql)?:\/\//.test(url)) throw new UsageError('the database URL must start with postgres:// or postgresql://');
  return url;
}

/**
 * The URL of the embedded PostgreSQL a running node keeps under `home` (its postgres.json: port,
 * password and the pid of the node that owns the server; see libs/platform's resolve-database), or
 * undefined when there is none or its owner is gone (the server stops with it).
 */
function runningEmbeddedDatabase(home: string): string | undefined {
  let state: { port?: unknown; password?: unknown; ownerPid?: unknown };
  try {
    state = JSON.parse(readFileSync(join(home, 'postgres.json'), 'utf8')) as typeof state;
  } catch {
    return undefined;
  }
  const { port, password, ownerPid } = state;
  if (!Number.isInteger(port) || typeof password !== 'string' || !Number.isInteger(ownerPid)) return undefined;
  try {
    process.kill(ownerPid as number, 0);
  } catch (e) {
    // EPERM: alive, someone else's process.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port as number}/zizhu`;
}

/** The scrypt cost for a new keystore: --scrypt-n, else ZIZHU_KEYSTORE_SCRYPT_N, else the keystore default. */
export function scryptN(ctx: CliContext, flag: string | undefined): number | undefined {
  const raw = flag ?? ctx.env[SCRYPT_N_ENV];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 2 || n > 2 ** 20 || (n & (n - 1)) !== 0) {
    throw new UsageError(`the scrypt cost must be a power of two between 2 and 2^20, not ${JSON.stringify(raw)}`);
  }
  return n;
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new UsageError(code === 'ENOENT' ? `${what} ${path} does not exist` : `cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}

export async function readJson(path: string, what: string): Promise<unknown> {
  const text = await readText(path, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`${what} ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

export async function readStdin(ctx: CliContext): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Opens an existing keystore; a missing file or a wrong passphrase is the caller's mistake. */
export async function loadKeystore(ctx: CliContext, path: string): Promise<Keystore> {
  const pass = passphrase(ctx);
  const text = await readText(path, 'keystore');
  try {
    return await Keystore.fromJSON(text, pass);
  } catch (e) {
    if (e instanceof KeystoreError) throw new UsageError(`${path}: ${e.message}`);
    throw e;
  }
}

/** Opens the keystore at `path`, or creates an empty one (not yet saved) when there is none. */
export async function openOrCreateKeystore(ctx: CliContext, path: string, n: number | undefined): Promise<{ keystore: Keystore; created: boolean }> {
  if (await exists(path)) return { keystore: await loadKeystore(ctx, path), created: false };
  return { keystore: await Keystore.create(passphrase(ctx), { N: n }), created: true };
}

export async function readGenesis(path: string): Promise<GenesisDocument> {
  const doc = (await readJson(path, 'genesis file')) as GenesisDocument;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new UsageError(`genesis file ${path} is not a JSON object`);
  validateGenesis(doc);
  return doc;
}

export type Proposers = Map<string, { name: string; publicKey: Buffer }>;

/** `--trust` verifier keys as verifyChannel's proposers (keyId → C2SP name and raw key). */
export function proposersFromVerifierKeys(vkeys: readonly string[]): Proposers {
  const proposers: Proposers = new Map();
  for (const vkey of vkeys) {
    let parsed;
    try {
      parsed = parseVerifierKey(vkey);
    } catch (e) {
      throw new UsageError(`--trust ${JSON.stringify(vkey)}: ${(e as Error).message}`);
    }
    proposers.set(keyIdOf(parsed.publicKey), { name: parsed.name, publicKey: parsed.publicKey });
  }
  return proposers;
}

/** Verifier keys for offline checks; a malformed one is a usage error naming the flag. */
export function trustedKeys(vkeys: readonly string[], flag: string): string[] {
  for (const vkey of vkeys) {
    try {
      parseVerifierKey(vkey);
    } catch (e) {
      throw new UsageError(`${flag} ${JSON.stringify(vkey)}: ${(e as Error).message}`);
    }
  }
  return [...vkeys];
}

/** A read-only view of a ledger database (no migration: verification never writes). */
export const openStore = (url: string): PgLedgerStore => new PgLedgerStore({ connectionString: url, poolSize: 4 });

/** Fails early with a clear message when the database is unreachable or holds no ledger. */
export async function ledgerChannels(store: PgLedgerStore): Promise<string[]> {
  const names = await store.channels();
  if (!names.includes('system')) throw new UsageError('the database holds no Zizhu ledger (no system channel; run `zizhu ledger init` first)');
  // The system channel first: it authorises everything else.
  return ['system', ...names.filter((n) => n !== 'system')];
}

export const seconds = (ms: number): string => (ms / 1000).toFixed(2);
export const rate = (count: number, ms: number): string => (ms > 0 ? Math.round((count * 1000) / ms).toString() : '-');
