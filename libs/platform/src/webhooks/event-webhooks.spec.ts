import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { PLATFORM_MIGRATIONS } from '@zizhu/migrations';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.js';
import { dataSourceOptions } from '../database/data-source-options.js';
import { PLATFORM_ENTITIES } from '../identity/identity.entities.js';
import { WebhookDeliveryError } from '../jobs/webhook-post.js';
import { QueueName, type EventWebhookPayload } from '../queue/queue.types.js';
import { EventWebhookJob } from './event-webhook.job.js';
import { enqueueEventWebhooks, type WebhookEvent } from './event-webhooks.js';
import { verifyWebhookSignature } from './webhook-signature.js';

const event = (id: string, type: string, orgs: string[]): WebhookEvent => ({ id, type, orgs, createdAt: 1_800_000_000_000, data: { evidenceId: id, seq: 1 } });

describe('event webhooks: enqueued in the caller transaction by filter and organisation, delivered signed', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let pool: pg.Pool;

  /** Runs `f` in a transaction, as a projection runs in a block's commit. */
  async function inTransaction<T>(f: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await f(client);
      await client.query('COMMIT');
      return result;
    } finally {
      client.release();
    }
  }
  const endpoint = (id: string, org: string, events: string[], url = 'http://127.0.0.1:9/hook') =>
    pool.query('INSERT INTO webhook_endpoints (id, org, url, events, secret, created_by) VALUES ($1, $2, $3, $4, $5, $6)', [id, org, url, events, `whsec_${id}`, 'test']);
  const outbox = async () =>
    (await pool.query<{ queue: string; job_id: string; payload: EventWebhookPayload }>('SELECT queue, job_id, payload FROM job_outbox ORDER BY job_id')).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(dataSourceOptions(db.url, PLATFORM_ENTITIES, PLATFORM_MIGRATIONS));
    await ds.initialize();
    await ds.runMigrations();
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
    // DROP DATABASE … WITH (FORCE) may end a connection the pool is still closing.
    pool.on('error', () => {});
  });
  afterAll(async () => {
    await pool?.end();
    await ds?.destroy();
    await db?.drop();
  });

  it('costs one probe and builds nothing while no endpoint exists', async () => {
    let built = 0;
    const n = await inTransaction((c) => enqueueEventWebhooks(c, () => (built++, [event('evt_a', 'evidence.anchored', ['bank-a'])])));
    expect({ n, built, outbox: await outbox() }).toEqual({ n: 0, built: 0, outbox: [] });
  });

  it("matches each event to the endpoints of its organisations whose filter names it, its prefix or *, once however often it is projected", async () => {
    await endpoint('we_000000000000000a', 'bank-a', ['evidence.*']);
    await endpoint('we_000000000000000b', 'bank-a', ['evidence.signed']);
    await endpoint('we_000000000000000c', 'platform-a', ['*']);
    await endpoint('we_000000000000000d', 'platform-a', ['evidence.envelope.*', 'evidence.anchored']);
    await endpoint('we_000000000000000e', 'hospital-a', ['*']);
    await endpoint('we_000000000000000f', 'bank-a', ['evidences.*', 'evidence.anchored.later', 'evidence']);
    const events = [
      event('evt_1', 'evidence.anchored', ['bank-a', 'platform-a']),
      event('evt_2', 'evidence.signed', ['bank-a']),
      event('evt_3', 'evidence.envelope.completed', ['platform-a', 'platform-a']),
    ];
    expect(await inTransaction((c) => enqueueEventWebhooks(c, events))).toBe(7);
    const rows = await outbox();
    expect(rows.map((r) => r.job_id)).toEqual([
      'event:evt_1:we_000000000000000a',
      'event:evt_1:we_000000000000000c',
      'event:evt_1:we_000000000000000d',
      'event:evt_2:we_000000000000000a',
      'event:evt_2:we_000000000000000b',
      'event:evt_3:we_000000000000000c',
      'event:evt_3:we_000000000000000d',
    ]);
    expect(new Set(rows.map((r) => r.queue))).toEqual(new Set([QueueName.EVENT_WEBHOOK]));
    // The payload names the endpoint, never its URL or secret.
    expect(rows[0].payload).toEqual({ endpointId: 'we_000000000000000a', event: { id: 'evt_1', type: 'evidence.anchored', createdAt: 1_800_000_000_000, data: { evidenceId: 'evt_1', seq: 1 } } });
    expect(JSON.stringify(rows)).not.toContain('whsec_');
    // The same block projected again: nothing new.
    expect(await inTransaction((c) => enqueueEventWebhooks(c, events))).toBe(0);
  });

  it('enqueues nothing when the transaction rolls back, and refuses ids that would break job ids', async () => {
    const before = (await outbox()).length;
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      expect(await enqueueEventWebhooks(client, [event('evt_rolled_back', 'evidence.anchored', ['bank-a'])])).toBe(1);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect((await outbox()).length).toBe(before);
    await expect(inTransaction((c) => enqueueEventWebhooks(c, [event('evt:1', 'evidence.anchored', ['bank-a'])]))).rejects.toThrow(/event id/);
    await expect(inTransaction((c) => enqueueEventWebhooks(c, [event('evt_9', 'Evidence.Anchored', ['bank-a'])]))).rejects.toThrow(/event type/);
  });

  describe('EventWebhookJob', () => {
    let server: Server;
    let base: string;
    const received: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
    let status = 204;
    const context = { queue: QueueName.EVENT_WEBHOOK, jobId: 'event:evt_1:we_0000000000000010', attempt: 1, maxAttempts: 8 };
    const payload: EventWebhookPayload = { endpointId: 'we_0000000000000010', event: { id: 'evt_1', type: 'evidence.anchored', createdAt: 1_800_000_000_000, data: { evidenceId: 'ab', seq: 1 } } };

    beforeAll(async () => {
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          received.push({ path: req.url ?? '', headers: req.headers, body });
          res.writeHead(status).end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await endpoint('we_0000000000000010', 'bank-a', ['*'], `${base}/hooks?token=t0k`);
    });
    afterAll(async () => {
      await new Promise((resolve) => server?.close(resolve));
    });

    it('POSTs { id, type, createdAt, data } with event and delivery ids, signed with the secret it reads from the database', async () => {
      const clock = () => 1_800_000_100_000;
      expect(await new EventWebhookJob(pool, { clock }).handle(payload, context)).toEqual({ status: 204 });
      expect(received).toHaveLength(1);
      const [d] = received;
      expect(d.path).toBe('/hooks?token=t0k');
      expect(JSON.parse(d.body)).toEqual(payload.event);
      expect(d.headers).toMatchObject({ 'content-type': 'application/json', 'zizhu-event-id': 'evt_1', 'zizhu-delivery-id': context.jobId });
      expect(d.headers['zizhu-signature']).toMatch(/^t=1800000100,v1=[0-9a-f]{64}$/);
      expect(verifyWebhookSignature('whsec_we_0000000000000010', String(d.headers['zizhu-signature']), d.body, 300, clock())).toBe(true);
      expect(verifyWebhookSignature('whsec_we_000000000000000a', String(d.headers['zizhu-signature']), d.body, 300, clock())).toBe(false);
    });

    it('fails the attempt on a non-2xx answer or an unreachable receiver (BullMQ retries it), naming only the origin', async () => {
      status = 500;
      await expect(new EventWebhookJob(pool).handle(payload, context)).rejects.toThrow(new WebhookDeliveryError(`event webhook ${base} answered 500 (attempt 1 of 8)`));
      status = 204;
      await pool.query("UPDATE webhook_endpoints SET url = 'http://127.0.0.1:9/down?token=t0k' WHERE id = 'we_0000000000000010'");
      const refused = new EventWebhookJob(pool, { timeoutMs: 2_000 }).handle(payload, context);
      await expect(refused).rejects.toBeInstanceOf(WebhookDeliveryError);
      await expect(refused).rejects.not.toThrow(/t0k/);
    });

    it('completes as dropped once the endpoint is deleted', async () => {
      const before = received.length;
      await pool.query("DELETE FROM webhook_endpoints WHERE id = 'we_0000000000000010'");
      expect(await new EventWebhookJob(pool).handle(payload, context)).toEqual({ dropped: 'ENDPOINT_DELETED' });
      expect(received.length).toBe(before);
    });
  });
});
