import type { SqlClient } from '@zizhu/chain';
import { QueueName, type EventWebhookPayload } from '../queue/queue.types.js';

/** `evidence.anchored`, `evidence.envelope.completed`: lowercase segments joined by dots. */
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
/** What an endpoint subscribes to: an event type, a prefix wildcard (`evidence.*`), or `*` for all. */
export const EVENT_FILTER_PATTERN = /^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$/;
/** Deterministic and free of ':' (it is part of each delivery's job id). */
const EVENT_ID_PATTERN = /^[A-Za-z0-9_.-]{1,100}$/;

/** One business event, addressed to the organisations it concerns (the parties of the record). */
export interface WebhookEvent {
  /** The same for the same event every time it is projected (a replayed block enqueues nothing new). */
  id: string;
  type: string;
  orgs: readonly string[];
  /** ms since the epoch. */
  createdAt: number;
  /** Identifiers and on-chain facts only, never decrypted fields: receivers read the rest over GraphQL with their own access. */
  data: EventWebhookPayload['event']['data'];
}

/**
 * Enqueues, inside the caller's transaction (a block's commit), one EVENT_WEBHOOK delivery per
 * event and enabled endpoint of one of its organisations whose filter matches: one INSERT … SELECT
 * joining the events with webhook_endpoints. The job id is `event:<event id>:<endpoint id>`, so projecting
 * the same events again adds nothing. When no endpoint exists at all it costs one trivial EXISTS query, and
 * `events` (a function) is not even built. Resolves with how many deliveries were new.
 */
export async function enqueueEventWebhooks(sql: SqlClient, events: readonly WebhookEvent[] | (() => readonly WebhookEvent[] | Promise<readonly WebhookEvent[]>)): Promise<number> {
  const { rows } = await sql.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM webhook_endpoints) AS any');
  if (!rows[0]?.any) return 0;
  const list = typeof events === 'function' ? await events() : events;
  if (list.length === 0) return 0;
  for (const e of list) {
    if (!EVENT_ID_PATTERN.test(e.id)) throw new Error(`event id ${JSON.stringify(e.id)} must be 1-100 letters, digits, '.', '_' or '-'`);
    if (!EVENT_TYPE_PATTERN.test(e.type)) throw new Error(`event type ${JSON.stringify(e.type)} must be lowercase segments joined by '.'`);
  }
  const { rowCount } = await sql.query(
    `INSERT INTO job_outbox (queue, job_id, payload)
     SELECT $1, 'event:' || e.id || ':' || w.id,
            jsonb_build_object('endpointId', w.id, 'event', jsonb_build_object('id', e.id, 'type', e.type, 'createdAt', e.created_at, 'data', e.data))
     FROM jsonb_to_recordset($2::jsonb) AS e(id text, type text, orgs jsonb, created_at bigint, data jsonb)
     JOIN webhook_endpoints w ON jsonb_exists(e.orgs, w.org) AND w.disabled_at IS NULL
     WHERE EXISTS (SELECT 1 FROM unnest(w.events) AS f WHERE f = '*' OR f = e.type OR (right(f, 2) = '.*' AND starts_with(e.type, left(f, -1))))
     ON CONFLICT (job_id) DO NOTHING`,
    [QueueName.EVENT_WEBHOOK, JSON.stringify(list.map((e) => ({ id: e.id, type: e.type, orgs: [...new Set(e.orgs)], created_at: Math.trunc(e.createdAt), data: e.data })))],
  );
  return rowCount ?? 0;
}
