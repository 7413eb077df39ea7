import { joinFields, type Projection, type SqlClient } from '@zizhu/chain';
import type { EvidenceRecord, EvidenceStatus, FlowAction, FlowRecord, SigningEnvelope } from '@zizhu/contract-evidence';
import { sha256Hex } from '@zizhu/crypto';
import { QueueName, enqueueEventWebhooks, enqueueManyInTransaction, jobId, type OutboxEntry, type WebhookEvent } from '@zizhu/platform';

/** Envelope statuses that still wait for signatures (and may expire). */
const UNFINISHED = new Set(['CREATED', 'SENT', 'DELIVERED', 'SIGNED']);

/** The delayed job closing an envelope just after its expiry (EnvelopeExpiryJob, run by the committer). */
export function envelopeExpiryJob(envelope: Pick<SigningEnvelope, 'id' | 'expiresAt'>): OutboxEntry<QueueName.EVIDENCE_ENVELOPE_EXPIRY> {
  // The contract expires an envelope only once the block time is past expiresAt.
  return { jobId: jobId('expire', envelope.id), payload: { envelopeId: envelope.id, expiresAt: envelope.expiresAt }, runAt: envelope.expiresAt + 1 };
}

/**
 * The webhook event type of a timeline action: `evidence.` and the action in lowercase, its
 * `ENVELOPE_` prefix as a segment (ANCHORED → evidence.anchored, ENVELOPE_COMPLETED → evidence.envelope.completed).
 */
export function evidenceEventType(action: FlowAction): string {
  return `evidence.${action.toLowerCase().replace(/^envelope_/, 'envelope.')}`;
}

/**
 * The evidence read models from each block's final state writes on the evidence channels, inside
 * the block's own commit transaction: records (`ev/`, `evs/`, `evm/`), their timelines (`tl/`) and signing
 * envelopes (`env/`), for the whole block at once (a batch of 10,000 anchors is one block or a few): new records and
 * timeline entries in one statement, which also tells whether any webhook endpoint exists; the other kinds one each.
 * A record's metadata as anchored is not copied: it stays in the log, the `sealed` argument of its
 * anchoring transaction (before contract 1.3.0 also in `ev/`); only metadata sealed again by a transfer (`evm/`) is kept.
 * Then, in the same transaction, the outbox jobs: each unfinished envelope's expiry (a delayed job),
 * and a webhook event per timeline entry to the record's parties (nothing when no endpoint exists).
 */
