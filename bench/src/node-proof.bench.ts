import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { Chain, PgLedgerStore, leafHash, verifyCheckpoint, verifyInclusion } from '@zizhu/chain';
import { SystemContract, SystemDirectory, type GenesisDocument } from '@zizhu/contract-system';
import { NotaryContract } from '@zizhu/contract-sample';
import { fromBase64 } from '@zizhu/crypto';
import { RecordFactory, fillChannel } from './fixture.js';
import { graphql, loginAdmin, nodeEnv, openHomeKeystore, NodeSpanMeter, registerClientKeys, runLoad, scratchDir, startNode, writeLines, type NodeProcess } from './node-fixture.js';
import { assertDurable, createDatabase, describeMachine, intListOption, intOption, log, round1, waitForQuietMachine, writeResult, type BenchArgs } from './support.js';

export const description =
  'inclusionProof through GraphQL on the node (`node apps/node/dist/main.js`, its own process) for random committed transactions of a channel of N leaves, ' +
  'load from a second process (autocannon, closed loop): p50/p99 latency and req/s; options --leaves (1,000,000) --seconds (20) --connections (1,16,64) --hashes (20,000) --verify-sample (200)';

const CHANNEL = 'notary';
const QUERY = 'query($h: String!) { inclusionProof(channel: "notary", txHash: $h) { leafIndex treeSize leaf proof } }';

