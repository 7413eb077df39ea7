import { describe, it, expect } from '@jest/globals';
import type { RequestContext } from '../context/principal.js';
import { RequestBatcher, perRequest, type BatchResults } from './request-batcher.js';

const twice = (calls: string[][]) => async (keys: string[]): Promise<BatchResults<string, string>> => {
  calls.push(keys);
  return new Map(keys.map((k) => [k, k === 'bad' ? new Error('bad key') : `${k}${k}`]));
};

describe('RequestBatcher', () => {
  it('handles the loads of one tick in one call, after awaits that settle without I/O (what resolvers do before reaching it)', async () => {
    const calls: string[][] = [];
    const batcher = new RequestBatcher(twice(calls));
    const viaAwaits = async (key: string) => {
      await Promise.resolve();
      await null;
      return batcher.load(key);
    };
    const values = await Promise.all([batcher.load('a'), viaAwaits('b'), batcher.load('c'), viaAwaits('a')]);
    expect(values).toEqual(['aa', 'bb', 'cc', 'aa']);
    expect(calls.map((keys) => [...keys].sort())).toEqual([['a', 'b', 'c']]);
    // A later tick is another call.
    expect(await batcher.load('d')).toBe('dd');
    expect(calls).toHaveLength(2);
  });

  it("across: 'requests' also batches loads made in separate macrotasks of one event-loop turn (requests read in one poll)", async () => {
    const calls: string[][] = [];
    const perTick = new RequestBatcher(twice([]));
    const across = new RequestBatcher(twice(calls), 100, { across: 'requests' });
    // Two timers due together run in one timers phase, each its own macrotask.
    const loads = await new Promise<Promise<string>[]>((resolve) => {
      const out: Promise<string>[] = [];
      setTimeout(() => out.push(across.load('a')), 0);
      setTimeout(() => {
        out.push(across.load('b'));
        resolve(out);
      }, 0);
      // Node stamps each timer with a freshly read loop clock, so under load the two can be 1 ms
      // apart and fall due in different loop turns. Waiting here makes both due before the loop
      // reaches its timers phase, as timers due together are.
      const until = performance.now() + 3;
      while (performance.now() < until);
    });
    expect(await Promise.all(loads)).toEqual(['aa', 'bb']);
    expect(calls).toEqual([['a', 'b']]);
    expect(await perTick.load('c')).toBe('cc');
  });

  it('splits at maxBatch distinct keys', async () => {
    const calls: string[][] = [];
    const batcher = new RequestBatcher(twice(calls), 2);
    await Promise.all(['a', 'b', 'a', 'c', 'd', 'e'].map((k) => batcher.load(k)));
    expect(calls).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('fails only the keys the batch failed, or left out; a batch that throws fails all its keys', async () => {
    const batcher = new RequestBatcher(twice([]));
    const [good, bad] = await Promise.allSettled([batcher.load('ok'), batcher.load('bad')]);
    expect(good).toEqual({ status: 'fulfilled', value: 'okok' });
    expect(bad).toMatchObject({ status: 'rejected', reason: { message: 'bad key' } });

    const partial = new RequestBatcher<string, string>(async () => new Map([['x', 'X']]));
    await expect(Promise.all([partial.load('x'), partial.load('y')])).rejects.toThrow(/left y out/);
    const failing = new RequestBatcher<string, string>(async () => {
      throw new Error('unavailable');
    });
    const settled = await Promise.allSettled([failing.load('p'), failing.load('q')]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
  });

  it('perRequest: one batcher per request context', () => {
    const batcherOf = perRequest((_ctx: RequestContext) => new RequestBatcher(twice([])));
    const a: RequestContext = { ip: '127.0.0.1', requestId: 'a' };
    const b: RequestContext = { ip: '127.0.0.1', requestId: 'b' };
    expect(batcherOf(a)).toBe(batcherOf(a));
    expect(batcherOf(a)).not.toBe(batcherOf(b));
  });
});
