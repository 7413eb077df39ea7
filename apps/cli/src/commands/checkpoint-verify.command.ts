import type { Command } from 'commander';
import { verifyCheckpoint } from '@zizhu/chain';
import { toBase64 } from '@zizhu/crypto';
import { EXIT_OK, EXIT_VERIFY_FAILED, out, type CliContext } from '../cli-context.js';
import { UsageError } from '../errors.js';
import { collect, readStdin, readText, trustedKeys } from '../support.js';

interface CheckpointVerifyOptions {
  key: string[];
}

/** `zizhu checkpoint verify <file|->`: a C2SP signed checkpoint note against trusted verifier keys. */
export async function checkpointVerify(ctx: CliContext, file: string, opts: CheckpointVerifyOptions): Promise<number> {
  const keys = trustedKeys(opts.key ?? [], '--key');
  if (keys.length === 0) throw new UsageError('give --key <verifier key>');
  const note = file === '-' ? await readStdin(ctx) : await readText(file, 'checkpoint file');
  let result;
  try {
    result = verifyCheckpoint(note, keys);
  } catch (e) {
    out(ctx, `checkpoint verify: REJECTED: ${(e as Error).message}`);
    return EXIT_VERIFY_FAILED;
  }
  const cp = result.checkpoint;
  out(ctx, `checkpoint OK: signed by ${result.verifiedBy.join(', ')}`);
  out(ctx, `origin      ${cp.origin}`);
  out(ctx, `tree size   ${cp.treeSize}`);
  out(ctx, `root        ${toBase64(cp.root)} (hex ${cp.root.toString('hex')})`);
  out(ctx, `height      ${cp.height}`);
  out(ctx, `block hash  ${cp.blockHash}`);
  const date = new Date(cp.time);
  out(ctx, `time        ${cp.time}${Number.isNaN(date.getTime()) ? '' : ` (${date.toISOString()})`}`);
  return EXIT_OK;
}

export function registerCheckpointVerify(checkpoint: Command, ctx: CliContext, action: (fn: () => Promise<number | void>) => Promise<void>): void {
  checkpoint
    .command('verify')
    .description('verify a signed checkpoint (C2SP signed note) and print what it commits to')
    .argument('<file>', 'checkpoint note file, or - for stdin')
    .requiredOption('--key <vkey>', 'a trusted verifier key, name+hash+base64 (repeatable)', collect)
    .action((file: string, opts: CheckpointVerifyOptions) => action(() => checkpointVerify(ctx, file, opts)));
}
