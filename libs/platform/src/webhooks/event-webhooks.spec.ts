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
import { CleanupJob } from '../jobs/cleanup.job.js';
import { WebhookDeliveryError } from '../jobs/webhook-post.js';
import { QueueName, type EventWebhookPayload } from '../queue/queue.types.js';
import { EventWebhookJob } from './event-webhook.job.js';
import { enqueueEventWebhooks, type WebhookEvent } from './event-webhooks.js';
import { WebhookSecretKeyring } from './webhook-secret-keyring.js';
import { verifyWebhookSignature } from './webhook-signature.js';
import type { WebhookUrlPolicy } from './webhook-url-guard.js';

const keyring = new WebhookSecretKeyring([{ id: 'k1', key: Buffer.alloc(32, 7) }]);
/** The local receiver is allowed by name, as WEBHOOK_ALLOWED_HOSTS allows it in the e2e tests. */
const policy: WebhookUrlPolicy = { allowHttp: true, allowedHosts: ['127.0.0.1'] };
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
    pool.query('INSERT INTO webhook_endpoints (id, org, url, events, secret_sealed, created_by) VALUES ($1, $2, $3, $4, $5, $6)', [id, org, url, events, keyring.seal(id, `whsec_${id}`), 'test']);
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
      expect(await new EventWebhookJob(pool, { keyring, policy, clock }).handle(payload, context)).toEqual({ status: 204 });
      expect(received).toHaveLength(1);
      const [d] = received;
      expect(d.path).toBe('/hooks?token=t0k');
      expect(JSON.parse(d.body)).toEqual(payload.event);
      expect(d.headers).toMatchObject({ 'content-type': 'application/json', 'zizhu-event-id': 'evt_1', 'zizhu-delivery-id': context.jobId });
      expect(d.headers['zizhu-signature']).toMatch(/^t=1800000100,v1=[0-9a-f]{64}$/);
      expect(verifyWebhookSignature('whsec_we_0000000000000010', String(d.headers['zizhu-signature']), d.body, 300, clock())).toBe(true);
      expect(verifyWebhookSignature('whsec_we_000000000000000a', String(d.headers['zizhu-signature']), d.body, 300, clock())).toBe(false);
    });

    const log = async (endpointId = 'we_0000000000000010') =>
      (await pool.query<{ attempt: number; status: number | null; error: string | null; duration_ms: number; event_id: string; delivery_id: string }>(
        'SELECT attempt, status, error, duration_ms, event_id, delivery_id FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY id',
        [endpointId],
      )).rows;
    const state = async (id = 'we_0000000000000010') =>
      (await pool.query<{ consecutive_failures: number; disabled_reason: string | null }>('SELECT consecutive_failures, disabled_reason FROM webhook_endpoints WHERE id = $1', [id])).rows[0];

    it('logs the attempt: event, delivery id, attempt number, status, duration', async () => {
      expect(await log()).toEqual([{ attempt: 1, status: 204, error: null, duration_ms: expect.any(Number), event_id: 'evt_1', delivery_id: context.jobId }]);
    });

    it('signs under the rotated-out secret too while its grace lasts, then under the current one only', async () => {
      const expiresAt = 1_800_000_200_000;
      await pool.query('UPDATE webhook_endpoints SET previous_secret_sealed = $2, previous_secret_expires_at = $3 WHERE id = $1', [
        'we_0000000000000010',
        keyring.seal('we_0000000000000010', 'whsec_old'),
        new Date(expiresAt),
      ]);
      for (const [clock, v1s] of [
        [expiresAt - 1000, 2],
        [expiresAt + 1000, 1],
      ] as const) {
        await new EventWebhookJob(pool, { keyring, policy, clock: () => clock }).handle(payload, context);
        const d = received[received.length - 1];
        const header = String(d.headers['zizhu-signature']);
        expect(header.match(/v1=/g)?.length).toBe(v1s);
        expect(verifyWebhookSignature('whsec_we_0000000000000010', header, d.body, 300, clock)).toBe(true);
        expect(verifyWebhookSignature('whsec_old', header, d.body, 300, clock)).toBe(v1s === 2);
      }
    });

    it('connects only to the address it checked: a host resolving to a refused address is not reached; an allowed one is reached at the address resolved', async () => {
      const port = new URL(base).port;
      await pool.query('UPDATE webhook_endpoints SET url = $2 WHERE id = $1', ['we_0000000000000010', `http://receiver.test:${port}/hooks?token=t0k`]);
      const before = received.length;
      // DNS now answers a private address for the host (rebinding): refused, logged, nothing sent.
      const rebound = new EventWebhookJob(pool, { keyring, policy, lookup: async () => [{ address: '10.0.0.5', family: 4 }, { address: '127.0.0.1', family: 4 }] }).handle(payload, context);
      await expect(rebound).rejects.toThrow(/receiver\.test resolves to 10\.0\.0\.5, which is not a public address/);
      expect(received.length).toBe(before);
      expect((await log()).at(-1)).toMatchObject({ status: null, error: expect.stringContaining('not a public address') });
      // Allowed by name, it is reached at the one address resolved (the system resolver knows no receiver.test).
      const allowed = { allowHttp: true, allowedHosts: ['receiver.test'] };
      expect(await new EventWebhookJob(pool, { keyring, policy: allowed, lookup: async () => [{ address: '127.0.0.1', family: 4 }] }).handle(payload, context)).toEqual({ status: 204 });
      expect(received[received.length - 1].headers.host).toBe(`receiver.test:${port}`);
      // http is refused at delivery too once the node no longer allows it.
      await expect(new EventWebhookJob(pool, { keyring, policy: { ...allowed, allowHttp: false }, lookup: async () => [{ address: '127.0.0.1', family: 4 }] }).handle(payload, context)).rejects.toThrow(/https/);
      await pool.query('UPDATE webhook_endpoints SET url = $2 WHERE id = $1', ['we_0000000000000010', `${base}/hooks?token=t0k`]);
    });

    it('disables the endpoint after disableAfterFailures failed attempts in a row (a success resets the run); a disabled endpoint gets nothing', async () => {
      await pool.query('UPDATE webhook_endpoints SET consecutive_failures = 0 WHERE id = $1', ['we_0000000000000010']);
      const job = new EventWebhookJob(pool, { keyring, policy, disableAfterFailures: 3 });
      status = 500;
      for (let i = 0; i < 2; i++) await expect(job.handle(payload, context)).rejects.toBeInstanceOf(WebhookDeliveryError);
      expect(await state()).toEqual({ consecutive_failures: 2, disabled_reason: null });
      status = 204;
      await job.handle(payload, context);
      expect(await state()).toEqual({ consecutive_failures: 0, disabled_reason: null });
      status = 503;
      for (let i = 0; i < 3; i++) await expect(job.handle(payload, context)).rejects.toThrow(/answered 503/);
      expect(await state()).toEqual({ consecutive_failures: 3, disabled_reason: 'CONSECUTIVE_FAILURES' });
      expect((await log()).slice(-3).map((r) => r.status)).toEqual([503, 503, 503]);
      const before = received.length;
      expect(await job.handle(payload, context)).toEqual({ dropped: 'ENDPOINT_DISABLED' });
      expect(received.length).toBe(before);
      // Nor are new events enqueued for it.
      await inTransaction((c) => enqueueEventWebhooks(c, [event('evt_disabled', 'evidence.anchored', ['bank-a'])]));
      expect((await outbox()).some((r) => r.job_id === 'event:evt_disabled:we_000000000000000a')).toBe(true);
      expect((await outbox()).some((r) => r.job_id === 'event:evt_disabled:we_0000000000000010')).toBe(false);
      status = 204;
      await pool.query('UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = NULL, consecutive_failures = 0 WHERE id = $1', ['we_0000000000000010']);
    });

    it('fails the attempt on a non-2xx answer or an unreachable receiver (BullMQ retries it), naming only the origin', async () => {
      status = 500;
      await expect(new EventWebhookJob(pool, { keyring, policy }).handle(payload, context)).rejects.toThrow(new WebhookDeliveryError(`event webhook ${base} answered 500 (attempt 1 of 8)`));
      status = 204;
      await pool.query("UPDATE webhook_endpoints SET url = 'http://127.0.0.1:9/down?token=t0k' WHERE id = 'we_0000000000000010'");
      const refused = new EventWebhookJob(pool, { keyring, policy, timeoutMs: 2_000 }).handle(payload, context);
      await expect(refused).rejects.toBeInstanceOf(WebhookDeliveryError);
      await expect(refused).rejects.not.toThrow(/t0k/);
    });

    it('completes as dropped once the endpoint is deleted', async () => {
      const before = received.length;
      await pool.query("DELETE FROM webhook_endpoints WHERE id = 'we_0000000000000010'");
      expect(await new EventWebhookJob(pool, { keyring, policy }).handle(payload, context)).toEqual({ dropped: 'ENDPOINT_DELETED' });
      expect(received.length).toBe(before);
    });
  });
  it('the hourly clean-up deletes delivery attempts past the retention and re-seals secrets sealed under a key no longer first', async () => {
    await endpoint('we_00000000000000c1', 'bank-a', ['matrix.never']);
    await pool.query(
      `INSERT INTO webhook_deliveries (endpoint_id, event_id, delivery_id, attempt, status, error, duration_ms, at) VALUES
       ('we_00000000000000c1', 'evt_old', 'event:evt_old:we_00000000000000c1', 1, 204, NULL, 5, now() - interval '31 days'),
       ('we_00000000000000c1', 'evt_new', 'event:evt_new:we_00000000000000c1', 1, 204, NULL, 5, now() - interval '29 days')`,
    );
    const rotated = new WebhookSecretKeyring([{ id: 'k2', key: Buffer.alloc(32, 8) }, { id: 'k1', key: Buffer.alloc(32, 7) }]);
    const result = await new CleanupJob(pool, { webhookDeliveryRetentionDays: 30, webhookSecrets: rotated }).handle();
    expect(result).toMatchObject({ webhookDeliveries: 1, webhookSecrets: { resealed: expect.any(Number), unopenable: 0 } });
    expect(result.webhookSecrets!.resealed).toBeGreaterThan(0);
    expect((await pool.query("SELECT event_id FROM webhook_deliveries WHERE endpoint_id = 'we_00000000000000c1'")).rows).toEqual([{ event_id: 'evt_new' }]);
    const k2Only = new WebhookSecretKeyring([{ id: 'k2', key: Buffer.alloc(32, 8) }]);
    const { rows } = await pool.query<{ secret_sealed: string }>("SELECT secret_sealed FROM webhook_endpoints WHERE id = 'we_00000000000000c1'");
    expect(k2Only.open('we_00000000000000c1', rows[0].secret_sealed)).toBe('whsec_we_00000000000000c1');
    // Nothing left to re-seal.
    expect((await new CleanupJob(pool, { webhookSecrets: rotated }).handle()).webhookSecrets).toEqual({ resealed: 0, unopenable: 0 });
  });
});
