import { readFileSync } from 'node:fs';

/**
 * Summarises V8 .cpuprofile files (from `node --cpu-prof`): the functions with the most self time,
 * and (with --inclusive) the most total time, as % of the profile's sampled time.
 *
 *   node bench/dist/tools/cpuprofile-top.js <file.cpuprofile> [--top 25] [--inclusive] [--callers <name>]
 *
 * `--callers <name>`: the time spent in functions whose label starts with `name` (self and below),
 * by the function that called them (the outermost such call of a stack counts once).
 */
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const argv = process.argv.slice(2);
const topIdx = argv.indexOf('--top');
const top = topIdx >= 0 ? Number(argv[topIdx + 1]) : 25;
const inclusive = argv.includes('--inclusive');
const callersIdx = argv.indexOf('--callers');
const callersOf = callersIdx >= 0 ? argv[callersIdx + 1] : undefined;
const files = argv.filter((a, i) => !a.startsWith('--') && !/^\d+$/.test(a) && !(callersIdx >= 0 && i === callersIdx + 1));

const label = (n: Node): string => {
  const f = n.callFrame;
  const where = f.url ? f.url.replace(/^file:\/\/.*?\/(node_modules|libs|contracts|bench|apps)\//, '$1/') : '';
  return `${f.functionName || '(anonymous)'} ${where ? `${where}:${f.lineNumber + 1}` : ''}`.trim();
};

for (const file of files) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Time per node from samples and their deltas (more exact than hitCount).
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  let total = 0;
  let idle = 0;
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const callers = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    total += us;
    const name = label(n);
    if (n.callFrame.functionName === '(idle)') idle += us;
    self.set(name, (self.get(name) ?? 0) + us);
    if (callersOf !== undefined) {
      // The outermost frame matching, and its caller.
      let caller: string | undefined;
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const up = parent.get(cur);
        if (label(byId.get(cur)!).startsWith(callersOf)) caller = up === undefined ? '(root)' : label(byId.get(up)!);
      }
      if (caller !== undefined) callers.set(caller, (callers.get(caller) ?? 0) + us);
    }
    if (inclusive) {
      const seen = new Set<string>();
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const nm = label(byId.get(cur)!);
        if (seen.has(nm)) continue;
        seen.add(nm);
        incl.set(nm, (incl.get(nm) ?? 0) + us);
      }
    }
  }
  const busy = total - idle;
  console.log(`\n${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (${((busy / total) * 100).toFixed(0)}%); % of busy time`);
  const print = (title: string, m: Map<string, number>) => {
    console.log(`-- ${title}`);
    for (const [name, us] of [...m].filter(([n]) => !n.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`${((us / busy) * 100).toFixed(1).padStart(6)}%  ${(us / 1e3).toFixed(0).padStart(7)} ms  ${name}`);
    }
  };
  print('self time', self);
  if (inclusive) print('total time (inclusive)', incl);
  if (callersOf !== undefined) print(`callers of ${callersOf}`, callers);
}
