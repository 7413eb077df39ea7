/**
 * Scheduling priority of worker threads.
 *
 * A node's main thread is its pipeline's critical path: it executes blocks, writes them and serves
 * requests, while worker threads verify signatures and seal metadata for it. On a machine with as
 * many busy threads as cores, the kernel shares each core equally among them, and the main thread,
 * which every record passes through, got about half a core while workers filled the rest. Workers
 * that run at a lower priority (a higher nice value) still get every cycle the main thread does not
 * want, so on an idle core nothing changes; under contention the main thread goes first.
 *
 * Linux only: there `setpriority` on a thread id applies to that thread alone, and a thread finds its
 * id in `/proc/thread-self`. Elsewhere, or where lowering is refused, it does nothing. Lowering needs
 * no privilege; a thread cannot raise itself back, which is why only workers call it.
 */

/** What lowerThreadPriority needs of node:fs and node:os (passed in: it also runs inside eval'd worker sources). */
export interface ThreadPriorityDeps {
  readlinkSync(path: string): string;
  setPriority(pid: number, priority: number): void;
}

/**
 * Lowers the calling thread's priority to nice `nice` (1 to 19); answers whether it did. A thread of
 * its own: never call it on a process's main thread, whose id is the process id (the whole process).
 * Written to be serialised with `toString()` into a worker's source: no imports, no closures.
 */
export function lowerThreadPriority(nice: number, deps: ThreadPriorityDeps): boolean {
  if (!(nice >= 1)) return false;
  try {
    const tid = Number(deps.readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isSafeInteger(tid) || tid <= 0) return false;
    deps.setPriority(tid, Math.min(19, Math.trunc(nice)));
    return true;
  } catch {
    return false;
  }
}

/**
 * The statement a worker's eval'd (CommonJS) source runs first to lower its own priority: the
 * function above, serialised, called with node:fs and node:os. Empty for `nice` 0.
 */
export function lowerThreadPrioritySource(nice: number): string {
  if (!(nice >= 1)) return '';
  return `${lowerThreadPriority.toString()}\nlowerThreadPriority(${Math.min(19, Math.trunc(nice))}, { readlinkSync: require('node:fs').readlinkSync, setPriority: require('node:os').setPriority });\n`;
}
