import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { freePort, waitFor } from '../../embedded/local-process.js';
import { closeRedis } from '../redis-connection.js';

/** Test support: a throw-away redis-server (no persistence) that a test can kill and restart on the same port. */
export class LocalRedis {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<LocalRedis> {
    const redis = new LocalRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    this.child = child;
    const up = await waitFor(() => (child.exitCode !== null ? false : ping(this.url)), 10_000, 50);
    if (!up) throw new Error(`redis-server did not start on port ${this.port}`);
  }

  /** kill -9: whatever Redis held is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

async function ping(url: string): Promise<true | undefined> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  r.on('error', () => {});
  try {
    await r.connect();
    return (await r.ping()) === 'PONG' ? true : undefined;
  } catch {
    return undefined;
  } finally {
    await closeRedis(r);
  }
}

/** A BullMQ key prefix of its own for one test run, so parallel runs on one Redis never collide. */
export const testPrefix = () => `zizhu-test-${randomBytes(5).toString('hex')}`;

/** Deletes every key of a test prefix. */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const r = new Redis(url, { maxRetriesPerRequest: 1 });
  r.on('error', () => {});
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await r.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await closeRedis(r);
  }
}
