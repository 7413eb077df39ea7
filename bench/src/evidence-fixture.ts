import { createHash, randomBytes } from 'node:crypto';
import { graphql, type Gql } from './node-fixture.js';

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

/** One anchorEvidenceBatch call: its records and how long the node took to answer. */
export async function anchorBatch(gql: Gql, items: AnchorItem[]): Promise<{ records: Anchored[]; ms: number }> {
  const t0 = performance.now();
  const r = await gql<{ anchorEvidenceBatch: Anchored[] }>(ANCHOR_BATCH, { i: { items } });
  return { records: r.anchorEvidenceBatch, ms: performance.now() - t0 };
}

/**
 * Anchors `count` new records in batches of `batch`, `concurrency` batches in flight, holders cycling
 * through `holders`. Returns the records (in item order) with the digests anchored and each call's time.
 */
export async function anchorMany(
  url: string,
  token: string,
  o: { count: number; batch: number; concurrency: number; holders: string[]; onProgress?: (done: number) => void },
): Promise<{ records: (Anchored & { digest: string })[]; callMs: number[]; elapsedMs: number }> {
  const gql = graphql(url, token);
  const records: (Anchored & { digest: string })[] = new Array(o.count);
  const callMs: number[] = [];
  let next = 0;
  let done = 0;
  const t0 = performance.now();
  const lane = async () => {
    for (;;) {
      const start = next;
      if (start >= o.count) return;
      const n = Math.min(o.batch, o.count - start);
      next += n;
      const items = Array.from({ length: n }, (_, i) => anchorItem(o.holders[(start + i) % o.holders.length]));
      const { records: got, ms } = await anchorBatch(gql, items);
      if (got.length !== n) throw new Error(`anchorEvidenceBatch answered ${got.length} records for ${n} items`);
      got.forEach((r, i) => {
        if (!r.created) throw new Error(`record ${r.id} was not new`);
        records[start + i] = { ...r, digest: items[i].digest.value };
      });
      callMs.push(ms);
      done += n;
      o.onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, lane));
  return { records, callMs, elapsedMs: performance.now() - t0 };
}
