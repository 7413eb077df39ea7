import { mapInSlices, startInSlices } from './slices.js';

describe('batch slices', () => {
  it('mapInSlices keeps order, and lets a timer due meanwhile run between slices', async () => {
    const seen: string[] = [];
    setImmediate(() => seen.push('other work'));
    const out = await mapInSlices([1, 2, 3, 4, 5], async (x, i) => {
      seen.push(`item ${i}`);
      return x * 10;
    }, 2);
    expect(out).toEqual([10, 20, 30, 40, 50]);
    // The other work ran after the first slice, not after the whole batch.
    expect(seen.indexOf('other work')).toBe(2);
  });

  it('mapInSlices stops at the first failure: later slices never start', async () => {
    const started: number[] = [];
    await expect(
      mapInSlices([0, 1, 2, 3, 4, 5], async (x) => {
        started.push(x);
        if (x === 1) throw new Error('item 1 is bad');
        return x;
      }, 2),
    ).rejects.toThrow('item 1 is bad');
    expect(started).toEqual([0, 1]);
  });

  it('startInSlices settles every item, in order, and a refusal made while later slices start is handled (no unhandled rejection)', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const settled = await startInSlices([0, 1, 2, 3, 4], (x) => {
        if (x === 3) throw new Error('thrown synchronously');
        return x === 0 ? Promise.reject(new Error('refused at once')) : new Promise<number>((r) => setTimeout(() => r(x), 5));
      }, 2);
      expect(settled.map((s) => s.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      expect(settled[2]).toEqual({ status: 'fulfilled', value: 2 });
      expect(((settled[0] as PromiseRejectedResult).reason as Error).message).toBe('refused at once');
      await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
