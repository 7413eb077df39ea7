import { Worker } from 'node:worker_threads';
import { ed25519Verify, ed25519VerifyWorkerSource } from '@zizhu/crypto';

/** Where one signature's answer goes: a slot of a result array, resolved when all its slots are in. */
interface Sink {
  results: Uint8Array;
  remaining: number;
  resolve: (results: Uint8Array) => void;
}

interface Job {
  pub: Uint8Array;
  msg: Uint8Array;
  sig: Uint8Array;
  sink: Sink;
  slot: number;
}

/** Per job in a packed batch: u32 message length, 32-byte key, 64-byte signature, the message. */
const JOB_HEADER = 4 + 32 + 64;

/**
 * Ed25519 verification on worker threads. Requests are gathered into batches, and a batch travels
 * as ONE transferred ArrayBuffer (keys, signatures and messages packed end to end; the answer is one
 * byte a job, transferred back): no structured clone of per-signature objects either way, which
 * cost the main thread and the workers ~10 µs a signature (a third of a libsodium verify).
 * `verifyMany` answers a whole block's signatures with one promise. With `workers: 0` it verifies
 * inline.
 */
export class SignaturePool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly inflight = new Map<number, Job[]>();
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
        const jobs = this.inflight.get(m.id);
        this.inflight.delete(m.id);
        if (jobs) for (let k = 0; k < jobs.length; k++) settle(jobs[k], m.ok[k] === 1);
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
    return this.verifyMany([pub], [msg], [sig]).then((r) => r[0] === 1);
  }

  /** One answer per signature, in order: 1 verifies, 0 does not. */
  verifyMany(pubs: readonly Uint8Array[], msgs: readonly Uint8Array[], sigs: readonly Uint8Array[]): Promise<Uint8Array> {
    const n = pubs.length;
    if (msgs.length !== n || sigs.length !== n) return Promise.reject(new Error('verifyMany needs as many keys, messages and signatures'));
    if (this.workers.length === 0) {
      const results = new Uint8Array(n);
      for (let i = 0; i < n; i++) results[i] = ed25519Verify(pubs[i], msgs[i], sigs[i]) ? 1 : 0;
      return Promise.resolve(results);
    }
    if (this.closed) return Promise.reject(new Error('signature pool closed'));
    if (n === 0) return Promise.resolve(new Uint8Array(0));
    return new Promise((resolve) => {
      const sink: Sink = { results: new Uint8Array(n), remaining: n, resolve };
      for (let i = 0; i < n; i++) {
        const job: Job = { pub: pubs[i], msg: msgs[i], sig: sigs[i], sink, slot: i };
        // Malformed sizes never verify: answered here, not shipped.
        if (job.pub.length !== 32 || job.sig.length !== 64) settle(job, false);
        else this.queue.push(job);
      }
      if (!this.scheduled && this.queue.length > 0) {
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
      let size = 0;
      for (const j of jobs) size += JOB_HEADER + j.msg.length;
      const packed = new Uint8Array(size);
      const view = new DataView(packed.buffer);
      let at = 0;
      for (const j of jobs) {
        view.setUint32(at, j.msg.length);
        packed.set(j.pub, at + 4);
        packed.set(j.sig, at + 36);
        packed.set(j.msg, at + JOB_HEADER);
        at += JOB_HEADER + j.msg.length;
      }
      const id = this.nextId++;
      this.inflight.set(id, jobs);
      w.postMessage({ id, count: jobs.length, packed: packed.buffer }, [packed.buffer]);
    }
  }

  private fail(e: Error): void {
    // A crashed worker must not leave submitters waiting: verify what it held inline.
    for (const [, jobs] of this.inflight) for (const j of jobs) settle(j, ed25519Verify(j.pub, j.msg, j.sig));
    this.inflight.clear();
    void e;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    for (const j of this.queue) settle(j, ed25519Verify(j.pub, j.msg, j.sig));
    this.queue = [];
  }
}

function settle(job: Job, ok: boolean): void {
  const sink = job.sink;
  sink.results[job.slot] = ok ? 1 : 0;
  if (--sink.remaining === 0) sink.resolve(sink.results);
}
