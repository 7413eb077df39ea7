import { Worker } from 'node:worker_threads';
import { ed25519Verify, ed25519VerifyWorkerSource } from '@zizhu/crypto';

interface Job {
  pub: Uint8Array;
  msg: Uint8Array;
  sig: Uint8Array;
  resolve: (ok: boolean) => void;
}

interface Batch {
  jobs: Job[];
  reject: (e: Error) => void;
}

/**
 * Ed25519 verification on worker threads. Requests are gathered into batches (one message per
 * batch, not per signature) so that thread hand-off costs little next to the verifies themselves.
 * With `workers: 0` it verifies inline.
 */
export class SignaturePool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly inflight = new Map<number, Batch>();
  private queue: Job[] = [];
  private nextId = 1;
  private scheduled = false;
  private closed = false;

  constructor(
    workers: number,
    private readonly maxBatch = 256,
  ) {
    const source = workers > 0 ? ed25519VerifyWorkerSource() : '';
    for (let i = 0; i < workers; i++) {
      const w = new Worker(source, { eval: true });
      w.unref();
      w.on('message', (m: { id: number; ok: Uint8Array }) => {
        const batch = this.inflight.get(m.id);
        this.inflight.delete(m.id);
        if (batch) batch.jobs.forEach((j, k) => j.resolve(m.ok[k] === 1));
        this.idle.push(w);
        this.pump();
      });
      w.on('error', (e) => this.fail(e));
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  verify(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): Promise<boolean> {
    if (this.workers.length === 0) return Promise.resolve(ed25519Verify(pub, msg, sig));
    if (this.closed) return Promise.reject(new Error('signature pool closed'));
    return new Promise((resolve) => {
      this.queue.push({ pub, msg, sig, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    while (this.queue.length > 0 && this.idle.length > 0) {
      const w = this.idle.pop()!;
      // Split what is waiting evenly over the idle workers, within the batch limit.
      const take = Math.min(this.maxBatch, Math.ceil(this.queue.length / (this.idle.length + 1)));
      const jobs = this.queue.splice(0, take);
      const id = this.nextId++;
      this.inflight.set(id, { jobs, reject: () => undefined });
      w.postMessage({ id, pubs: jobs.map((j) => j.pub), msgs: jobs.map((j) => j.msg), sigs: jobs.map((j) => j.sig) });
    }
  }

  private fail(e: Error): void {
    // A crashed worker must not leave submitters waiting: verify what it held inline.
    for (const [, batch] of this.inflight) for (const j of batch.jobs) j.resolve(ed25519Verify(j.pub, j.msg, j.sig));
    this.inflight.clear();
    void e;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    for (const j of this.queue) j.resolve(ed25519Verify(j.pub, j.msg, j.sig));
    this.queue = [];
  }
}
