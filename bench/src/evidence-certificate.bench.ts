import { join } from 'node:path';
import { verifyEvidenceCertificate, type EvidenceCertificate } from '@zizhu/chain';
import { anchorMany } from './evidence-fixture.js';
import { graphql, loginAdmin, nodeEnv, NodeSpanMeter, runLoad, scratchDir, startNode, writeLines, type NodeProcess } from './node-fixture.js';
import { assertDurable, createDatabase, describeMachine, intListOption, intOption, log, round1, waitForQuietMachine, writeResult, type BenchArgs } from './support.js';

export const description =
  'Evidence certificate JSON (ledger-formats §7) through GraphQL `evidenceRecord(id) { certificate }` on the node (its own process) for random records of a ledger of N, ' +
  'load from a second process (autocannon, closed loop): latency p50/p99 and req/s; options --records (100,000) --seconds (15) --connections (1,8) --verify-sample (100)';

const QUERY = 'query($id: String!) { evidenceRecord(id: $id) { certificate } }';
const P50_TARGET_MS = 5;

export async function run(args: BenchArgs): Promise<void> {
  await assertDurable();
  const machine = await describeMachine();
  const records = intOption(args, 'records', 100_000);
  const seconds = intOption(args, 'seconds', 15);
  const connectionList = intListOption(args, 'connections') ?? [1, 8];
  const sample = intOption(args, 'verify-sample', 100);

  const db = await createDatabase('zizhu_bench_evidence_certificate', args.keep);
  const scratch = scratchDir('zizhu-bench-evidence-certificate-');
  const home = join(scratch.path, 'home');
  let node: NodeProcess | undefined;
  const runs: Record<string, unknown>[] = [];
  let fill: Record<string, unknown> | undefined;
  let verified = 0;
  let certificateBytes = 0;
  try {
    log('starting the node on a fresh database (first start: development consortium)');
    node = await startNode(nodeEnv(db.url, home));
    const token = await loginAdmin(node.url, home, 'bank-a');
    log(`anchoring ${records.toLocaleString('en')} records (anchorEvidenceBatch, batches of 1,000)`);
    const anchored = await anchorMany(node.url, token, { count: records, batch: 1_000, concurrency: 4, holders: ['platform-a', 'platform-b'] });
    fill = { records, elapsedS: round1(anchored.elapsedMs / 1000) };
    const pick = () => anchored.records[Math.floor(Math.random() * records)];
    const bodiesFile = join(scratch.path, 'certificates.jsonl');
    writeLines(bodiesFile, Array.from({ length: 20_000 }, () => JSON.stringify({ query: QUERY, variables: { id: pick().id } })));

    // What the node hands out is a certificate a court can check offline.
    const gql = graphql(node.url, token);
    const { nodeInfo } = await gql<{ nodeInfo: { verifierKey: string } }>('{ nodeInfo { verifierKey } }');
    for (let i = 0; i < sample; i++) {
      const rec = pick();
      const cert = (await gql<{ evidenceRecord: { certificate: EvidenceCertificate } }>(QUERY, { id: rec.id })).evidenceRecord.certificate;
      certificateBytes = Math.max(certificateBytes, JSON.stringify(cert).length);
      const check = verifyEvidenceCertificate(cert, [nodeInfo.verifierKey]);
      if (!check.ok || cert.evidence.digest.value !== rec.digest) throw new Error(`the certificate of ${rec.id} does not verify: ${JSON.stringify(check)}`);
      verified++;
    }
    log(`  ${verified} certificates verified offline with the node's key (largest ${certificateBytes} bytes)`);

    for (const connections of connectionList) {
      const machineBusyBeforePct = await waitForQuietMachine();
      log(`evidenceRecord { certificate } for random records, ${connections} connection(s), ${seconds} s`);
      const meter = new NodeSpanMeter(node.pid);
      const r = await runLoad({ url: node.url, bodiesFile, outFile: join(scratch.path, `cert-${connections}.json`), token, connections, seconds, warmup: 1_000, cycle: true });
      const span = meter.finish(r.loadCpuPct);
      const errors = Object.values(r.classified.errors).reduce((a, b) => a + b, 0) + r.autocannon.errors + r.autocannon.timeouts + r.autocannon.non2xx;
      log(`  ${r.requestsPerSec} req/s; latency p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms; ${errors} errors; CPU node ${span.nodeCpuPct}%, PostgreSQL ${span.postgresCpuPct}%`);
      runs.push({ connections, requests: r.requests, ok: r.classified.ok, requestsPerSec: r.requestsPerSec, latencyMs: r.latencyMs, errors, errorsByCode: r.classified.errors, errorSamples: r.classified.samples, machineBusyBeforePct, ...span });
    }
  } finally {
    const code = await node?.stop();
    if (code !== undefined && code !== 0) log(`  the node exited with ${code}:\n${node?.output().slice(-2000)}`);
    await db.drop();
    scratch.remove();
  }
  const single = runs[0];
  const p50 = (single.latencyMs as { p50: number }).p50;
  await writeResult(
    'evidence-certificate',
    {
      node: '`node apps/node/dist/main.js` (what `npm start` runs) as its own process; development consortium; defaults except RATE_LIMIT_PER_MINUTE 1e9 and LOG_LEVEL warn',
      ledger: `${records.toLocaleString('en')} evidence records anchored through anchorEvidenceBatch before the runs`,
      request: `POST /graphql \`${QUERY}\` for random records, Authorization: Bearer <bank-a admin JWT> (the issuer); each answer is built then: the stored transaction, its inclusion proof at the latest checkpoint, the signed checkpoint`,
      load: `bench/dist/tools/http-load.js (autocannon 9) in a second process: closed loop, ${connectionList.join('/')} connections, ${seconds} s each after 1,000 warm-up requests`,
      latency: 'autocannon: request sent to answer received (the whole GraphQL round trip, an upper bound on generation), 1 ms resolution',
      verification: `${sample} certificates verified offline (verifyEvidenceCertificate, trusting nodeInfo.verifierKey)`,
      targets: { p50Ms: P50_TARGET_MS },
    },
    {
      headline: { connections: single.connections, p50Ms: p50, p99Ms: (single.latencyMs as { p99: number }).p99, requestsPerSec: single.requestsPerSec, met: p50 <= P50_TARGET_MS && single.errors === 0 },
      fill,
      certificateBytes,
      verifiedSample: verified,
      runs,
    },
    machine,
  );
}
