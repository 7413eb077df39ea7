import { Worker } from 'node:worker_threads';
import { ed25519Verify, ed25519VerifyWorkerSource, verifyPacked as verifyPackedInline } from '@zizhu/crypto';

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

/** A chunk already in the workers' format (a SignatureBatch's), answered through its callbacks. */
interface Packet {
  buffer: Buffer;
  count: number;
  answer: (ok: Uint8Array) => void;
  fail: (e: Error) => void;
}

/** Per job in a packed batch: u32 message length, 32-byte key, 64-byte signature, the message. */
const JOB_HEADER = 4 + 32 + 64;
/**
 * Packets a worker may hold at once. More than one, so that a worker finishing one starts the next
 * without waiting for the main thread to turn its event loop (a reader filling batches keeps it
 * busy for tens of milliseconds at a time); few, so that the work stays spread over the workers.
 */
const PACKETS_PER_WORKER = 4;

/**
 * Ed25519 verification on worker threads. Requests are gathered into batches, and a batch travels
 * as ONE transferred ArrayBuffer (keys, signatures and messages packed end to end; the answer is one
 * byte a job, transferred back): no structured clone of per-signature objects either way, which
 * cost the main thread and the workers ~10 µs a signature (a third of a libsodium verify).
 * `verifyMany` answers a whole block's signatures with one promise; a `SignatureBatch` (see
 * `batch()`) packs signatures as they are read and streams them to the workers. With `workers: 0`
 * it verifies inline. With `nice` (1-19) the workers run at that lower scheduling priority than the
 * thread that feeds them (a node's main thread; see lowerThreadPriority).
 */
export class SignaturePool {
  private readonly workers: Worker[] = [];
  /** Messages each worker holds (index as in `workers`). */
  private readonly load: number[] = [];
  /** Messages at the workers, with the worker (index) holding each. */
  private readonly inflight = new Map<number, { w: number; held: Job[] | Packet }>();
  /** Workers that crashed: never sent anything again. */
  private readonly dead = new Set<number>();
  private queue: Job[] = [];
  private packets: Packet[] = [];
  private nextId = 1;
  private scheduled = false;
  private closed = false;