export async function run(args: BenchArgs): Promise<void> {
  await assertDurable();
  const machine = await describeMachine();
  const leaves = intOption(args, 'leaves', 1_000_000);
  const seconds = intOption(args, 'seconds', 20);
  const connectionList = intListOption(args, 'connections') ?? [1, 16, 64];
  const hashCount = intOption(args, 'hashes', 20_000);
  const sample = intOption(args, 'verify-sample', 200);
  const keys = intOption(args, 'keys', 300);

  const db = await createDatabase('zizhu_bench_node_proof', args.keep);
  const scratch = scratchDir('zizhu-bench-proof-');
  const home = join(scratch.path, 'home');
  const env = nodeEnv(db.url, home);
  const sql = new pg.Client({ connectionString: db.url });
  let node: NodeProcess | undefined;
  const runs: Record<string, unknown>[] = [];
  let fill: Record<string, unknown> | undefined;
  let restartReadyMs: number | undefined;
  let verified = 0;
  try {
    // 1. The node creates its consortium and ledger; the benchmark registers client keys through it.
    log('first start of the node on a fresh database (development consortium, channel notary)');
    node = await startNode(env);
    let token = await loginAdmin(node.url, home);
    const keystore = await openHomeKeystore(home);
    log(`registering ${keys} client keys through submitTransaction`);
    const users = await registerClientKeys(node.url, token, keystore.signer('bank-a/admin'), keys);
    await node.stop();
    node = undefined;

    // 2. Filled quickly through the engine itself (the node's keystore and genesis, the same
    //    contracts), as the proofs benchmark does: durable commits, signed in chunks.
    const genesis = JSON.parse(readFileSync(join(home, 'genesis.json'), 'utf8')) as GenesisDocument;
    const nodeKey = keystore.publicKey('node');
    const me = genesis.nodes.find((n) => Buffer.from(n.publicKey, 'base64').equals(nodeKey))!;
    const chain = await Chain.open({
      store: new PgLedgerStore({ connectionString: db.url }),
      directory: new SystemDirectory(),
      contracts: [SystemContract, NotaryContract],
      node: { name: me.name, signer: keystore.signer('node') },
    });
    try {
      await waitForQuietMachine();
      log(`filling ${CHANNEL} with ${leaves.toLocaleString('en')} records through the engine`);
      const r = await fillChannel(chain, new RecordFactory(users), CHANNEL, leaves, { window: 20_000, chunk: 5_000, progressEvery: Math.max(5_000, Math.round(leaves / 10 / 5_000) * 5_000) });
      if (r.committed !== leaves) throw new Error(`fill: ${r.committed} of ${leaves} committed; ${r.firstError}`);
      fill = { txPerSecIncludingSigning: Math.round(leaves / (r.elapsedMs / 1000)), elapsedS: round1(r.elapsedMs / 1000), signingS: round1(r.signMs / 1000) };
      log(`  filled in ${fill.elapsedS} s (${fill.txPerSecIncludingSigning} tx/s including signing)`);
    } finally {
      await chain.close();
    }

    // 3. The node again, on the filled ledger.
    log('starting the node on the filled ledger');
    node = await startNode(env);
    restartReadyMs = node.readyMs;
    log(`  ready after ${restartReadyMs} ms`);
    token = await loginAdmin(node.url, home);
    await sql.connect();
    const head = (await graphql(node.url, token)<{ channels: { name: string; treeSize: number }[] }>('{ channels { name treeSize } }')).channels.find((c) => c.name === CHANNEL)!;
    const seqs = Array.from({ length: hashCount }, () => Math.floor(Math.random() * head.treeSize));
    const rows = (await sql.query<{ seq: string; hash: string }>("SELECT seq, encode(hash, 'hex') AS hash FROM ledger_txs WHERE channel = $1 AND seq = ANY($2::bigint[])", [CHANNEL, seqs])).rows;
    const bySeq = new Map(rows.map((x) => [Number(x.seq), x.hash]));
    const hashes = seqs.map((s) => bySeq.get(s)!);
    const bodiesFile = join(scratch.path, 'proofs.jsonl');
    writeLines(bodiesFile, hashes.map((h) => JSON.stringify({ query: QUERY, variables: { h } })));

    // A sample checked as an outsider would: against the signed checkpoint, with the node's key.
    const gql = graphql(node.url, token);
    const { nodeInfo, checkpoint } = await gql<{ nodeInfo: { verifierKey: string }; checkpoint: string }>(`{ nodeInfo { verifierKey } checkpoint(channel: "${CHANNEL}") }`);
    const signed = verifyCheckpoint(checkpoint, [nodeInfo.verifierKey]).checkpoint;
    for (const h of hashes.slice(0, sample)) {
      const p = (await gql<{ inclusionProof: { leafIndex: number; treeSize: number; leaf: string; proof: string[] } }>(QUERY, { h })).inclusionProof;
      const leaf = fromBase64(p.leaf);
      if (p.treeSize !== signed.treeSize || !verifyInclusion(leafHash(leaf), p.leafIndex, p.treeSize, p.proof.map(fromBase64), signed.root)) throw new Error(`the proof of ${h} does not verify`);
      verified++;
    }
    log(`  ${verified} sampled proofs verified against the signed checkpoint (tree size ${signed.treeSize})`);

    for (const connections of connectionList) {
      const machineBusyBeforePct = await waitForQuietMachine();
      log(`inclusionProof for random committed transactions, ${connections} connection(s), ${seconds} s`);
      const meter = new NodeSpanMeter(node.pid);
      const r = await runLoad({ url: node.url, bodiesFile, outFile: join(scratch.path, `proofs-${connections}.json`), token, connections, seconds, warmup: Math.min(2_000, hashCount), cycle: true });
      const span = meter.finish(r.loadCpuPct);
      // The warm-up ran inside the same load process: CPU figures cover it too (a second or so).
      const errors = Object.values(r.classified.errors).reduce((a, b) => a + b, 0) + r.autocannon.errors + r.autocannon.timeouts;
      const figure = {
        connections,
        requests: r.requests,
        ok: r.classified.ok,
        requestsPerSec: r.requestsPerSec,
        latencyMs: r.latencyMs,
        errors,
        errorsByCode: r.classified.errors,
        errorSamples: r.classified.samples,
        machineBusyBeforePct,
        ...span,
      };
      log(`  ${r.requestsPerSec} req/s; latency p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms; ${errors} errors; CPU node ${span.nodeCpuPct}%, PostgreSQL ${span.postgresCpuPct}%, load ${span.loadCpuPct}%`);
      runs.push(figure);
    }
  } finally {
    await sql.end().catch(() => undefined);
    const code = await node?.stop();
    if (code !== undefined && code !== 0) log(`  the node exited with ${code}:\n${node?.output().slice(-2000)}`);
    await db.drop();
    scratch.remove();
  }
  await writeResult(
    'node-proof',
    {
      node: '`node apps/node/dist/main.js` (what `npm start` runs) as its own process; defaults except RATE_LIMIT_PER_MINUTE 1e9 (one user) and LOG_LEVEL warn',
      channel: `notary, ${leaves.toLocaleString('en')} leaves: notary.record transactions signed by ${keys} registered client keys, committed through the engine (Chain.submit, durable) on the node's own keystore and genesis while the node was stopped; then the node started on that database`,
      request: 'POST /graphql `query($h: String!) { inclusionProof(channel: "notary", txHash: $h) { leafIndex treeSize leaf proof } }` for random committed transactions (a random leaf index each), Authorization: Bearer <bank-a admin JWT>',
      hashes: `${hashCount.toLocaleString('en')} distinct random transactions, cycled`,
      load: `bench/dist/tools/http-load.js (autocannon 9) in a second process: closed loop, ${connectionList.join('/')} connections, ${seconds} s each after a warm-up of 2,000 requests`,
      latency: 'autocannon: request sent to answer received, 1 ms resolution',
      verification: `${sample} proofs fetched through GraphQL verified with verifyInclusion against the root of the checkpoint the node signed (checked with nodeInfo.verifierKey)`,
      durability: 'fsync=on, synchronous_commit=on (checked)',
      targets: { p50Ms: 10, requestsPerSec: 2000 },
    },
    { leaves, fill, nodeReadyOnFilledLedgerMs: restartReadyMs, verifiedSample: verified, runs },
    machine,
  );
}
