import { DEFAULT_CHAIN_CONFIG, type ChainConfig, type SignedTransaction } from '@zizhu/chain';
import { CHANNELS, RecordFactory, benchConsortium, newTimings, openChain, preSign, registerUsers } from './fixture.js';
import { CpuMeter, RssSampler, startCpuProfile, contended, waitForQuietMachine, assertDurable, createDatabase, describeMachine, intOption, log, round1, summarize, writeResult, type BenchArgs } from './support.js';

export const description =
  'Submit→durable-commit latency under a steady offered load (a timer releases pre-signed transactions every 5 ms) on one channel; ' +
  'options --rate (2000 tx/s) --seconds (20) --warmup-seconds (2) --tick-ms (5) --block-max-txs --workers --profile <file>';

export async function run(args: BenchArgs): Promise<void> {
  await assertDurable();
  const machine = await describeMachine();
  const rate = intOption(args, 'rate', 2000);
  const seconds = intOption(args, 'seconds', 20);
  const warmupSeconds = intOption(args, 'warmup-seconds', 2);
  const tickMs = intOption(args, 'tick-ms', 5);
  const keys = intOption(args, 'keys', 300);
  const config: Partial<ChainConfig> = {};
  if (args.options.has('block-max-txs')) config.blockMaxTxs = intOption(args, 'block-max-txs', DEFAULT_CHAIN_CONFIG.blockMaxTxs);
  if (args.options.has('workers')) config.verifyWorkers = intOption(args, 'workers', DEFAULT_CHAIN_CONFIG.verifyWorkers);
  const channel = CHANNELS[0];

  log(`generating the consortium and ${keys} user keys`);
  const consortium = await benchConsortium(keys);
  const db = await createDatabase('zizhu_bench_latency', args.keep);
  const timings = newTimings();
  const chain = await openChain(db.url, consortium, config, { timings });
  let figures: Record<string, unknown>;
  try {
    await registerUsers(chain, consortium);
    const warmCount = Math.round(rate * warmupSeconds);
    const count = Math.round(rate * seconds);
    const factory = new RecordFactory(consortium.users);
    log(`pre-signing ${warmCount + count} transactions`);
    const txs: (SignedTransaction | undefined)[] = preSign(factory, [channel], warmCount + count);

    await waitForQuietMachine();
    log(`offering ${rate} tx/s for ${warmupSeconds} s warm-up + ${seconds} s measured (a batch every ${tickMs} ms)`);
    const latencies = new Float64Array(count);
    let measuredDone = 0;
    let failures = 0;
    let firstError: string | undefined;
    let lastResolveAt = 0;
    let firstMeasuredAt = 0;
    let blocks = 0;
    let blockTxs = 0;
    let measuring = false;
    let maxPending = 0;
    chain.on('block', (b) => {
      if (!measuring || b.channel !== channel) return;
      blocks++;
      blockTxs += b.receipts.length;
    });
    const profile = args.options.get('profile');
    const stopProfile = profile ? await startCpuProfile(profile) : undefined;
    const rss = new RssSampler().start();
    let cpu: CpuMeter | undefined;
    // Per measured second: transactions resolved and their worst latency (to show stalls).
    const perSecond: { done: number; maxMs: number }[] = [];
    let commitsBefore = 0;
    let readsBefore = 0;

    await new Promise<void>((resolve) => {
      let released = 0;
      let outstanding = 0;
      const total = warmCount + count;
      const start = performance.now();
      const submitOne = (i: number) => {
        const tx = txs[i]!;
        txs[i] = undefined;
        const measured = i >= warmCount;
        const at = performance.now();
        if (measured && i === warmCount) {
          firstMeasuredAt = at;
          measuring = true;
          commitsBefore = timings.commit.length;
          readsBefore = timings.read.length;
          cpu = new CpuMeter();
        }
        outstanding++;
        chain.submit(tx).then(
          () => {
            const now = performance.now();
            if (measured) {
              latencies[i - warmCount] = now - at;
              measuredDone++;
              lastResolveAt = now;
              const sec = Math.floor((now - firstMeasuredAt) / 1000);
              const slot = (perSecond[sec] ??= { done: 0, maxMs: 0 });
              slot.done++;
              slot.maxMs = Math.max(slot.maxMs, Math.round(now - at));
            }
          },
          (e: Error) => {
            failures++;
            firstError ??= e.message;
            if (measured) {
              latencies[i - warmCount] = NaN;
              measuredDone++;
            }
          },
        ).finally(() => {
          outstanding--;
          if (released === total && outstanding === 0) resolve();
        });
      };
      const timer = setInterval(() => {
        // Release what is due by now, so timer jitter does not lower the offered rate.
        const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000));
        while (released < due) submitOne(released++);
        maxPending = Math.max(maxPending, chain.pendingTransactions(channel));
        if (released === total) clearInterval(timer);
      }, tickMs);
    });
    const used = cpu!.read();
    const maxRss = rss.stop();
    await stopProfile?.();
    const ok = Array.from(latencies).filter((x) => !Number.isNaN(x));
    const s = summarize(ok);
    const achieved = Math.round(ok.length / ((lastResolveAt - firstMeasuredAt) / 1000));
    figures = {
      offeredTxPerSec: rate,
      achievedTxPerSec: achieved,
      measured: count,
      failures,
      ...(firstError ? { firstError } : {}),
      latencyMs: { p50: s.p50, p90: s.p90, p99: s.p99, max: s.max, mean: s.mean },
      blocks,
      meanTxsPerBlock: round1(blocks ? blockTxs / blocks : 0),
      maxPendingInOrderer: maxPending,
      blockCommitMs: (({ p50, p99, max }) => ({ p50, p99, max }))(summarize(timings.commit.slice(commitsBefore))),
      blockStateReadMs: (({ p50, p99, max }) => ({ p50, p99, max }))(summarize(timings.read.slice(readsBefore))),
      perSecond: Array.from(perSecond, (x) => x ?? { done: 0, maxMs: 0 }),
      maxRssMiB: maxRss,
      processCpuPct: used.processCpuPct,
      postgresCpuPct: used.postgresCpuPct,
      othersCpuPct: used.othersCpuPct,
      machineCpuPct: used.machineCpuPct,
      contended: contended(used),
      blockMaxTxs: chain.config.blockMaxTxs,
      blockMaxWaitMs: chain.config.blockMaxWaitMs,
      verifyWorkers: chain.config.verifyWorkers,
    };
    void measuredDone;
  } finally {
    await chain.close();
    await db.drop();
  }
  await writeResult(
    'chain-latency',
    {
      transactions: `notary.record, ~210 bytes of arguments, ${keys} registered user keys round-robin, PRE-SIGNED before the timed span`,
      loadGenerator: `same process as the engine; a ${tickMs} ms timer releases every transaction due by then (steady offered rate, not closed-loop)`,
      channel: '1 channel',
      rate,
      seconds,
      warmupSeconds,
      latency: 'from the submit() call to its promise resolving (after the block\'s durable COMMIT)',
      config,
      durability: 'fsync=on, synchronous_commit=on (checked)',
      targets: { p50Ms: 50, p99Ms: 250 },
    },
    figures,
    machine,
  );
}
