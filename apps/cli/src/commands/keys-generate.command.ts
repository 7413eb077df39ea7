import { Option, type Command } from 'commander';
import { isValidKeyName, keyIdOf, verifierKey } from '@zizhu/chain';
import { KeystoreError, toBase64 } from '@zizhu/crypto';
import { out, type CliContext } from '../cli-context.js';
import { UsageError } from '../errors.js';
import { openOrCreateKeystore, scryptN, scryptNOption } from '../support.js';

interface KeysGenerateOptions {
  keystore: string;
  name: string;
  type: 'ed25519' | 'x25519';
  keyName?: string;
  scryptN?: string;
}

export interface GeneratedKey {
  name: string;
  type: 'ed25519' | 'x25519';
  /** base64 of the raw 32-byte public key. */
  publicKey: string;
  /** ledger-formats §2 key id (Ed25519 keys). */
  keyId?: string;
  /** C2SP verifier key, when a key name was given (Ed25519 keys). */
  verifierKey?: string;
}

/** `zizhu keys generate`: adds a key to a keystore, creating the keystore file if absent. */
export async function keysGenerate(ctx: CliContext, opts: KeysGenerateOptions): Promise<GeneratedKey> {
  if (opts.keyName !== undefined) {
    if (opts.type !== 'ed25519') throw new UsageError('--key-name needs an ed25519 key (checkpoint keys are Ed25519)');
    if (!isValidKeyName(opts.keyName)) throw new UsageError(`--key-name ${JSON.stringify(opts.keyName)} is not a valid C2SP key name (no spaces or "+")`);
  }
  const { keystore } = await openOrCreateKeystore(ctx, opts.keystore, scryptN(ctx, opts.scryptN));
  let publicKey: Buffer;
  try {
    publicKey = opts.type === 'ed25519' ? keystore.addEd25519(opts.name) : keystore.addX25519(opts.name);
  } catch (e) {
    if (e instanceof KeystoreError) throw new UsageError(`${opts.keystore}: ${e.message}`);
    throw e;
  }
  await keystore.save(opts.keystore);
  return {
    name: opts.name,
    type: opts.type,
    publicKey: toBase64(publicKey),
    ...(opts.type === 'ed25519' ? { keyId: keyIdOf(publicKey) } : {}),
    ...(opts.keyName !== undefined ? { verifierKey: verifierKey(opts.keyName, publicKey) } : {}),
  };
}

export function registerKeysGenerate(keys: Command, ctx: CliContext, action: (fn: () => Promise<number | void>) => Promise<void>): void {
  keys
    .command('generate')
    .description(`add a new key to a keystore (the file is created if absent; passphrase from $ZIZHU_KEYSTORE_PASSPHRASE)`)
    .requiredOption('--keystore <file>', 'keystore file')
    .requiredOption('--name <name>', 'keystore entry name, e.g. node or bank-a/admin')
    .addOption(new Option('--type <type>', 'key type').choices(['ed25519', 'x25519']).default('ed25519'))
    .option('--key-name <name>', 'C2SP key name: also print the key as a checkpoint verifier key')
    .addOption(scryptNOption())
    .action((opts: KeysGenerateOptions) =>
      action(async () => {
        out(ctx, JSON.stringify(await keysGenerate(ctx, opts), null, 2));
      }),
    );
}
