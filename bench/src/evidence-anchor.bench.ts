import { join } from 'node:path';
import pg from 'pg';
import { leafHash, verifyCheckpoint, verifyInclusion } from '@zizhu/chain';
import { fromBase64 } from '@zizhu/crypto';
import { anchorMany } from './evidence-fixture.js';
import { graphql, loginAdmin, nodeEnv, NodeSpanMeter, scratchDir, startNode, type NodeProcess } from './node-fixture.js';
import { assertDurable, createDatabase, describeMachine, intOption, log, round1, summarize, waitForQuietMachine, writeResult, type BenchArgs } from './support.js';

export const description =
  'anchorEvidenceBatch through GraphQL on the node (`node apps/node/dist/main.js`, its own process, fresh database): sustained durable evidence records/s ' +
  '(each record its own signed transaction with metadata sealed to issuer, holder organisation and regulator); ' +
  'options --count (100,000) --warmup (10,000) --batch (1,000) --concurrency (4) --sample (100 records proven) --profile <dir>';

const HOLDERS = ['platform-a', 'platform-b', 'issuer-a', 'shipper-a'];
const PROOF = 'query($h: String!) { inclusionProof(channel: "evidence", txHash: $h) { leafIndex treeSize leaf proof } }';

export async function run(args: BenchArgs): Promise<void> {
  await assertDurable();
  const machine = await describeMachine();
  const count = intOption(args, 'count', 100_000);
  const warmup = intOption(args, 'warmup', 10_000);
  const batch = intOption(args, 'batch', 1_000);
  const concurrency = intOption(args, 'concurrency', 4);
  const sample = intOption(args, 'sample', 100);
  if (batch < 1 || batch > 10_000) throw new Error('--batch must be 1 to 10,000 (the API limit)');

  const db = await createDatabase('zizhu_bench_evidence_anchor', args.keep);
  const scratch = scratchDir('zizhu-bench-evidence-anchor-');
  const home = join(scratch.path, 'home');
  const sql = new pg.Client({ connectionString: db.url });
  let node: NodeProcess | undefined;
  let figures: Record<string, unknown> | undefined;
  try {
    log('starting the node on a fresh database (first start: development consortium)');
    const profileDir = args.options.get('profile');
    node = await startNode(nodeEnv(db.url, home), { nodeArgs: profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [] });
    const holders = HOLDERS;
    const token = await loginAdmin(node.url, home, 'bank-a');
    await sql.connect();
    const rows = async () => Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM evidence_records')).rows[0].n);
    const txs = async () => Number((await sql.query<{ n: string }>("SELECT count(*) AS n FROM ledger_txs WHERE channel = 'evidence'")).rows[0].n);
    const blocks = async () => Number((await sql.query<{ n: string }>("SELECT count(*) AS n FROM ledger_blocks WHERE channel = 'evidence'")).rows[0].n);

    if (warmup > 0) {
      log(`warm-up: ${warmup.toLocaleString('en')} records in batches of ${batch}, ${concurrency} in flight`);
      await anchorMany(node.url, token, { count: warmup, batch, concurrency, holders });
    }
    const machineBusyBeforePct = await waitForQuietMachine();
    const [rowsBefore, txsBefore, blocksBefore] = [await rows(), await txs(), await blocks()];
    log(`measured: ${count.toLocaleString('en')} records in batches of ${batch}, ${concurrency} in flight`);
    const meter = new NodeSpanMeter(node.pid);
    let shown = 0;
    const r = await anchorMany(node.url, token, {
      count,
      batch,
      concurrency,
      holders,
      onProgress: (done) => {
        if (done - shown >= count / 5) log(`  ${(shown = done).toLocaleString('en')}`);
      },
    });
    const span = meter.finish(r.loadCpuPct);
    const gained = { records: (await rows()) - rowsBefore, transactions: (await txs()) - txsBefore, blocks: (await blocks()) - blocksBefore };
    if (gained.records !== count || gained.transactions !== count) throw new Error(`the node answered ${count} records but the database gained ${gained.records} records and ${gained.transactions} transactions`);
    const recordsPerSec = Math.round(count / (r.elapsedMs / 1000));
    log(`  ${recordsPerSec} durable records/s; ${gained.blocks} blocks; CPU node ${span.nodeCpuPct}%, PostgreSQL ${span.postgresCpuPct}%, machine ${span.machineCpuPct}%; peak RSS ${span.nodePeakRssMiB} MiB`);

    // Each record individually provable: a random sample against the checkpoint the node signs.
    const gql = graphql(node.url, token);
    const { nodeInfo, checkpoint } = await gql<{ nodeInfo: { verifierKey: string }; checkpoint: string }>('{ nodeInfo { verifierKey } checkpoint(channel: "evidence") }');
    const signed = verifyCheckpoint(checkpoint, [nodeInfo.verifierKey]).checkpoint;
    let proven = 0;
    for (let i = 0; i < sample; i++) {
      const rec = r.records[Math.floor(Math.random() * r.records.length)];
      const p = (await gql<{ inclusionProof: { leafIndex: number; treeSize: number; leaf: string; proof: string[] } }>(PROOF, { h: rec.tx })).inclusionProof;
      if (p.leafIndex !== rec.leafIndex || !verifyInclusion(leafHash(fromBase64(p.leaf)), p.leafIndex, p.treeSize, p.proof.map(fromBase64), signed.root)) throw new Error(`record ${rec.id} is not proven`);
      proven++;
    }
    log(`  ${proven} random records proven against the signed checkpoint (tree size ${signed.treeSize})`);
    figures = {
      headline: { recordsPerSec, met: recordsPerSec >= 4000 },
      count,
      elapsedS: round1(r.elapsedMs / 1000),
      batchCallMs: summarize(r.callMs),
      gained,
      recordsPerBlock: gained.blocks > 0 ? round1(count / gained.blocks) : 0,
      provenSample: proven,
      machineBusyBeforePct,
      ...span,
    };
  } finally {
    await sql.end().catch(() => undefined);
    const code = await node?.stop();
    if (code !== undefined && code !== 0) log(`  the node exited with ${code}:\n${node?.output().slice(-2000)}`);
    await db.drop();
    scratch.remove();
  }
  await writeResult(
    'evidence-anchor',
    {
      node: '`node apps/node/dist/main.js` (what `npm start` runs) as its own process on a fresh database; development consortium; defaults (BLOCK_MAX_TXS 2000, BLOCK_MAX_WAIT_MS 10, VERIFY_WORKERS 2, SEAL_WORKERS 1) except RATE_LIMIT_PER_MINUTE 1e9 and LOG_LEVEL warn',
      request: `POST /graphql anchorEvidenceBatch with ${batch} items per call, ${concurrency} calls in flight, Authorization: Bearer <bank-a admin JWT> (bank-a is an issuer)`,
      items: `type INVOICE, the SHA-256 of 4 KiB of random bytes, holder cycling through ${HOLDERS.join(', ')}, holder identity, title, amount and reference (sealed by the node: JWE to bank-a, the holder organisation and the regulator)`,
      load: 'generated in the benchmark\'s process: every call\'s items (a document digest each) and request body are made before the timed span (as the chain benchmarks sign beforehand); in the span it sends them and reads the answers (loadCpuPct, its own CPU)',
      perRecord: 'the node looks the record up (idempotent re-anchor), seals its metadata, signs one evidence.anchor transaction with the caller\'s key; answers after the block commit',
      warmup,
      durable: 'a call answers after its records\' blocks commit (fsync on, synchronous_commit on); evidence_records and ledger_txs gaining exactly the answered count is checked',
      proofs: `${sample} random records' inclusion proofs (GraphQL) verified against the checkpoint the node signed`,
      durability: 'fsync=on, synchronous_commit=on (checked)',
      targets: { recordsPerSec: 4000 },
    },
    figures!,
    machine,
  );
}
