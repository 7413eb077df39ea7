import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { envelopeOfPreimage, SealSigner, type SealSignJob, type SignedTransaction } from '@zizhu/chain';
import { lowerThreadPrioritySource } from '@zizhu/crypto';

export interface SealedAndSigned {
  signed: SignedTransaction;
  /** The preimage the signature covers (for Chain.submit's `preimage`). */
  preimage: Buffer;
}

/**
 * A job refused for its own data (no canonical JSON form, an invalid recipient key): the message of
 * the error sealing or signing threw, and its `code` if it had one. Anything else a job rejects
 * with (the pool closed, a worker that died) is the pool's failure, not the job's.
 */
export class SealSignError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/**
 * A job's answer from a worker: its signed preimage is `packed` up to `end` (from the previous
 * ok answer's end), and the envelope is read back from it (envelopeOfPreimage) rather than
 * structured-cloned, which cost the main thread twice as much as parsing the text.
 */
type Outcome = { ok: true; end: number; signature: string; publicKey: string } | { ok: false; error: string; code?: string };

interface Pending {
  job: SealSignJob;
  resolve: (r: SealedAndSigned) => void;
  reject: (e: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  inflight: Map<number, Pending[]>;
}

/** Jobs per message to a worker: a slice of a batch is 32. */
const MAX_JOBS_PER_MESSAGE = 64;

/**
 * Sealing (JWE to several organisations) and signing of node-signed transactions on worker threads:
 * a batch of thousands of records otherwise spends a fifth of the main thread on them, which also
 * executes blocks and serves requests. The inline path and each worker run a SealSigner (from the
 * built @zizhu/chain on the workers), so the output is the same. With 0 workers everything runs
 * inline.
 *
 * Jobs asked for in one turn of the event loop travel in one message per worker. Signing seeds
 * cross to the workers of this process only; each SealSigner keeps a signer per key name, and a
 * batch's sealer (its ephemeral keys) until the batch is closed.
 */
export class SealSignPool {
  private readonly workers: PoolWorker[] = [];
  private readonly inline = new SealSigner();
  private queue: Pending[] = [];
  private scheduled = false;
  private nextId = 1;
  private next = 0;
  private closed = false;

  /**
   * Workers start with the first job: a node that never seals in batches does not pay for them.
   * With `nice` (1-19) they run at that lower scheduling priority (lowerThreadPriority).
   */
  constructor(
    private readonly size: number,
    private readonly nice = 0,
  ) {}

  /** A new sealing batch: JWEs sealed in it share ephemeral keys per recipient (JweSealer). Close it when done. */
  openBatch(): string {
    return randomUUID();
  }

  /** Forgets a batch's ephemeral keys, here and on every worker. */
  closeBatch(batch: string): void {
    this.inline.forget(batch);
    for (const w of this.workers) w.worker.postMessage({ forget: batch });
  }

