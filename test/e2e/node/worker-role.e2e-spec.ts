import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { verifyCheckpoint } from '@zizhu/chain';
import { freePort, waitFor } from '../../../libs/platform/src/embedded/local-process.js';
import { testPrefix } from '../../../libs/platform/src/queue/testing/local-redis.js';
import { TEST_ENV, startTestNode, type TestNode } from '../../support/node.js';
import { spawnNodeMain, type NodeMainProcess } from '../../support/node-process.js';

/**
 * Split roles: a `--role api` node commits blocks and leaves their checkpoint webhooks in the job
 * outbox (enqueued in each block's commit); a `--role worker` process, with no HTTP, no chain and
 * no keystore, relays them to Redis and delivers them.
 */

interface Delivery {
  id: string;
  body: { channel: string; height: number; treeSize: number; checkpoint: string };
}

describe('roles: --role api enqueues, --role worker delivers', () => {
  let api: TestNode;
  let worker: NodeMainProcess | undefined;
  let receiver: Server;
  let hook: string;
  let pool: pg.Pool;
  const deliveries: Delivery[] = [];
  const prefix = testPrefix();

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        deliveries.push({ id: String(req.headers['x-zizhu-delivery']), body: JSON.parse(body) as Delivery['body'] });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/checkpoints?token=secret`;
    api = await startTestNode({ ZIZHU_ROLE: 'api', CHECKPOINT_WEBHOOK_URLS: hook, QUEUE_PREFIX: prefix });
    pool = new pg.Pool({ connectionString: api.db.url, max: 2 });
    pool.on('error', () => {});
  });
  afterAll(async () => {
    await worker?.stop();
    await pool?.end();
    await api?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const pending = async () => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM job_outbox WHERE dispatched_at IS NULL')).rows[0].n);

  it('delivers, from a worker process, the checkpoints of blocks the api process committed', async () => {
    expect(api.node.role).toBe('api');
    const token = await api.login('bank-a', 'admin', api.adminPassword('bank-a'));
    const recorded = await api.gql<{ recordDocument: { height: number; status: string } }>(
      'mutation($i: RecordDocumentInput!) { recordDocument(input: $i) { height status } }',
      { i: { id: 'split-roles-1', digest: randomBytes(32).toString('hex') } },
      { token },
    );
    expect(recorded.body.data?.recordDocument.status).toBe('COMMITTED');
    const height = recorded.body.data!.recordDocument.height;

    // The api runs no relay and no workers: the deliveries wait in the outbox (and /metrics says so).
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(deliveries).toEqual([]);
    const waiting = await pending();
    expect(waiting).toBeGreaterThanOrEqual(2); // the admins' registrations on the system channel, and this block
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toContain(`zizhu_queue_jobs{queue="checkpoint-webhook",state="outbox"} ${waiting}`);

    // A worker: an empty home (no keystore, no genesis), the same database, Redis and queue prefix.
    const workerHome = await mkdtemp(join(tmpdir(), 'zizhu-worker-home-'));
    const port = await freePort();
    try {
      worker = spawnNodeMain(['--role', 'worker'], {
        ...TEST_ENV,
        DATABASE_URL: api.db.url,
        REDIS_URL: api.node.config.REDIS_URL!,
        QUEUE_PREFIX: prefix,
        ZIZHU_HOME: workerHome,
        PORT: String(port),
      });
      await worker.waitFor(/Zizhu worker ready: .*no HTTP/, 30_000);
      const notary = await waitFor(() => deliveries.find((d) => d.body.channel === 'notary' && d.body.height === height), 20_000, 50);
      expect(notary).toBeDefined();
      expect(notary!.id).toMatch(new RegExp(`^checkpoint:notary:${height}:[0-9a-f]{16}$`));
      const info = await api.gql<{ nodeInfo: { verifierKey: string } }>('{ nodeInfo { verifierKey } }');
      expect(verifyCheckpoint(notary!.body.checkpoint, [info.body.data!.nodeInfo.verifierKey]).checkpoint).toMatchObject({ height, treeSize: notary!.body.treeSize });
      expect(await waitFor(async () => ((await pending()) === 0 ? true : undefined), 10_000, 100)).toBe(true);

      // No HTTP on its PORT, nothing written to its home, and a clean stop on SIGTERM.
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
      expect(await readdir(workerHome)).toEqual([]);
      expect(await worker.stop()).toEqual({ code: 0, signal: null });
      worker = undefined;
    } finally {
      await rm(workerHome, { recursive: true, force: true });
    }
  });

  it('with replicas turned off (REPLICA_TAKEOVER_MS=0), a second api process stops at boot: one process commits a channel (LEASE_HELD)', async () => {
    // As an operator meets it: `npm start` exits 1 with a message naming the variable, no stack.
    const second = spawnNodeMain(['--role', 'api'], { ...TEST_ENV, DATABASE_URL: api.db.url, ZIZHU_HOME: api.home, QUEUE_PREFIX: prefix, PORT: String(await freePort()), REPLICA_TAKEOVER_MS: '0' });
    const how = await second.exited;
    expect(how.code).toBe(1);
    const fatal = second.output().split('\n').filter((l) => l.includes('"level":"fatal"')).map((l) => JSON.parse(l) as { variable?: string; message: string });
    expect(fatal).toEqual([expect.objectContaining({ variable: 'DATABASE_URL', message: expect.stringMatching(/LEASE_HELD.*--role worker/) })]);
    expect(second.output()).not.toMatch(/\n\s+at /);
  });
});
