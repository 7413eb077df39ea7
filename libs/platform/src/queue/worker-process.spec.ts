import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.js';
import { sleep, waitFor } from '../embedded/local-process.js';
import type { JobContext, JobHandler } from './job-handler.js';
import { jobId } from './job-id.js';
import { enqueueInTransaction, ensureOutboxSchema } from './outbox.js';
import { QueueName, type CheckpointWebhookPayload, type QueueSettingsOverrides } from './queue.types.js';
import { deletePrefix, testPrefix } from './testing/local-redis.js';
import { runWorkerProcess } from './worker-process.js';
import { withIdleHandlers } from './testing/idle-handlers.js';

const REDIS = 'redis://127.0.0.1:6379';
const NO_SCHEDULE: QueueSettingsOverrides = { [QueueName.CLEANUP]: { schedule: undefined } };
const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const payload = (height: number): CheckpointWebhookPayload => ({ url: 'http://127.0.0.1:9/', channel: 'notary', height, treeSize: height, checkpoint: 'note' });

/** Takes `ms` per job and records when each started and finished. */
class SlowHandler implements JobHandler<QueueName.CHECKPOINT_WEBHOOK> {
  readonly queue = QueueName.CHECKPOINT_WEBHOOK;
  readonly started: string[] = [];
  readonly finished: string[] = [];
  constructor(private readonly ms: number) {}
  async handle(_p: CheckpointWebhookPayload, context: JobContext) {
    this.started.push(context.jobId);
    await sleep(this.ms);
    this.finished.push(context.jobId);
  }
}
describe('runWorkerProcess', () => {
  let db: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    // DROP DATABASE … WITH (FORCE) may end a connection the pool is still closing.
    pool.on('error', () => {});
    await ensureOutboxSchema(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('on its signal, lets the running job finish, then runs onShutdown and exits 0', async () => {
    const prefix = testPrefix();
    const handler = new SlowHandler(600);
    const events: string[] = [];
    const exited = new Promise<number>((resolve) => {
      runWorkerProcess({
        pool,
        connection: { url: REDIS, prefix },
        handlers: withIdleHandlers([handler]),
        settings: NO_SCHEDULE,
        logger: quiet,
        relayIntervalMs: 50,
        signals: ['SIGUSR2'],
        onShutdown: async () => void events.push(`onShutdown after ${handler.finished.length} finished`),
        exit: (code) => resolve(code),
      });
    });
    try {
      await enqueueInTransaction(pool, QueueName.CHECKPOINT_WEBHOOK, jobId('slow', prefix), payload(1));
      expect(await waitFor(() => (handler.started.length === 1 ? true : undefined), 5_000)).toBe(true);
      process.emit('SIGUSR2', 'SIGUSR2');
      expect(await exited).toBe(0);
      expect(handler.finished).toEqual([`slow:${prefix}`]);
      expect(events).toEqual(['onShutdown after 1 finished']);
      expect(process.listenerCount('SIGUSR2')).toBe(0);
    } finally {
      await deletePrefix(REDIS, prefix);
    }
  });

  it('as a real process: SIGTERM finishes the job in flight and exits 0', async () => {
    const prefix = testPrefix();
    const hooks = new URL('../embedded/testing/ts-hooks.mjs', import.meta.url).href;
    const script = `
      const { runWorkerProcess } = await import(${JSON.stringify(new URL('./worker-process.ts', import.meta.url).href)});
      const pg = (await import('pg')).default;
      const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
      const slow = { queue: 'checkpoint-webhook', async handle(_p, c) { console.log('START ' + c.jobId); await new Promise((r) => setTimeout(r, 800)); console.log('DONE ' + c.jobId); } };
      const { withIdleHandlers } = await import(${JSON.stringify(new URL('./testing/idle-handlers.ts', import.meta.url).href)});
      runWorkerProcess({ pool, connection: { url: ${JSON.stringify(REDIS)}, prefix: ${JSON.stringify(prefix)} }, handlers: withIdleHandlers([slow]),
        settings: { cleanup: { schedule: undefined } }, relayIntervalMs: 50, onShutdown: () => pool.end() });
      console.log('READY');`;
    const child = spawn(process.execPath, ['--import', `data:text/javascript,import{register}from'node:module';register(${JSON.stringify(hooks)})`, '--input-type=module', '-e', script], {
      env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: db.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      expect(await waitFor(() => (out.includes('READY') ? true : undefined), 15_000)).toBe(true);
      await enqueueInTransaction(pool, QueueName.CHECKPOINT_WEBHOOK, jobId('in-flight', prefix), payload(2));
      expect(await waitFor(() => (out.includes('START') ? true : undefined), 10_000)).toBe(true);
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(out).toContain(`DONE in-flight:${prefix}`);
      expect(err).not.toMatch(/error/i);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await deletePrefix(REDIS, prefix);
    }
  });
});
