import { Command, CommanderError } from 'commander';
import { EXIT_OK, EXIT_USAGE, err, type CliContext } from './cli-context.js';
import { describeError } from './errors.js';
import { registerCheckpointVerify } from './commands/checkpoint-verify.command.js';
import { registerEvidenceVerify } from './commands/evidence-verify.command.js';
import { registerGenesisCreate } from './commands/genesis-create.command.js';
import { registerKeysGenerate } from './commands/keys-generate.command.js';
import { registerLedgerInit } from './commands/ledger-init.command.js';
import { registerLedgerReplay } from './commands/ledger-replay.command.js';
import { registerLedgerVerify } from './commands/ledger-verify.command.js';
import { registerProofVerify } from './commands/proof-verify.command.js';

export const CLI_VERSION = '0.1.0';

/** The `zizhu` command tree. Actions record their exit code in `ctx.exitCode`. */
export function buildProgram(ctx: CliContext): Command {
  const action = async (fn: () => Promise<number | void>): Promise<void> => {
    try {
      ctx.exitCode = (await fn()) ?? EXIT_OK;
    } catch (e) {
      err(ctx, `zizhu: ${describeError(e)}`);
      if (ctx.env.ZIZHU_DEBUG && e instanceof Error && e.stack) err(ctx, e.stack);
      ctx.exitCode = EXIT_USAGE;
    }
  };

  const program = new Command('zizhu')
    .description('Zizhu consortium chain: keys, genesis, ledger verification and offline proof checks')
    .version(CLI_VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
      outputError: (s, write) => write(`zizhu: ${s.replace(/^error: /, '')}`),
    })
    .showSuggestionAfterError(true);

  const keys = program.command('keys').description('keystore keys');
  registerKeysGenerate(keys, ctx, action);
  const genesis = program.command('genesis').description('consortium genesis');
  registerGenesisCreate(genesis, ctx, action);
  const ledger = program.command('ledger').description('the ledger database: init, verify, replay');
  registerLedgerInit(ledger, ctx, action);
  registerLedgerVerify(ledger, ctx, action);
  registerLedgerReplay(ledger, ctx, action);
  const proof = program.command('proof').description('offline Merkle proofs');
  registerProofVerify(proof, ctx, action);
  const checkpoint = program.command('checkpoint').description('signed checkpoints (C2SP signed notes)');
  registerCheckpointVerify(checkpoint, ctx, action);
  const evidence = program.command('evidence').description('evidence certificates, verified offline');
  registerEvidenceVerify(evidence, ctx, action);
  return program;
}

/** Runs `zizhu` with user arguments (no node/script prefix) and returns the exit code. */
export async function runCli(args: string[], ctx: CliContext): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(args, { from: 'user' });
    return ctx.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; everything else commander refuses is a usage mistake.
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? EXIT_OK : EXIT_USAGE;
    }
    err(ctx, `zizhu: ${describeError(e)}`);
    return EXIT_USAGE;
  }
}
