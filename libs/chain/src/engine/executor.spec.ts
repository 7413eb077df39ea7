import { describe, it, expect } from '@jest/globals';
import { Ed25519Signer, generateEd25519, type JsonValue } from '@zizhu/crypto';
import type { ContractContext, Sender } from '../contract/index.js';
import { keyIdOf, parseSignedTransaction, signTransaction, type ParsedTransaction } from '../formats/index.js';
import type { ConsortiumDirectory } from './directory.js';
import { executeBlock, type DeployedContract, type StateSource } from './executor.js';
import { StateCache } from './state-cache.js';

const ARGS = { type: 'object', properties: { id: { type: 'string' }, from: { type: 'string' } } } as const;

/** Counts its calls (discovery runs included), which a real contract must not do. */
class Counter {
  static calls = 0;
  static readonly contractName = 'counter';
  static readonly version = '1';
  static readonly methods = { bump: { args: ARGS }, copy: { args: ARGS } };

  async bump(ctx: ContractContext, args: { id: string }) {
    Counter.calls++;
    const n = (await ctx.state.get<number>(`c/${args.id}`)) ?? 0;
    ctx.state.put(`c/${args.id}`, n + 1);
    return n + 1;
  }

  /** Reads `from` (declared) and `c/total` (never declared), writes `id`. */
  async copy(ctx: ContractContext, args: { id: string; from: string }) {
    Counter.calls++;
    const v = (await ctx.state.get<number>(`c/${args.from}`)) ?? 0;
    const total = (await ctx.state.get<number>('c/total')) ?? 0;
    ctx.state.put(`c/${args.id}`, v + total);
    return v + total;
  }
}

class DeclaringCounter extends Counter {
  static reads(method: string, args: { readonly [key: string]: JsonValue }, sender: Sender): readonly string[] | undefined {
    void sender;
    if (args.id === 'explode') throw new Error('cannot tell');
    if (method === 'bump') return [`c/${String(args.id)}`];
    if (method === 'copy') return [`c/${String(args.from)}`];
    return undefined;
  }
}

const signer = new Ed25519Signer(generateEd25519().privateKey);
const keyId = keyIdOf(signer.publicKey);
const directory: ConsortiumDirectory = {
  consortiumId: 'test',
  height: 1,
  signer: (id) => (id === keyId ? { keyId, org: 'org-a', orgKind: 'BANK', roles: [], publicKey: '' } : undefined),
  channel: (name) => (name === 'ch' ? { members: ['org-a'], contracts: ['counter'] } : undefined),
  contract: () => 'ACTIVE',
  proposer: () => undefined,
  apply: () => undefined,
};

/** The committed state, in memory (as replay keeps it), counting the reads that reach it. */
function memorySource(entries: Record<string, number>): StateSource & { reads: string[][] } {
  const state = new Map(Object.entries(entries).map(([k, v]) => [k, JSON.stringify(v)]));
  const reads: string[][] = [];
  return {
    reads,
    async read(keys) {
      reads.push([...keys].sort());
      return new Map(keys.filter((k) => state.has(k)).map((k) => [k, state.get(k)!]));
    },
    async range() {
      return [];
    },
  };
}

const tx = (method: string, args: Record<string, string>, nonce: number): ParsedTransaction =>
  parseSignedTransaction(signTransaction({ channel: 'ch', contract: 'counter', method, args, ts: 1, nonce: nonce.toString(16).padStart(32, '0') }, signer));

async function run(cls: typeof Counter, txs: ParsedTransaction[], source: StateSource) {
  Counter.calls = 0;
  const deployed: DeployedContract = { cls, instance: new cls() as unknown as Record<string, unknown>, codeHash: 'x' };
  const out = await executeBlock({ channel: 'ch', systemChannel: 'system', height: 2, time: 1, txs, contracts: new Map([['counter', deployed]]), directory, cache: new StateCache(1000), source });
  return { calls: Counter.calls, results: out.executed.map((e) => `${e.status} ${e.result}`), writes: out.writes.filter(([k]) => !k.startsWith('~')) };
}

describe('executeBlock: declared reads', () => {
  const bumps = Array.from({ length: 50 }, (_, i) => tx('bump', { id: `k${i % 10}` }, i));
  const stored = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`c/k${i}`, i * 100]));

  it('a block whose calls declare their reads fetches them in one query and runs each call once; the results are those of discovery', async () => {
    const declaredSource = memorySource(stored);
    const declared = await run(DeclaringCounter, bumps, declaredSource);
    const discoveredSource = memorySource(stored);
    const discovered = await run(Counter, bumps, discoveredSource);
    expect(declared.calls).toBe(50);
    expect(discovered.calls).toBe(100);
    expect(declaredSource.reads.filter((r) => r.some((k) => k.startsWith('c/')))).toEqual([Array.from({ length: 10 }, (_, i) => `c/k${i}`).sort()]);
    expect(declared.results).toEqual(discovered.results);
    expect(declared.writes).toEqual(discovered.writes);
    expect(declared.writes).toContainEqual(['c/k3', String(300 + 5)]);
  });

  it('a key read but not declared is still read (a round trip of its own), and a declaration that throws falls back to discovery', async () => {
    const source = memorySource({ 'c/a': 7, 'c/total': 1000 });
    const r = await run(DeclaringCounter, [tx('copy', { id: 'b', from: 'a' }, 1), tx('bump', { id: 'explode' }, 2)], source);
    expect(r.results[0]).toBe('COMMITTED {"events":[],"value":1007}');
    expect(r.writes).toContainEqual(['c/b', '1007']);
    expect(r.writes).toContainEqual(['c/explode', '1']);
    // copy ran once; the bump whose declaration threw ran twice (discovery, then for real).
    expect(r.calls).toBe(3);
    const counterReads = source.reads.filter((keys) => keys.some((k) => k.startsWith('c/')));
    expect(counterReads).toEqual([['c/a', 'c/explode'], ['c/total']]);
  });
});

describe('executeBlock: a long block lets the event loop turn', () => {
  it('I/O and timers due meanwhile run while a block of 1,000 calls executes, not only after it (the results are the same)', async () => {
    const txs = Array.from({ length: 1_000 }, (_, i) => tx('bump', { id: `k${i % 7}` }, i));
    const seen: number[] = [];
    // Callbacks of the next turn of the loop (where a commit's answers from Postgres are handled).
    const watch = setInterval(() => seen.push(Counter.calls), 0);
    let r: Awaited<ReturnType<typeof run>>;
    try {
      r = await run(DeclaringCounter, txs, memorySource({}));
    } finally {
      clearInterval(watch);
    }
    expect(r.calls).toBe(1_000);
    // Some turns came while calls were still being run.
    expect(seen.some((calls) => calls > 0 && calls < 1_000)).toBe(true);
    expect(r.writes).toContainEqual(['c/k0', String(Math.ceil(1_000 / 7))]);
  });
});