  constructor(
    workers: number,
    private readonly maxBatch = 256,
    nice = 0,
  ) {
    const source = workers > 0 ? ed25519VerifyWorkerSource(nice) : '';
    for (let i = 0; i < workers; i++) {
      const w = new Worker(source, { eval: true });
      w.unref();
      w.on('message', (m: { id: number; ok: Uint8Array }) => {
        const held = this.inflight.get(m.id)?.held;
        this.inflight.delete(m.id);
        this.load[i]--;
        if (Array.isArray(held)) for (let k = 0; k < held.length; k++) settle(held[k], m.ok[k] === 1);
        else held?.answer(m.ok);
        this.pump();
      });
      w.on('error', (e) => this.fail(i, e));
      this.workers.push(w);
      this.load.push(0);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** A batch whose signatures are packed as they are added and verified on this pool's workers. */
  batch(): SignatureBatch {
    return new SignatureBatch(this);
  }

  verify(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): Promise<boolean> {
    if (this.inline) return Promise.resolve(ed25519Verify(pub, msg, sig));
    return this.verifyMany([pub], [msg], [sig]).then((r) => r[0] === 1);
  }

  /** One answer per signature, in order: 1 verifies, 0 does not. */
  verifyMany(pubs: readonly Uint8Array[], msgs: readonly Uint8Array[], sigs: readonly Uint8Array[]): Promise<Uint8Array> {
    const n = pubs.length;
    if (msgs.length !== n || sigs.length !== n) return Promise.reject(new Error('verifyMany needs as many keys, messages and signatures'));
    if (this.inline) {
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

  /**
   * Verifies a packed chunk (the workers' format; its buffer must own its whole ArrayBuffer, which
   * is transferred): at once and inline with no workers, else sent now if a worker can take it.
   */
  verifyPacked(buffer: Buffer, count: number, answer: (ok: Uint8Array) => void, fail: (e: Error) => void): void {
    if (this.inline) return answer(verifyPackedInline(buffer, count));
    if (this.closed) return fail(new Error('signature pool closed'));
    this.packets.push({ buffer, count, answer, fail });
    this.pump();
  }

  private pump(): void {
    // Packed chunks go to the least loaded worker, a few per worker.
    while (this.packets.length > 0) {
      let w = 0;
      for (let i = 1; i < this.load.length; i++) if (this.load[i] < this.load[w]) w = i;
      if (this.load[w] >= PACKETS_PER_WORKER) break;
      const p = this.packets.shift()!;
      this.post(w, p, p.buffer.buffer as ArrayBuffer, p.count);
    }
    // Single signatures are packed here and go to idle workers, split evenly over them.
    let idle = 0;
    for (const l of this.load) if (l === 0) idle++;
    for (let w = 0; w < this.load.length && this.queue.length > 0; w++) {
      if (this.load[w] !== 0) continue;
      const take = Math.min(this.maxBatch, Math.ceil(this.queue.length / idle--));
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
      this.post(w, jobs, packed.buffer, jobs.length);
    }
  }

  private post(w: number, held: Job[] | Packet, packed: ArrayBuffer, count: number): void {
    const id = this.nextId++;
    this.inflight.set(id, { w, held });
    this.load[w]++;
    this.workers[w].postMessage({ id, count, packed }, [packed]);
  }

  /** No live worker (none configured, or all crashed): verify on the calling thread. */
  private get inline(): boolean {
    return this.dead.size === this.workers.length;
  }

  private fail(w: number, e: Error): void {
    // A crashed worker is never used again, and what it held must not leave submitters waiting:
    // single signatures are verified inline; a packed chunk's bytes went to the worker, so its
    // batch fails with the error instead.
    this.dead.add(w);
    this.load[w] = Number.POSITIVE_INFINITY;
    for (const [id, { w: holder, held }] of this.inflight) {
      if (holder !== w) continue;
      this.inflight.delete(id);
      if (Array.isArray(held)) for (const j of held) settle(j, ed25519Verify(j.pub, j.msg, j.sig));
      else held.fail(new Error(`signature worker failed: ${e.message}`));
    }
    if (this.inline) {
      // Nothing left to send waiting work to.
      for (const j of this.queue.splice(0)) settle(j, ed25519Verify(j.pub, j.msg, j.sig));
      for (const p of this.packets.splice(0)) p.answer(verifyPackedInline(p.buffer, p.count));
    } else this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    for (const j of this.queue) settle(j, ed25519Verify(j.pub, j.msg, j.sig));
    this.queue = [];
    for (const p of this.packets.splice(0)) p.answer(verifyPackedInline(p.buffer, p.count));
  }
}

function settle(job: Job, ok: boolean): void {
  const sink = job.sink;
  sink.results[job.slot] = ok ? 1 : 0;
  if (--sink.remaining === 0) sink.resolve(sink.results);
}


/**
 * Signatures written straight into the buffers a pool's workers receive, as a reader decodes them:
 * keys and signatures from base64 and messages from text, with no per-signature Buffer or job
 * object (`ledger verify` checks hundreds of thousands, and the garbage of those objects cost its
 * main thread more than the packing). Each chunk of up to `maxPerChunk` signatures goes to the
 * workers as soon as it is full, so they verify while the reader is still reading.
 */
export class SignatureBatch {
  private chunk: Buffer | undefined;
  private at = 0;
  private count = 0;
  private sent = 0;
  private pending = 0;
  private readonly answers: { slot: number; ok: Uint8Array }[] = [];
  private failure: Error | undefined;
  private whenDone: (() => void) | undefined;

  constructor(
    private readonly pool: SignaturePool,
    private readonly maxPerChunk = 256,
    private readonly chunkBytes = 256 * 1024,
  ) {}

  /** Signatures added so far. */
  get size(): number {
    return this.sent + this.count;
  }

  /**
   * Adds one signature over `messagePrefix || messageText` (UTF-8) and returns the message's bytes:
   * a view valid until the next `add` or `verify`. A key or signature that does not decode to 32
   * or 64 bytes is the caller's error (RangeError).
   */
  add(publicKeyBase64: string, signatureBase64: string, messagePrefix: string, messageText: string): Buffer {
    const length = Buffer.byteLength(messagePrefix) + Buffer.byteLength(messageText);
    const need = JOB_HEADER + length;
    if (!this.chunk || this.count === this.maxPerChunk || this.at + need > this.chunk.length) {
      this.send();
      // allocUnsafeSlow: a chunk owns its ArrayBuffer, which is transferred to a worker whole.
      this.chunk = Buffer.allocUnsafeSlow(Math.max(this.chunkBytes, need));
    }
    const c = this.chunk;
    const at = this.at;
    c.writeUInt32BE(length, at);
    if (c.write(publicKeyBase64, at + 4, 32, 'base64') !== 32 || c.write(signatureBase64, at + 36, 64, 'base64') !== 64) {
      throw new RangeError('an Ed25519 key is 32 bytes and a signature 64');
    }
    const m = at + JOB_HEADER;
    c.write(messageText, m + c.write(messagePrefix, m));
    this.at = m + length;
    this.count++;
    return c.subarray(m, m + length);
  }

  /** One answer per signature, in the order added: 1 verifies, 0 does not. Nothing may be added after. */
  verify(): Promise<Uint8Array> {
    this.send();
    return new Promise((resolve, reject) => {
      const done = (): void => {
        if (this.failure) return reject(this.failure);
        const results = new Uint8Array(this.sent);
        for (const a of this.answers) results.set(a.ok, a.slot);
        resolve(results);
      };
      if (this.pending === 0) done();
      else this.whenDone = done;
    });
  }

  private send(): void {
    const chunk = this.chunk;
    const count = this.count;
    this.chunk = undefined;
    this.at = 0;
    this.count = 0;
    if (!chunk || count === 0) return;
    const slot = this.sent;
    this.sent += count;
    this.pending++;
    const finish = (): void => {
      if (--this.pending === 0) this.whenDone?.();
    };
    this.pool.verifyPacked(
      chunk,
      count,
      (ok) => {
        this.answers.push({ slot, ok });
        finish();
      },
      (e) => {
        this.failure ??= e;
        finish();
      },
    );
  }
}
