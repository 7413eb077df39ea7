import { join } from 'node:path';
import pg from 'pg';
import { RecordFactory } from './fixture.js';
import { SUBMIT, loginAdmin, nodeEnv, openHomeKeystore, NodeSpanMeter, registerClientKeys, runLoad, scratchDir, startNode, writeLines, type NodeProcess } from './node-fixture.js';
import { assertDurable, createDatabase, describeMachine, intListOption, intOption, log, round1, waitForQuietMachine, writeResult, type BenchArgs } from './support.js';

export const description =
  'Client-signed notary.record transactions through GraphQL submitTransaction on the node (`node apps/node/dist/main.js`, its own process, fresh database), ' +
  'load from a second process (autocannon, closed loop): durable tx/s, latency p50/p99, errors; ' +
  'options --count (60,000) --warmup (5,000) --connections (256,512: the list is swept, the first is the headline) --keys (300) --profile <dir> (CPU profile of the node)';

const CHANNEL = 'notary';

export async function run(args: BenchArgs): Promise<void> {
  await assertDurable();
  const machine = await describeMachine();
  const count = intOption(args, 'count', 60_000);
  const warmup = intOption(args, 'warmup', 5_000);
  const connectionList = intListOption(args, 'connections') ?? [256, 512];
  const keys = intOption(args, 'keys', 300);

  const db = await createDatabase('zizhu_bench_node_submit', args.keep);
  const scratch = scratchDir('zizhu-bench-submit-');
  const home = join(scratch.path, 'home');
  const sql = new pg.Client({ connectionString: db.url });
  let node: NodeProcess | undefined;
  const runs: Record<string, unknown>[] = [];
  let nodeInfo: Record<string, unknown> | undefined;
  try {
    log('starting the node on a fresh database (first start: development consortium)');
    // --profile <dir>: a V8 CPU profile of the node process (written when it stops).
    const profileDir = args.options.get('profile');
    node = await startNode(nodeEnv(db.url, home), { nodeArgs: profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [] });
    log(`  ready after ${node.readyMs} ms`);
    await sql.connect();
    const token = await loginAdmin(node.url, home);
    const keystore = await openHomeKeystore(home);
    log(`registering ${keys} client keys (system.registerKey signed by the bank-a admin key, through submitTransaction)`);
    const users = await registerClientKeys(node.url, token, keystore.signer('bank-a/admin'), keys);
    const factory = new RecordFactory(users);
    nodeInfo = { readyMs: node.readyMs, argsBytes: factory.sampleArgsBytes() };

    const notaryRows = async () => Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM ledger_txs WHERE channel = $1', [CHANNEL])).rows[0].n);
    const notaryBlocks = async () => Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM ledger_blocks WHERE channel = $1', [CHANNEL])).rows[0].n);
    const body = () => JSON.stringify({ query: SUBMIT, variables: { s: factory.next(CHANNEL) } });

    for (const connections of connectionList) {
      // Signed just before the run (ts within the 5-minute window), written to files the load process reads.
      const warmFile = join(scratch.path, `warmup-${connections}.jsonl`);
      const runFile = join(scratch.path, `run-${connections}.jsonl`);
      log(`pre-signing ${warmup.toLocaleString('en')} + ${count.toLocaleString('en')} transactions with ${keys} client keys`);
      writeLines(warmFile, (function* () { for (let i = 0; i < warmup; i++) yield body(); })());
      writeLines(runFile, (function* () { for (let i = 0; i < count; i++) yield body(); })());
      if (warmup > 0) {
        log(`warm-up: ${warmup.toLocaleString('en')} submits, ${connections} connections`);
        await runLoad({ url: node.url, bodiesFile: warmFile, outFile: join(scratch.path, 'warmup.json'), token, connections, amount: warmup, field: 'submitTransaction' });
      }
      const machineBusyBeforePct = await waitForQuietMachine();
      const rowsBefore = await notaryRows();
      const blocksBefore = await notaryBlocks();
      log(`measured: ${count.toLocaleString('en')} submits through ${connections} connections`);
      const meter = new NodeSpanMeter(node.pid);
      const r = await runLoad({ url: node.url, bodiesFile: runFile, outFile: join(scratch.path, `run-${connections}.json`), token, connections, amount: count, field: 'submitTransaction' });
      const span = meter.finish(r.loadCpuPct);
      const rowsAfter = await notaryRows();
      const blocks = (await notaryBlocks()) - blocksBefore;
      const durable = rowsAfter - rowsBefore;
      const errors = Object.values(r.classified.errors).reduce((a, b) => a + b, 0) + r.autocannon.errors + r.autocannon.timeouts;
      const figure = {
        connections,
        submitted: r.requests,
        committed: r.classified.ok,
        /** Transactions the log gained during the run (counted in PostgreSQL): every acknowledged one, nothing else. */
        durableInLog: durable,
        durableTxPerSec: Math.round(r.classified.ok / (r.elapsedMs / 1000)),
        latencyMs: r.latencyMs,
        errors,
        errorsByCode: r.classified.errors,
        errorSamples: r.classified.samples,
        notCommitted: r.classified.notCommitted,
        transport: r.autocannon,
        elapsedS: round1(r.elapsedMs / 1000),
        blocks,
        txPerBlock: blocks > 0 ? round1(durable / blocks) : 0,
        machineBusyBeforePct,
        ...span,
      };
      if (durable !== r.classified.ok) throw new Error(`the log gained ${durable} transactions, but ${r.classified.ok} were acknowledged`);
      log(
        `  ${figure.durableTxPerSec} durable tx/s; latency p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms; ${errors} errors; ` +
          `${blocks} blocks (${figure.txPerBlock} tx/block); CPU node ${span.nodeCpuPct}%, load ${span.loadCpuPct}%, PostgreSQL ${span.postgresCpuPct}%, machine ${span.machineCpuPct}%`,
      );
      runs.push(figure);
    }
  } finally {
    await sql.end().catch(() => undefined);
    const code = await node?.stop();
    if (code !== undefined && code !== 0) log(`  the node exited with ${code}:\n${node?.output().slice(-2000)}`);
    await db.drop();
    scratch.remove();
  }
  const best = runs.reduce((a, b) => ((b.durableTxPerSec as number) > (a.durableTxPerSec as number) ? b : a), runs[0]);
  const headline = runs.find((r) => r.connections === connectionList[0])!;
  await writeResult(
    'node-submit',
    {
      node: '`node apps/node/dist/main.js` (what `npm start` runs) as its own process on a fresh database; first start creates the development consortium (14 organisations, channels notary and evidence)',
      nodeConfig: 'defaults (BLOCK_MAX_TXS 2000, BLOCK_MAX_WAIT_MS 10, VERIFY_WORKERS 2, REDIS_URL 127.0.0.1:6379 for rate limits and queues, LOG_LEVEL warn) except RATE_LIMIT_PER_MINUTE 1e9: the load is one user',
      transactions: `notary.record (~${nodeInfo?.argsBytes} bytes of arguments) signed by ${keys} client keys generated by the benchmark and registered on chain (system.registerKey by the bank-a admin key, via submitTransaction); all pre-signed before the timed run and written to a file the load process reads`,
      request: 'POST /graphql `mutation($s: SignedTransactionInput!) { submitTransaction(signed: $s) { hash status } }`, Authorization: Bearer <bank-a admin JWT>',
      load: `bench/dist/tools/http-load.js (autocannon 9) in a second process: closed loop, ${connectionList.join('/')} connections (keep-alive, no pipelining), each body sent once; ${warmup} warm-up submits first (not measured)`,
      count,
      durable: 'an answer counts when its receipt says COMMITTED: the node answers after the block commit (synchronous_commit on); the log gaining exactly that many transactions is checked in PostgreSQL',
      latency: 'autocannon: request sent to answer received, 1 ms resolution',
      nodeStart: nodeInfo,
      durability: 'fsync=on, synchronous_commit=on (checked)',
      targets: { durableTxPerSec: 3000, p99Ms: 300 },
    },
    {
      headline: {
        connections: headline.connections,
        durableTxPerSec: headline.durableTxPerSec,
        p50Ms: (headline.latencyMs as { p50: number }).p50,
        p99Ms: (headline.latencyMs as { p99: number }).p99,
        errors: headline.errors,
        met: { durableTxPerSec: (headline.durableTxPerSec as number) >= 3000, p99: (headline.latencyMs as { p99: number }).p99 <= 300 },
      },
      bestConnections: best.connections,
      runs,
    },
    machine,
  );
}
