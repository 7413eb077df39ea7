import pg from 'pg';
import { DEFAULT_CHAIN_CONFIG, leafHash, verifyCheckpoint, verifyConsistency, verifyInclusion, type Chain, type ChainConfig, type BlockHeader } from '@zizhu/chain';
import { fromBase64 } from '@zizhu/crypto';
import { CHANNELS, RecordFactory, benchConsortium, fillChannel, openChain, registerUsers } from './fixture.js';
import { CpuMeter, RssSampler, contended, waitForQuietMachine, assertDurable, createDatabase, describeMachine, forceGc, intOption, log, round1, summarize, writeResult, type BenchArgs } from './support.js';

export const description =
  'Inclusion and consistency proofs on a channel filled with N leaves through the real engine (fill rate reported too), a sample verified against the signed checkpoint; ' +
  'options --leaves (1,000,000) --proofs (10,000) --concurrency (16) --verify-sample (500) --window --chunk';

const randInt = (lo: number, hi: number): number => lo + Math.floor(Math.random() * (hi - lo + 1));

async function timeSequential<T>(items: T[], one: (t: T) => Promise<unknown>): Promise<{ times: number[]; totalMs: number }> {
  const times = new Array<number>(items.length);
  const t0 = performance.now();
  for (let i = 0; i < items.length; i++) {
    const a = performance.now();
    await one(items[i]);
    times[i] = performance.now() - a;
  }
  return { times, totalMs: performance.now() - t0 };
}

async function timeConcurrent<T>(items: T[], concurrency: number, one: (t: T) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await one(items[next++]);
    }),
  );
  return performance.now() - t0;
}

export async function run(args: BenchArgs): Promise<void> {
  await assertDurable();
  const machine = await describeMachine();
  const leaves = intOption(args, 'leaves', 1_000_000);
  const proofs = intOption(args, 'proofs', 10_000);
  const concurrency = intOption(args, 'concurrency', 16);
  const sample = intOption(args, 'verify-sample', 500);
  const window = intOption(args, 'window', 20_000);
  const chunk = intOption(args, 'chunk', 5_000);
  const keys = intOption(args, 'keys', 300);
  const config: Partial<ChainConfig> = {};
  if (args.options.has('block-max-txs')) config.blockMaxTxs = intOption(args, 'block-max-txs', DEFAULT_CHAIN_CONFIG.blockMaxTxs);
  if (args.options.has('workers')) config.verifyWorkers = intOption(args, 'workers', DEFAULT_CHAIN_CONFIG.verifyWorkers);
  const channel = CHANNELS[0];

  log(`generating the consortium and ${keys} user keys`);
  const consortium = await benchConsortium(keys);
  const db = await createDatabase('zizhu_bench_proofs', args.keep);
  const chain = await openChain(db.url, consortium, config);
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  let figures: Record<string, unknown>;
  try {
    await registerUsers(chain, consortium);
    const factory = new RecordFactory(consortium.users);

    await waitForQuietMachine();
    log(`filling ${channel} with ${leaves.toLocaleString('en')} records through the engine (signed in chunks of ${chunk} while filling; window ${window})`);
    const fillRss = new RssSampler().start();
    const fillCpu = new CpuMeter();
    const fill = await fillChannel(chain, factory, channel, leaves, { window, chunk, progressEvery: Math.max(chunk, Math.round(leaves / 10 / chunk) * chunk) });
    const fillUsed = fillCpu.read();
    const fillMaxRss = fillRss.stop();
    if (fill.committed !== leaves) throw new Error(`fill: ${fill.committed} of ${leaves} committed; ${fill.firstError}`);
    const head = chain.head(channel).header;
    if (head.treeSize !== leaves) throw new Error(`tree size ${head.treeSize}, expected ${leaves}`);
    log(`filled: ${Math.round(leaves / (fill.elapsedMs / 1000))} tx/s including signing (${Math.round(fill.signMs / 1000)} s of ${Math.round(fill.elapsedMs / 1000)} s spent signing), max RSS ${fillMaxRss} MiB`);
    forceGc();
    const heapAfterFillGc = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
    const rssAfterFillGc = Math.round(process.memoryUsage().rss / 2 ** 20);

    // Random committed transactions (by random leaf index) and random size pairs, chosen before timing.
    const seqs = Array.from({ length: proofs }, () => randInt(0, leaves - 1));
    const rows = (await sql.query<{ seq: string; hash: string }>("SELECT seq, encode(hash, 'hex') AS hash FROM ledger_txs WHERE channel = $1 AND seq = ANY($2::bigint[])", [channel, seqs])).rows;
    const bySeq = new Map(rows.map((r) => [Number(r.seq), r.hash]));
    const hashes = seqs.map((s) => bySeq.get(s)!);
    const pairs = Array.from({ length: proofs }, () => {
      const n = randInt(1, leaves);
      return [randInt(1, n), n] as const;
    });

    const rss = new RssSampler().start();
    const cpu = new CpuMeter();
    log(`${proofs} inclusion proofs, one at a time`);
    const inc = await timeSequential(hashes, (h) => chain.inclusionProof(channel, h));
    log(`${proofs} consistency proofs, one at a time`);
    const con = await timeSequential(pairs, ([m, n]) => chain.consistencyProof(channel, m, n));
    log(`the same with ${concurrency} concurrent requests`);
    const incConcMs = await timeConcurrent(hashes, concurrency, (h) => chain.inclusionProof(channel, h));
    const conConcMs = await timeConcurrent(pairs, concurrency, ([m, n]) => chain.consistencyProof(channel, m, n));
    const used = cpu.read();
    const maxRss = rss.stop();

    log(`verifying ${sample} inclusion and ${sample} consistency proofs against the signed checkpoint and block roots`);
    const verified = await verifySample(chain, sql, channel, hashes.slice(0, sample), sample);

    const i = summarize(inc.times);
    const c = summarize(con.times);
    figures = {
      leaves,
      fill: {
        txPerSecIncludingSigning: Math.round(leaves / (fill.elapsedMs / 1000)),
        elapsedS: round1(fill.elapsedMs / 1000),
        signingS: round1(fill.signMs / 1000),
        /** Had the transactions been signed elsewhere: leaves / (elapsed − signing time). An estimate: signing ran on the same thread, in between. */
        txPerSecEngineEstimate: Math.round(leaves / ((fill.elapsedMs - fill.signMs) / 1000)),
        blocks: head.height,
        maxRssMiB: fillMaxRss,
        /** After the fill and a full GC: what the engine keeps (nonce map, state cache, …) and the RSS V8 has not returned. */
        heapAfterGcMiB: heapAfterFillGc,
        rssAfterGcMiB: rssAfterFillGc,
        processCpuPct: fillUsed.processCpuPct,
        postgresCpuPct: fillUsed.postgresCpuPct,
        othersCpuPct: fillUsed.othersCpuPct,
        machineCpuPct: fillUsed.machineCpuPct,
        contended: contended(fillUsed),
      },
      inclusion: { count: proofs, p50Ms: i.p50, p90Ms: i.p90, p99Ms: i.p99, maxMs: i.max, proofsPerSecSequential: Math.round(proofs / (inc.totalMs / 1000)), proofsPerSecConcurrent: Math.round(proofs / (incConcMs / 1000)) },
      consistency: { count: proofs, p50Ms: c.p50, p90Ms: c.p90, p99Ms: c.p99, maxMs: c.max, proofsPerSecSequential: Math.round(proofs / (con.totalMs / 1000)), proofsPerSecConcurrent: Math.round(proofs / (conConcMs / 1000)) },
      verifiedSample: verified,
      proofPhaseMaxRssMiB: maxRss,
      proofPhaseProcessCpuPct: used.processCpuPct,
      proofPhasePostgresCpuPct: used.postgresCpuPct,
      proofPhaseMachineCpuPct: used.machineCpuPct,
      blockMaxTxs: chain.config.blockMaxTxs,
      verifyWorkers: chain.config.verifyWorkers,
    };
  } finally {
    await sql.end();
    await chain.close();
    await db.drop();
  }
  await writeResult(
    'proofs',
    {
      fill: `notary.record through Chain.submit (the real engine, durable commits), ~210 bytes of arguments, ${keys} user keys; signed in chunks of ${chunk} while filling (at most window ${window} + one chunk signed and uncommitted)`,
      leaves,
      proofs,
      inclusion: 'chain.inclusionProof(channel, txHash) for random leaves (random committed transactions), at the head tree size',
      consistency: 'chain.consistencyProof(channel, m, n) for random 1 <= m <= n <= leaves',
      timing: `latency: one request at a time; proofs/s: one at a time and with ${concurrency} concurrent requests`,
      verification: 'a sample of inclusion proofs verified with verifyInclusion against the checkpoint root (checkpoint signature verified); consistency proofs between block boundaries verified with verifyConsistency against the block headers\' roots',
      config,
      durability: 'fsync=on, synchronous_commit=on (checked)',
      targets: { p50Ms: 2 },
    },
    figures,
    machine,
  );
}