export function evidenceRecordsProjection(channels: readonly string[]): Projection {
  return async (block, sql) => {
    if (!channels.includes(block.channel)) return;
    const records: EvidenceRecord[] = [];
    const statuses: (EvidenceStatus & { id: string })[] = [];
    const resealed: { id: string; sealed: unknown }[] = [];
    const flows: (FlowRecord & { evidenceId: string })[] = [];
    const envelopes: SigningEnvelope[] = [];
    for (const [key, value] of block.writes) {
      if (value === null) continue;
      if (key.startsWith('ev/')) records.push(value as unknown as EvidenceRecord);
      else if (key.startsWith('evs/')) statuses.push({ ...(value as unknown as EvidenceStatus), id: key.slice(4) });
      else if (key.startsWith('evm/')) resealed.push({ id: key.slice(4), sealed: value });
      else if (key.startsWith('tl/')) flows.push({ ...(value as unknown as FlowRecord), evidenceId: key.split('/')[1] });
      else if (key.startsWith('env/')) envelopes.push(value as unknown as SigningEnvelope);
    }
    // A record anchored in this block is inserted with the status this block leaves it in (its
    // `evs/` write): updating each new row right after inserting it wrote every record twice.
    const statusOf = new Map(statuses.map((st) => [st.id, st]));
    const inserted = new Set<string>();
    let hooks = false;
    if (records.length > 0 || flows.length > 0) {
      // New records, the timeline entries and whether any webhook endpoint exists: one statement,
      // one round trip. Columns go as texts joined by chr(31) (joinFields: ids, hex, names and JSON
      // texts, none of which holds that character), which costs the driver and PostgreSQL less than a
      // JSON document per row; free texts that may be null go as text[].
      const leafOf = new Map(block.receipts.map((r) => [r.hash, r.leafIndex]));
      const rows = records.map((r) => {
        const st = statusOf.get(r.id);
        // As the status update below would leave it: the holder now, who joins the parties if new.
        const parties = [r.issuer, r.holder];
        if (st && !parties.includes(st.holder)) parties.push(st.holder);
        return { r, st, parties };
      });
      const col = <T>(xs: readonly T[], f: (x: T) => string | number) => joinFields(xs.map((x) => String(f(x))));
      const { rows: answer } = await sql.query<{ inserted: string[]; hooks: boolean }>(
        `WITH rec AS (
           INSERT INTO evidence_records (id, channel, digest_alg, digest, type, issuer, holder, parties, status, version, replaces, replaced_by, revoke_reason, recorded_at, height, tx, leaf_index)
           SELECT r.id, $1, r.alg, r.value, r.type, r.issuer, r.holder, string_to_array(r.parties, ','), r.status, r.version::int, r.replaces, r.replaced_by, r.revoke_reason,
                  to_timestamp(r.recorded_at::bigint / 1000.0), r.height::bigint, r.tx, r.leaf::bigint
           FROM unnest(string_to_array($2, chr(31)), string_to_array($3, chr(31)), string_to_array($4, chr(31)), string_to_array($5, chr(31)), string_to_array($6, chr(31)),
                       string_to_array($7, chr(31)), string_to_array($8, chr(31)), string_to_array($9, chr(31)), string_to_array($10, chr(31)), $11::text[], $12::text[], $13::text[],
                       string_to_array($14, chr(31)), string_to_array($15, chr(31)), string_to_array($16, chr(31)), string_to_array($17, chr(31)))
                AS r(id, alg, value, type, issuer, holder, parties, status, version, replaces, replaced_by, revoke_reason, recorded_at, height, tx, leaf)
           ON CONFLICT (id) DO NOTHING
           RETURNING id
         ), flows AS (
           INSERT INTO evidence_flows (evidence_id, seq, action, at, height, tx, org, key_id, detail)
           SELECT f.evidence_id, f.seq::int, f.action, to_timestamp(f.at::bigint / 1000.0), f.height::bigint, f.tx, f.org, f.key_id, f.detail::jsonb
           FROM unnest(string_to_array($18, chr(31)), string_to_array($19, chr(31)), string_to_array($20, chr(31)), string_to_array($21, chr(31)), string_to_array($22, chr(31)),
                       string_to_array($23, chr(31)), string_to_array($24, chr(31)), string_to_array($25, chr(31)), string_to_array($26, chr(31)))
                AS f(evidence_id, seq, action, at, height, tx, org, key_id, detail)
           ON CONFLICT (evidence_id, seq) DO NOTHING
         )
         SELECT ARRAY(SELECT id FROM rec) AS inserted, EXISTS (SELECT 1 FROM webhook_endpoints) AS hooks`,
        [
          block.channel,
          col(rows, ({ r }) => r.id),
          col(rows, ({ r }) => r.digest.alg),
          col(rows, ({ r }) => r.digest.value),
          col(rows, ({ r }) => r.type),
          col(rows, ({ r }) => r.issuer),
          col(rows, ({ r, st }) => st?.holder ?? r.holder),
          // Organisation names ([a-z0-9-]) hold no comma.
          col(rows, ({ parties }) => parties.join(',')),
          col(rows, ({ st }) => st?.status ?? 'ACTIVE'),
          col(rows, ({ r }) => r.version),
          rows.map(({ r }) => r.replaces),
          rows.map(({ st }) => st?.replacedBy ?? null),
          rows.map(({ st }) => st?.revokeReason ?? null),
          col(rows, ({ r }) => r.recordedAt),
          col(rows, ({ r }) => r.height),
          col(rows, ({ r }) => r.tx),
          col(rows, ({ r }) => leafOf.get(r.tx) ?? 0),
          col(flows, (f) => f.evidenceId),
          col(flows, (f) => f.seq),
          col(flows, (f) => f.action),
          col(flows, (f) => f.at),
          col(flows, (f) => f.height),
          col(flows, (f) => f.tx),
          col(flows, (f) => f.org),
          col(flows, (f) => f.keyId),
          // JSON.stringify escapes every control character: a JSON text never holds chr(31).
          col(flows, (f) => JSON.stringify(f.detail)),
        ],
      );
      for (const id of answer[0].inserted) inserted.add(id);
      hooks = answer[0].hooks;
    }
    const updated = statuses.filter((st) => !inserted.has(st.id));
    if (updated.length > 0) {
      await sql.query(
        `UPDATE evidence_records e SET status = s.status, holder = s.holder, replaced_by = s.replaced_by, revoke_reason = s.revoke_reason,
                parties = CASE WHEN s.holder = ANY(e.parties) THEN e.parties ELSE e.parties || s.holder END
         FROM jsonb_to_recordset($1::jsonb) AS s(id text, status text, holder text, replaced_by text, revoke_reason text)
         WHERE e.id = s.id`,
        [JSON.stringify(updated.map((s) => ({ id: s.id, status: s.status, holder: s.holder, replaced_by: s.replacedBy, revoke_reason: s.revokeReason })))],
      );
    }
    if (resealed.length > 0) {
      // The metadata sealed again by a transfer of holding: what the current holder opens.
      await sql.query(`UPDATE evidence_records e SET resealed = m.sealed FROM jsonb_to_recordset($1::jsonb) AS m(id text, sealed jsonb) WHERE e.id = m.id`, [JSON.stringify(resealed)]);
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
    const open = envelopes.filter((v) => UNFINISHED.has(v.status));
    if (open.length > 0) await enqueueManyInTransaction(sql, QueueName.EVIDENCE_ENVELOPE_EXPIRY, open.map(envelopeExpiryJob));
    if (flows.length > 0 && hooks) await enqueueEventWebhooks(sql, () => flowEvents(sql, block.channel, flows));
  };
}

/**
 * One event per timeline entry, to the record's parties as the read model holds them after this
 * block (issuer, holders, organisations asked to sign). Identifiers and on-chain facts only: never
 * the sealed metadata, which receivers read over GraphQL with their own access.
 */
async function flowEvents(sql: SqlClient, channel: string, flows: readonly (FlowRecord & { evidenceId: string })[]): Promise<WebhookEvent[]> {
  const { rows } = await sql.query<{ id: string; parties: string[] }>('SELECT id, parties FROM evidence_records WHERE id = ANY($1::text[])', [[...new Set(flows.map((f) => f.evidenceId))]]);
  const parties = new Map(rows.map((r) => [r.id, r.parties]));
  return flows.map((f) => ({
    // The same event, however often the block is projected.
    id: `evt_${sha256Hex(`evidence/${channel}/${f.evidenceId}/${f.seq}`).slice(0, 32)}`,
    type: evidenceEventType(f.action),
    orgs: parties.get(f.evidenceId) ?? [],
    createdAt: f.at,
    data: {
      evidenceId: f.evidenceId,
      action: f.action,
      seq: f.seq,
      channel,
      height: f.height,
      tx: f.tx,
      actorOrg: f.org,
      at: f.at,
      envelopeId: typeof f.detail.envelopeId === 'string' ? f.detail.envelopeId : null,
    },
  }));
}
