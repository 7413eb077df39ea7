import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** True where a thread can read its own id (`/proc/thread-self`) and threads' nice values are in /proc: Linux. */
export const threadsInProc = existsSync('/proc/thread-self');

/** This process's thread ids (`/proc/<pid>/task`). */
export function threadIds(): number[] {
  return readdirSync(`/proc/${process.pid}/task`).map(Number);
}

/** A thread's nice value (field 19 of /proc/<pid>/task/<tid>/stat); undefined for one that ended meanwhile. */
export function niceOfThread(tid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}