async function verifySample(chain: Chain, sql: pg.Client, channel: string, hashes: string[], count: number): Promise<{ inclusion: number; consistency: number; failed: number }> {
  const { checkpoint } = verifyCheckpoint(chain.checkpoint(channel), [chain.verifierKey]);
  const head = chain.head(channel).header;
  if (checkpoint.treeSize !== head.treeSize || checkpoint.root.toString('hex') !== head.root) throw new Error('checkpoint does not match the head');
  let failed = 0;
  let inclusion = 0;
  for (const h of hashes) {
    const p = await chain.inclusionProof(channel, h);
    const leaf = fromBase64(p.leaf);
    const ok = (JSON.parse(leaf.toString('utf8')) as { tx: string }).tx === h && verifyInclusion(leafHash(leaf), p.leafIndex, p.treeSize, p.proof.map(fromBase64), checkpoint.root);
    if (ok) inclusion++;
    else failed++;
  }
  // Consistency between block boundaries, whose roots the (hash-chained) block headers hold.
  const heights = Array.from({ length: count }, () => [randInt(1, head.height), randInt(1, head.height)].sort((a, b) => a - b));
  const wanted = [...new Set(heights.flat())];
  const headers = new Map(
    (await sql.query<{ height: string; header: string }>('SELECT height, header FROM ledger_blocks WHERE channel = $1 AND height = ANY($2::bigint[])', [channel, wanted])).rows.map((r) => [
      Number(r.height),
      JSON.parse(r.header) as BlockHeader,
    ]),
  );
  let consistency = 0;
  for (const [k, [a, b]] of heights.entries()) {
    const from = headers.get(a)!;
    // Half the pairs end at the head (the signed checkpoint), half at another block.
    const to = k % 2 === 0 ? { treeSize: checkpoint.treeSize, root: checkpoint.root } : { treeSize: headers.get(b)!.treeSize, root: Buffer.from(headers.get(b)!.root, 'hex') };
    const p = await chain.consistencyProof(channel, from.treeSize, to.treeSize);
    if (verifyConsistency(from.treeSize, to.treeSize, p.proof.map(fromBase64), Buffer.from(from.root, 'hex'), to.root)) consistency++;
    else failed++;
  }
  if (failed > 0) throw new Error(`${failed} sampled proofs did not verify`);
  return { inclusion, consistency, failed };
}
