import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, type BenchArgs } from './support.js';

/**
 * `npm run bench -- <name> [options]` runs bench/src/<name>.bench.ts; without a name it lists the
 * benchmarks; `all` runs each in turn (with the same options).
 */
interface BenchModule {
  description: string;
  run(args: BenchArgs): Promise<void>;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const SUFFIX = '.bench.js';

function available(): string[] {
  return readdirSync(HERE)
    .filter((f) => f.endsWith(SUFFIX))
    .map((f) => f.slice(0, -SUFFIX.length))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** The order `all` runs them in (anything new goes last). */
const ORDER = ['chain-throughput', 'chain-latency', 'proofs', 'ledger-verify'];
const rank = (name: string): number => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);

const load = async (name: string): Promise<BenchModule> => (await import(pathToFileURL(`${HERE}/${name}${SUFFIX}`).href)) as BenchModule;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const names = available();
  if (!name || name === '--help' || name === 'list') {
    console.log('usage: npm run bench -- <name>|all [options]\n\nbenchmarks:');
    for (const n of names) console.log(`  ${n.padEnd(18)} ${(await load(n)).description}`);
    console.log('\ncommon options: --keep (keep the benchmark databases); BENCH_DATABASE_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres)');
    return 0;
  }
  const args = parseArgs(rest);
  const todo = name === 'all' ? names : [name];
  for (const n of todo) {
    if (!names.includes(n)) {
      console.error(`unknown benchmark ${n}; have: ${names.join(', ')}`);
      return 2;
    }
  }
  for (const n of todo) {
    // A forked scenario (`--job`) reports through its parent, which has printed the header.
    if (!args.options.has('job')) console.log(`\n=== ${n}`);
    await (await load(n)).run(args);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);
