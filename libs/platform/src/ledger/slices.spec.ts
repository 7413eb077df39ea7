import { startInSlices } from './slices.js';

describe('batch slices', () => {
  it('startInSlices lets other work due meanwhile run between slices, not only after the whole batch', async () => {
    const seen: string[] = [];
    setImmediate(() => seen.push('other work'));
    const settled = await startInSlices([1, 2, 3, 4, 5], async (x, i) => {
      seen.push(`item ${i}`);
      return x * 10;
    }, 2);
    expect(settled.map((s) => (s as PromiseFulfilledResult<number>).value)).toEqual([10, 20, 30, 40, 50]);
    expect(seen.indexOf('other work')).toBe(2);
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
