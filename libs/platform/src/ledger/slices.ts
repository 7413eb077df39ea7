import { setImmediate as nextTurn } from 'node:timers/promises';

/*
 * Long batches (thousands of items sealed, signed and submitted by one request) run in slices with
 * a turn of the event loop between them, so that the committer's database replies and other
 * requests are served meanwhile instead of waiting behind the whole batch.
 */

/** Items per slice: about a millisecond or two of sealing and signing. */
export const BATCH_SLICE = 32;

/**
 * `Promise.allSettled(items.map(fn))`, started one slice at a time without waiting for earlier
 * slices to settle (a submission settles only when its block commits). Every promise is handled
 * as it is made, so a refusal while later slices start is never an unhandled rejection.
 */
export async function startInSlices<T, R>(items: readonly T[], fn: (item: T, index: number) => Promise<R>, size = BATCH_SLICE): Promise<PromiseSettledResult<R>[]> {
  const started: Promise<PromiseSettledResult<R>>[] = [];
  for (let at = 0; at < items.length; at += size) {
    if (at > 0) await nextTurn();
    for (let i = at; i < Math.min(items.length, at + size); i++) {
      let p: Promise<R>;
      try {
        p = fn(items[i], i);
      } catch (e) {
        p = Promise.reject(e);
      }
      started.push(p.then((value): PromiseSettledResult<R> => ({ status: 'fulfilled', value }), (reason: unknown): PromiseSettledResult<R> => ({ status: 'rejected', reason })));
    }
  }
  return Promise.all(started);
}
