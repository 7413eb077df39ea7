import { DEFAULT_CHAIN_CONFIG, PgLedgerStore, SignaturePool, genesisProposers, verifyChannel, type ChainConfig } from '@zizhu/chain';
import { CHANNELS, RecordFactory, benchConsortium, fillChannel, openChain, registerUsers } from './fixture.js';
import { CpuMeter, RssSampler, startCpuProfile, contended, waitForQuietMachine, assertDurable, createDatabase, describeMachine, forceGc, intListOption, intOption, log, round1, writeResult, benchDatabaseUrl, type BenchArgs } from './support.js';

export const description =
  'verifyChannel over a channel of N transactions filled through the engine (closed first): verified tx/s and peak RSS with a SignaturePool of 2, 1 and 0 (inline) workers; ' +
  'options --count (200,000) --pool-workers (2,1,0) --page-blocks (store default 200) --profile <path-prefix> ' +
  '--database <name> (verify a ledger kept by an earlier run with --keep instead of filling one: for A/B runs of two builds over the same ledger)';

export async function run(args: BenchArgs): Promise<void> {
  await assertDurable();
  const machine = await describeMachine();
  const count = intOption(args, 'count', 200_000);
  const poolWorkers = intListOption(args, 'pool-workers') ?? [2, 1, 0];
  const window = intOption(args, 'window', 20_000);
  const chunk = intOption(args, 'chunk', 5_000);
  const keys = intOption(args, 'keys', 300);
  const config: Partial<ChainConfig> = {};
  if (args.options.has('block-max-txs')) config.blockMaxTxs = intOption(args, 'block-max-txs', DEFAULT_CHAIN_CONFIG.blockMaxTxs);
  if (args.options.has('workers')) config.verifyWorkers = intOption(args, 'workers', DEFAULT_CHAIN_CONFIG.verifyWorkers);
  const channel = CHANNELS[0];
  /** PgLedgerStore's pageBlocks (blocks read per page while streaming; the store's default is 200). */
  const pageBlocks = args.options.has('page-blocks') ? intOption(args, 'page-blocks', 200) : undefined;

  const existing = args.options.get('database');
  const figures: Record<string, unknown> = {};
  let db: { url: string; drop(): Promise<void> };
  if (existing) {
    if (!/^[a-z0-9_]+$/.test(existing)) throw new Error(`--database ${existing}: a database name`);
    // Not ours: never dropped.
    db = { url: benchDatabaseUrl(existing), drop: async () => undefined };
    log(`verifying ${channel} of the existing database ${existing}`);
  } else {
    log(`generating the consortium and ${keys} user keys`);
    const consortium = await benchConsortium(keys);
    db = await createDatabase('zizhu_bench_verify', args.keep);
    figures.transactions = count;
    try {
      const chain = await openChain(db.url, consortium, config);
      try {
        await registerUsers(chain, consortium);
        log(`filling ${channel} with ${count.toLocaleString('en')} records through the engine`);
        const fill = await fillChannel(chain, new RecordFactory(consortium.users), channel, count, { window, chunk, progressEvery: Math.max(chunk, Math.round(count / 4 / chunk) * chunk) });
        if (fill.committed !== count) throw new Error(`fill: ${fill.committed} of ${count} committed; ${fill.firstError}`);
        figures.fill = { txPerSecIncludingSigning: Math.round(count / (fill.elapsedMs / 1000)), blocks: chain.head(channel).header.height };
      } finally {
        await chain.close();
      }
    } catch (e) {
      await db.drop();
      throw e;
    }
  }
  try {
    const runs: Record<string, unknown>[] = [];
    for (const workers of poolWorkers) {
      forceGc();
      const store = new PgLedgerStore({ connectionString: db.url, ...(pageBlocks ? { pageBlocks } : {}) });
      const pool = new SignaturePool(workers);
      try {
        const { consortiumId, proposers } = await genesisProposers(store);
        await waitForQuietMachine();
        log(`verifyChannel ${channel} with ${workers} signature worker(s)`);
        const rss = new RssSampler().start();
        const profile = args.options.get('profile');
        const stopProfile = profile ? await startCpuProfile(`${profile}-${workers}.cpuprofile`) : undefined;
        const cpu = new CpuMeter();
        const t0 = performance.now();
        const report = await verifyChannel(store, channel, { consortiumId, proposers, pool });
        const ms = performance.now() - t0;
        await stopProfile?.();
        const used = cpu.read();
        const maxRss = rss.stop();
        if (!report.ok || (!existing && report.transactions !== count)) throw new Error(`verify failed: ${JSON.stringify(report)}`);
        figures.transactions = report.transactions;
        const row = {
          poolWorkers: workers,
          txPerSec: Math.round(report.transactions / (ms / 1000)),
          elapsedS: round1(ms / 1000),
          blocks: report.blocks,
          maxRssMiB: maxRss,
          processCpuPct: used.processCpuPct,
          postgresCpuPct: used.postgresCpuPct,
          othersCpuPct: used.othersCpuPct,
          machineCpuPct: used.machineCpuPct,
          contended: contended(used),
        };
        log(`  ${row.txPerSec} tx/s (${row.elapsedS} s, max RSS ${maxRss} MiB, cpu node ${used.processCpuPct}% postgres ${used.postgresCpuPct}% others ${used.othersCpuPct}% machine ${used.machineCpuPct}%)`);
        runs.push(row);
      } finally {
        await pool.close();
        await store.close();
      }
    }
    figures.verify = runs;
  } finally {
    await db.drop();
  }
  await writeResult(
    existing ? 'ledger-verify.existing-database' : pageBlocks ? `ledger-verify.page-blocks-${pageBlocks}` : 'ledger-verify',
    {
      ledger: existing
        ? `channel ${channel} of the existing database ${existing} (kept by an earlier run)`
        : `one channel of ${count} notary.record transactions (~210 bytes of arguments, ${keys} user keys) committed through the engine with durable commits, then the engine closed`,
      verify: 'verifyChannel(store, channel, { pool: new SignaturePool(workers) }) on a fresh PgLedgerStore: every tx hash and signature, leaf, tree node, root, state root, block hash, link and checkpoint',
      poolWorkers,
      storePageBlocks: pageBlocks ?? 'default (200)',
      config,
      durability: 'fsync=on, synchronous_commit=on (checked)',
      targets: { txPerSecWith2Workers: 20_000 },
    },
    figures,
    machine,
  );
}
