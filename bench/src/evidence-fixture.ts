import { createHash, randomBytes } from 'node:crypto';
import { postGraphql } from './node-fixture.js';

/**
 * What the evidence benchmarks share: realistic anchor items (a random document's SHA-256, an
 * invoice with a holder identity, title, amount and reference, all sealed by the node) and
 * anchoring through `anchorEvidenceBatch` over HTTP.
 */

export const ANCHOR_BATCH = `mutation($i: AnchorEvidenceBatchInput!) { anchorEvidenceBatch(input: $i) { id created tx height leafIndex } }`;

export interface AnchorItem {
  digest: { alg: 'sha256'; value: string };
  type: 'INVOICE';
  holder: string;
  holderIdentity: string;
  title: string;
  amount: string;
  reference: string;
}

export interface Anchored {
  id: string;
  created: boolean;
  tx: string;
  height: number;
  leafIndex: number;
}

let serial = 0;

/** An invoice for a holder organisation: the digest of 4 KiB of random "document". */
export function anchorItem(holder: string): AnchorItem {
  serial++;
  return {
    digest: { alg: 'sha256', value: createHash('sha256').update(randomBytes(4096)).digest('hex') },
    type: 'INVOICE',
    holder,
    holderIdentity: `enterprise customer ${serial.toString().padStart(8, '0')} (USCC 91310000${randomBytes(5).toString('hex').toUpperCase()})`,
    title: `VAT invoice ${serial}`,
    amount: String(10_000 + ((serial * 7919) % 9_990_000)),
    reference: `INV-2026-${serial.toString().padStart(9, '0')}`,
  };
}

/** One anchorEvidenceBatch call made ready before a timed span: its items and its HTTP body. */
interface PreparedCall {
  start: number;
  items: AnchorItem[];
  body: string;
}

/**
 * Anchors `count` new records in batches of `batch`, `concurrency` batches in flight, holders cycling
 * through `holders`. Returns the records (in item order) with the digests anchored, each call's time
 * and the load generator's own CPU while the calls ran.
 *
 * Every call's items (a document digest each) and request body are made before the clock starts, as
 * the chain benchmarks sign their transactions beforehand: hashing the issuer's documents and writing
 * its requests is the client's work, not the node's, and the client shares this machine.
 */
export async function anchorMany(
  url: string,
  token: string,
  o: { count: number; batch: number; concurrency: number; holders: string[]; onProgress?: (done: number) => void },
): Promise<{ records: (Anchored & { digest: string })[]; callMs: number[]; elapsedMs: number; loadCpuPct: number }> {
  const calls: PreparedCall[] = [];
  for (let start = 0; start < o.count; start += o.batch) {
    const items = Array.from({ length: Math.min(o.batch, o.count - start) }, (_, i) => anchorItem(o.holders[(start + i) % o.holders.length]));
    calls.push({ start, items, body: JSON.stringify({ query: ANCHOR_BATCH, variables: { i: { items } } }) });
  }
  const records: (Anchored & { digest: string })[] = new Array(o.count);
  const callMs: number[] = [];
  let next = 0;
  let done = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const lane = async () => {
    for (let call = calls[next++]; call !== undefined; call = calls[next++]) {
      const { start, items, body } = call;
      const c0 = performance.now();
      const got = (await postGraphql<{ anchorEvidenceBatch: Anchored[] }>(url, token, body)).anchorEvidenceBatch;
      callMs.push(performance.now() - c0);
      if (got.length !== items.length) throw new Error(`anchorEvidenceBatch answered ${got.length} records for ${items.length} items`);
      got.forEach((r, i) => {
        if (!r.created) throw new Error(`record ${r.id} was not new`);
        records[start + i] = { ...r, digest: items[i].digest.value };
      });
      done += items.length;
      o.onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, lane));
  const elapsedMs = performance.now() - t0;
  const used = process.cpuUsage(cpu0);
  return { records, callMs, elapsedMs, loadCpuPct: Math.round(((used.user + used.system) / 1000 / elapsedMs) * 100) };
}
