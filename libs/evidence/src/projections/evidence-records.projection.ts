import type { Projection } from '@zizhu/chain';
import type { EvidenceRecord, EvidenceStatus, FlowRecord, SigningEnvelope } from '@zizhu/contract-evidence';

/**
 * The evidence read models from each block's final state writes on the evidence channels, inside
 * the block's own commit transaction: records (`ev/`, `evs/`), their timelines (`tl/`) and signing
 * envelopes (`env/`), one statement per kind for the whole block (a batch of 10,000 anchors is one block or a few).
 */
export function evidenceRecordsProjection(channels: readonly string[]): Projection {
  return async (block, sql) => {
    if (!channels.includes(block.channel)) return;
    const records: EvidenceRecord[] = [];
    const statuses: (EvidenceStatus & { id: string })[] = [];
    const flows: (FlowRecord & { evidenceId: string })[] = [];
    const envelopes: SigningEnvelope[] = [];
    for (const [key, value] of block.writes) {
      if (value === null) continue;
      if (key.startsWith('ev/')) records.push(value as unknown as EvidenceRecord);
      else if (key.startsWith('evs/')) statuses.push({ ...(value as unknown as EvidenceStatus), id: key.slice(4) });
      else if (key.startsWith('tl/')) flows.push({ ...(value as unknown as FlowRecord), evidenceId: key.split('/')[1] });
      else if (key.startsWith('env/')) envelopes.push(value as unknown as SigningEnvelope);
    }
    if (records.length > 0) {
      const leafOf = new Map(block.receipts.map((r) => [r.hash, r.leafIndex]));
      await sql.query(
        `INSERT INTO evidence_records (id, channel, digest_alg, digest, type, issuer, holder, parties, status, sealed, version, replaces, recorded_at, height, tx, leaf_index)
         SELECT r.id, $1, r.alg, r.value, r.type, r.issuer, r.holder, ARRAY[r.issuer, r.holder], 'ACTIVE', r.sealed, r.version, r.replaces,
                to_timestamp(r.recorded_at / 1000.0), r.height, r.tx, r.leaf
         FROM jsonb_to_recordset($2::jsonb) AS r(id text, alg text, value text, type text, issuer text, holder text, sealed jsonb, version int, replaces text, recorded_at bigint, height bigint, tx text, leaf bigint)
         ON CONFLICT (id) DO NOTHING`,
        [
          block.channel,
          JSON.stringify(
            records.map((r) => ({
              id: r.id,
              alg: r.digest.alg,
              value: r.digest.value,
              type: r.type,
              issuer: r.issuer,
              holder: r.holder,
              sealed: r.sealed,
              version: r.version,
              replaces: r.replaces,
              recorded_at: r.recordedAt,
              height: r.height,
              tx: r.tx,
              leaf: leafOf.get(r.tx) ?? 0,
            })),
          ),
        ],
      );
    }
    if (statuses.length > 0) {
      await sql.query(
        `UPDATE evidence_records e SET status = s.status, holder = s.holder, replaced_by = s.replaced_by, revoke_reason = s.revoke_reason,
                parties = CASE WHEN s.holder = ANY(e.parties) THEN e.parties ELSE e.parties || s.holder END
         FROM jsonb_to_recordset($1::jsonb) AS s(id text, status text, holder text, replaced_by text, revoke_reason text)
         WHERE e.id = s.id`,
        [JSON.stringify(statuses.map((s) => ({ id: s.id, status: s.status, holder: s.holder, replaced_by: s.replacedBy, revoke_reason: s.revokeReason })))],
      );
    }
    if (flows.length > 0) {
      await sql.query(
        `INSERT INTO evidence_flows (evidence_id, seq, action, at, height, tx, org, key_id, detail)
         SELECT f.evidence_id, f.seq, f.action, to_timestamp(f.at / 1000.0), f.height, f.tx, f.org, f.key_id, f.detail
         FROM jsonb_to_recordset($1::jsonb) AS f(evidence_id text, seq int, action text, at bigint, height bigint, tx text, org text, key_id text, detail jsonb)
         ON CONFLICT (evidence_id, seq) DO NOTHING`,
        [JSON.stringify(flows.map((f) => ({ evidence_id: f.evidenceId, seq: f.seq, action: f.action, at: f.at, height: f.height, tx: f.tx, org: f.org, key_id: f.keyId, detail: f.detail })))],
      );
    }
    if (envelopes.length > 0) {
      await sql.query(
        `INSERT INTO evidence_envelopes (id, evidence_id, sender_org, status, recipients, expires_at, created_at, completed_at, void_reason, height)
         SELECT v.id, v.evidence_id, v.sender_org, v.status, v.recipients, to_timestamp(v.expires_at / 1000.0), to_timestamp(v.created_at / 1000.0),
                to_timestamp(v.completed_at / 1000.0), v.void_reason, $2
         FROM jsonb_to_recordset($1::jsonb) AS v(id text, evidence_id text, sender_org text, status text, recipients jsonb, expires_at bigint, created_at bigint, completed_at bigint, void_reason text)
         ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, recipients = EXCLUDED.recipients, completed_at = EXCLUDED.completed_at, void_reason = EXCLUDED.void_reason, height = EXCLUDED.height`,
        [
          JSON.stringify(
            envelopes.map((v) => ({
              id: v.id,
              evidence_id: v.evidenceId,
              sender_org: v.sender.org,
              status: v.status,
              recipients: v.recipients,
              expires_at: v.expiresAt,
              created_at: v.createdAt,
              completed_at: v.completedAt,
              void_reason: v.voidReason,
            })),
          ),
          block.header.height,
        ],
      );
      // Those asked to sign become parties of the record: they see it in their lists.
      await sql.query(
        `UPDATE evidence_records e SET parties = ARRAY(SELECT DISTINCT p FROM unnest(e.parties || n.orgs) AS p ORDER BY p)
         FROM (SELECT v.evidence_id, array_agg(DISTINCT r->>'org') AS orgs
               FROM jsonb_to_recordset($1::jsonb) AS v(evidence_id text, recipients jsonb), jsonb_array_elements(v.recipients) AS r GROUP BY v.evidence_id) n
         WHERE e.id = n.evidence_id`,
        [JSON.stringify(envelopes.map((v) => ({ evidence_id: v.evidenceId, recipients: v.recipients })))],
      );
    }
  };
}
