import type { Command } from 'commander';
import { replayChannel, type ReplayReport } from '@zizhu/chain';
import { SystemDirectory } from '@zizhu/contract-system';
import { EXIT_OK, EXIT_VERIFY_FAILED, out, type CliContext } from '../cli-context.js';
import { UsageError, isEnvironmentError } from '../errors.js';
import { createProgress } from '../progress.js';
import { registeredContracts } from '../registry.js';
import { databaseUrl, databaseUrlOption, ledgerChannels, openStore, progressOption, rate, seconds } from '../support.js';

interface LedgerReplayOptions {
  channel?: string;
  databaseUrl?: string;
  progress?: boolean;
}

/**
 * `zizhu ledger replay`: re-executes a channel's logged transactions from genesis with this build's
 * contracts and compares results, writes and state roots with the log.
 */
export async function ledgerReplay(ctx: CliContext, opts: LedgerReplayOptions): Promise<number> {
  const store = openStore(databaseUrl(ctx, opts.databaseUrl, true));
  const progress = createProgress(ctx, opts.progress);
  try {
    const all = await ledgerChannels(store);
    if (opts.channel !== undefined && !all.includes(opts.channel)) throw new UsageError(`the ledger has no channel ${opts.channel} (channels: ${all.join(', ')})`);
    const channels = opts.channel !== undefined ? [opts.channel] : all;
    const failed: ReplayReport[] = [];
    for (const channel of channels) {
      const head = await store.head(channel);
      progress.start(`replay ${channel}`, head ? head.header.height + 1 : 0);
      const started = performance.now();
      let report: ReplayReport;
      try {
        report = await replayChannel(store, channel, { contracts: registeredContracts(), directory: new SystemDirectory(), onProgress: (h) => progress.update(h + 1) });
      } catch (e) {
        if (isEnvironmentError(e)) throw e;
        // A log the contracts cannot even execute (a corrupt system block, say) is a failed replay.
        report = { channel, blocks: 0, transactions: 0, ok: false, stateEntries: 0, stateDigest: '', mismatch: { height: -1, reason: (e as Error).message } };
      } finally {
        progress.stop();
      }
      const ms = performance.now() - started;
      if (report.ok) {
        out(ctx, `channel ${channel}: ${report.blocks} blocks, ${report.transactions} transactions replayed in ${seconds(ms)} s (${rate(report.transactions, ms)} tx/s), ${report.stateEntries} state entries, state digest ${report.stateDigest}`);
      } else {
        out(ctx, `channel ${channel}: FAILED after ${report.blocks} matching blocks`);
        failed.push(report);
      }
    }
    for (const r of failed) {
      const where = r.mismatch && r.mismatch.height >= 0 ? ` block ${r.mismatch.height}` : '';
      out(ctx, `ledger replay: channel ${r.channel}${where}: ${r.mismatch?.reason ?? 'does not replay'}`);
    }
    if (failed.length > 0) return EXIT_VERIFY_FAILED;
    out(ctx, `ledger replay: OK (${channels.length} channel${channels.length === 1 ? '' : 's'})`);
    return EXIT_OK;
  } finally {
    progress.stop();
    await store.close();
  }
}

export function registerLedgerReplay(ledger: Command, ctx: CliContext, action: (fn: () => Promise<number | void>) => Promise<void>): void {
  ledger
    .command('replay')
    .description('rebuild a channel\'s state by re-executing its log with the contracts, comparing every block')
    .option('--channel <name>', 'the channel to replay (default: every channel)')
    .addOption(databaseUrlOption(true))
    .addOption(progressOption())
    .action((opts: LedgerReplayOptions) => action(() => ledgerReplay(ctx, opts)));
}