  run(job: SealSignJob): Promise<SealedAndSigned> {
    if (this.closed) return Promise.reject(new Error('the sealing pool is closed'));
    if (this.size === 0) {
      try {
        return Promise.resolve(this.inline.run(job));
      } catch (e) {
        // As a worker answers it: the job's own error (its data), not a failure of the pool.
        return Promise.reject(new SealSignError((e as Error)?.message ?? String(e), typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : undefined));
      }
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue) p.reject(new Error('the sealing pool is closed'));
    this.queue = [];
    this.inline.clear();
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  private pump(): void {
    if (this.closed) return;
    while (this.workers.length < this.size) this.workers.push(this.spawn());
    while (this.queue.length > 0) {
      const jobs = this.queue.splice(0, MAX_JOBS_PER_MESSAGE);
      // The worker with the fewest messages in flight (round robin among equals).
      let w = this.workers[this.next++ % this.workers.length];
      for (const c of this.workers) if (c.inflight.size < w.inflight.size) w = c;
      const id = this.nextId++;
      w.inflight.set(id, jobs);
      w.worker.postMessage({ id, jobs: jobs.map((p) => p.job) });
    }
  }

  private spawn(): PoolWorker {
    const worker = new Worker(workerSource(this.nice), { eval: true });
    worker.unref();
    const pw: PoolWorker = { worker, inflight: new Map() };
    worker.on('message', (m: { id: number; out: Outcome[]; packed?: ArrayBuffer }) => {
      const jobs = pw.inflight.get(m.id);
      pw.inflight.delete(m.id);
      if (!jobs) return;
      let start = 0;
      jobs.forEach((p, i) => {
        const o = m.out[i];
        if (!o.ok) return p.reject(new SealSignError(o.error, o.code));
        const preimage = Buffer.from(m.packed!, start, o.end - start);
        start = o.end;
        let envelope: SignedTransaction['envelope'];
        try {
          envelope = envelopeOfPreimage(preimage);
        } catch (e) {
          return p.reject(new Error(`a sealing worker answered a preimage that is not one: ${(e as Error).message}`));
        }
        p.resolve({ signed: { envelope, signature: o.signature, publicKey: o.publicKey }, preimage });
      });
    });
    const fail = (e: Error) => {
      for (const jobs of pw.inflight.values()) for (const p of jobs) p.reject(new Error(`a sealing worker failed: ${e.message}`));
      pw.inflight.clear();
      const at = this.workers.indexOf(pw);
      // Dropped: the next job starts a new one (open batches start new ephemeral keys there).
      if (at >= 0) this.workers.splice(at, 1);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.closed) fail(new Error(`exited with ${code}`));
    });
    return pw;
  }
}

const sources = new Map<number, string>();

/**
 * The built entry point of a workspace package, found as Node finds it (node_modules upwards from
 * here, then the package's `exports`). Not createRequire: under Jest that is Jest's resolver, which
 * maps @zizhu packages to their TypeScript sources, and a worker thread cannot load those.
 */
function builtEntry(pkg: string): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, 'node_modules', pkg, 'package.json');
    if (existsSync(manifest)) {
      const json = JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: { '.'?: { default?: string } }; main?: string };
      return pathToFileURL(join(dirname(manifest), json.exports?.['.']?.default ?? json.main ?? 'index.js')).href;
    }
    if (dirname(dir) === dir) throw new Error(`${pkg} is not installed`);
  }
}

/**
 * The worker: loads the built @zizhu/chain (what the node itself runs) and seals and signs jobs with
 * a SealSigner, as the pool does inline. If it cannot be loaded, every job is answered with that
 * error (the worker does not die and get replaced in a loop).
 */
function workerSource(nice: number): string {
  const known = sources.get(nice);
  if (known) return known;
  const url = (pkg: string) => JSON.stringify(builtEntry(pkg));
  const source = `
${lowerThreadPrioritySource(nice)}const { parentPort } = require('node:worker_threads');
const loaded = import(${url('@zizhu/chain')}).then((mods) => ({ mods }), (e) => ({ error: String((e && e.message) || e) }));
let signer;
parentPort.on('message', async (m) => {
  const { mods, error } = await loaded;
  if (error !== undefined) {
    if (m.jobs) parentPort.postMessage({ id: m.id, out: m.jobs.map(() => ({ ok: false, error: 'the sealing worker could not load its modules: ' + error })) });
    return;
  }
  signer ??= new mods.SealSigner();
  if (m.forget !== undefined) {
    signer.forget(m.forget);
    return;
  }
  // The signed preimages end to end in one transferred buffer; the rest of each answer is strings.
  const preimages = [];
  let size = 0;
  const out = m.jobs.map((job) => {
    try {
      const { signed, preimage } = signer.run(job);
      preimages.push(preimage);
      size += preimage.length;
      return { ok: true, end: size, signature: signed.signature, publicKey: signed.publicKey };
    } catch (e) {
      return { ok: false, error: String((e && e.message) || e), code: e && typeof e.code === 'string' ? e.code : undefined };
    }
  });
  const packed = new Uint8Array(size);
  let at = 0;
  for (const p of preimages) {
    packed.set(p, at);
    at += p.length;
  }
  parentPort.postMessage({ id: m.id, out, packed: packed.buffer }, [packed.buffer]);
});
`;
  sources.set(nice, source);
  return source;
}
