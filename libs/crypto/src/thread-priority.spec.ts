import { describe, expect, it } from '@jest/globals';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ed25519VerifyWorkerSource } from './ed25519.js';
import { niceOfThread, threadsInProc } from '../../../test/support/threads.js';
import { lowerThreadPriority, lowerThreadPrioritySource } from './thread-priority.js';

/** Runs a worker from eval'd source that answers its own thread id once started, and waits for it. */
async function workerThreadId(source: string): Promise<{ tid: number; stop: () => Promise<number> }> {
  const worker = new Worker(`${source}\nrequire('node:worker_threads').parentPort.postMessage(Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop()));`, { eval: true });
  const tid = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { tid, stop: () => worker.terminate() };
}

(threadsInProc ? describe : describe.skip)('lowerThreadPriority (Linux)', () => {
  it('lowers the calling worker thread only, never the main thread', async () => {
    const main = niceOfThread(process.pid)!;
    const w = await workerThreadId(lowerThreadPrioritySource(7));
    try {
      expect(niceOfThread(w.tid)).toBe(Math.max(7, main));
      expect(niceOfThread(process.pid)).toBe(main);
    } finally {
      await w.stop();
    }
  });

  it('the verify worker lowers itself when asked to, and stays at the main thread\'s priority with 0', async () => {
    const main = niceOfThread(process.pid)!;
    const lowered = await workerThreadId(ed25519VerifyWorkerSource(9));
    const plain = await workerThreadId(ed25519VerifyWorkerSource(0));
    try {
      expect(niceOfThread(lowered.tid)).toBe(Math.max(9, main));
      expect(niceOfThread(plain.tid)).toBe(main);
    } finally {
      await Promise.all([lowered.stop(), plain.stop()]);
    }
  });
});

describe('lowerThreadPriority', () => {
  it('does nothing for 0 or less, caps at 19, and answers false where the thread id cannot be read or set', () => {
    const calls: [number, number][] = [];
    const deps = { readlinkSync: () => '1234/task/5678', setPriority: (pid: number, p: number) => void calls.push([pid, p]) };
    expect(lowerThreadPriority(0, deps)).toBe(false);
    expect(lowerThreadPriority(-3, deps)).toBe(false);
    expect(lowerThreadPriority(40, deps)).toBe(true);
    expect(calls).toEqual([[5678, 19]]);
    expect(lowerThreadPriority(5, { readlinkSync: () => 'self', setPriority })).toBe(false);
    const refused = { readlinkSync, setPriority: () => { throw new Error('EACCES'); } };
    expect(lowerThreadPriority(5, refused)).toBe(false);
    expect(lowerThreadPrioritySource(0)).toBe('');
  });
});
