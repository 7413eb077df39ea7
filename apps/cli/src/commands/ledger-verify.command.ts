import { availableParallelism } from 'node:os';
import { Option, type Command } from 'commander';
import { SignaturePool, genesisProposers, keyIdOf, verifyChannel, type VerifyReport } from '@zizhu/chain';
import { fromBase64 } from '@zizhu/crypto';
import { EXIT_OK, EXIT_VERIFY_FAILED, out, type CliContext } from '../cli-context.js';
import { UsageError } from '../errors.js';
import { createProgress } from '../progress.js';
import {
  collect,
  databaseUrl,
  databaseUrlOption,
  ledgerChannels,
  openStore,
  progressOption,
  proposersFromVerifierKeys,
  rate,
  readGenesis,
  seconds,
  type Proposers,
} from '../support.js';

interface LedgerVerifyOptions {
  channel?: string;
  databaseUrl?: string;
  trust?: string[];
  genesis?: string;
  progress?: boolean;
  workers: string;
}

/**
 * `zizhu ledger verify`: recomputes every channel (or one) from its stored rows. Trust comes from
 * `--trust` verifier keys, else the nodes of a `--genesis` file, else the ledger's own genesis block.
 */
export async function ledgerVerify(ctx: CliContext, opts: LedgerVerifyOptions): Promise<number> {
  const workers = Number(opts.workers);
  if (!Number.isSafeInteger(workers) || workers < 0 || workers > 64) throw new UsageError('--workers must be an integer between 0 and 64');
  let trusted: Proposers | undefined = opts.trust && opts.trust.length > 0 ? proposersFromVerifierKeys(opts.trust) : undefined;
  let consortiumId: string | undefined;
  if (opts.genesis) {
    const genesis = await readGenesis(opts.genesis);
    consortiumId = genesis.consortium;
    trusted ??= new Map(genesis.nodes.map((n) => [keyIdOf(fromBase64(n.publicKey)), { name: n.name, publicKey: fromBase64(n.publicKey) }]));
  }
  const url = databaseUrl(ctx, opts.databaseUrl, true);
  const store = openStore(url);
  const pool = new SignaturePool(workers);
  const progress = createProgress(ctx, opts.progress);
  try {
    const all = await ledgerChannels(store);
    if (opts.channel !== undefined && !all.includes(opts.channel)) throw new UsageError(`the ledger has no channel ${opts.channel} (channels: ${all.join(', ')})`);
    const channels = opts.channel !== undefined ? [opts.channel] : all;

    const reports: VerifyReport[] = [];
    let fromLedger: Awaited<ReturnType<typeof genesisProposers>> | undefined;
    try {
      fromLedger = await genesisProposers(store);
    } catch (e) {
      // The genesis block itself is unreadable: the system channel fails at height 0.
      if (!trusted || consortiumId === undefined) {
        reports.push({ channel: 'system', blocks: 0, transactions: 0, ok: false, problem: { height: 0, reason: `genesis is unreadable: ${(e as Error).message}` } });
      }
    }
    if (reports.length === 0) {
      const proposers = trusted ?? fromLedger!.proposers;
      const consortium = consortiumId ?? fromLedger!.consortiumId;
      for (const channel of channels) {
        const head = await store.head(channel);
        progress.start(`verify ${channel}`, head ? head.header.height + 1 : 0);
        const started = performance.now();
        let report: VerifyReport;
        try {
          report = await verifyChannel(store, channel, { consortiumId: consortium, proposers, pool, onProgress: (h) => progress.update(h + 1) });
        } finally {
          progress.stop();
        }
        const ms = performance.now() - started;
        reports.push(report);
        if (report.ok) {
          out(ctx, `channel ${channel}: ${report.blocks} blocks, ${report.transactions} transactions verified in ${seconds(ms)} s (${rate(report.transactions, ms)} tx/s)`);
        } else {
          out(ctx, `channel ${channel}: FAILED after ${report.blocks} good blocks`);
        }
      }
    }
    const failed = reports.filter((r) => !r.ok);
    for (const r of failed) out(ctx, `ledger verify: channel ${r.channel} block ${r.problem?.height ?? '?'}: ${r.problem?.reason ?? 'does not verify'}`);
    if (failed.length > 0) return EXIT_VERIFY_FAILED;
    out(ctx, `ledger verify: OK (${reports.length} channel${reports.length === 1 ? '' : 's'}, ${reports.reduce((n, r) => n + r.blocks, 0)} blocks, ${reports.reduce((n, r) => n + r.transactions, 0)} transactions)`);
    return EXIT_OK;
  } finally {
    progress.stop();
    await pool.close();
    await store.close();
  }
}

export function registerLedgerVerify(ledger: Command, ctx: CliContext, action: (fn: () => Promise<number | void>) => Promise<void>): void {
  ledger
    .command('verify')
    .description('recompute every transaction, leaf, tree node, root, state root, block hash and checkpoint signature from the database')
    .option('--channel <name>', 'verify only this channel')
    .addOption(databaseUrlOption(true))
    .option('--trust <vkey>', 'trust only this node verifier key (repeatable); default: the nodes named by the ledger\'s genesis', collect)
    .option('--genesis <file>', 'take the trusted nodes and consortium id from this genesis file instead of the database')
    .addOption(progressOption())
    // One per core: signatures are most of the work, and the reading thread mostly waits on them.
    .addOption(new Option('--workers <n>', 'worker threads verifying signatures (0: on the main thread)').default(String(availableParallelism())))
    .action((opts: LedgerVerifyOptions) => action(() => ledgerVerify(ctx, opts)));
}
