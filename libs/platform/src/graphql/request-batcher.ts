import type { RequestContext } from '../context/principal.js';

/** Settles each key of a batch: its value, or the error that key alone fails with. */
export type BatchResults<K, V> = Map<K, V | Error>;

interface Waiter<V> {
  resolve: (value: V) => void;
  reject: (error: unknown) => void;
}

/**
 * Loads asked for in the same tick, handled by one call of `batch`: what GraphQL asks when it
 * resolves a field of every item of a page (DataLoader's scheduling: the batch runs once the
 * promise jobs of the tick have settled). At most `maxBatch` distinct keys a call; a key asked
 * for twice shares one result. A key `batch` leaves out fails.
 */
export class RequestBatcher<K, V> {
  private pending: Map<K, Waiter<V>[]> | undefined;

  /**
   * `across: 'requests'` waits for the event loop's next check phase instead of the next tick: loads
   * of the requests read from the network in one poll (one process-wide batcher of public data, say)
   * share a call.
   */
  constructor(
    private readonly batch: (keys: K[]) => Promise<BatchResults<K, V>>,
    private readonly maxBatch = 100,
    private readonly options: { across?: 'tick' | 'requests' } = {},
  ) {}

  load(key: K): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      if (!this.pending || (this.pending.size >= this.maxBatch && !this.pending.has(key))) {
        const pending = new Map<K, Waiter<V>[]>();
        this.pending = pending;
        // After the current promise jobs (other resolvers reaching load), then the next tick.
        if (this.options.across === 'requests') setImmediate(() => void this.dispatch(pending));
        else void Promise.resolve().then(() => process.nextTick(() => void this.dispatch(pending)));
      }
      const waiters = this.pending.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
    });
  }

  private async dispatch(pending: Map<K, Waiter<V>[]>): Promise<void> {
    if (this.pending === pending) this.pending = undefined;
    let results: BatchResults<K, V>;
    try {
      results = await this.batch([...pending.keys()]);
    } catch (e) {
      for (const waiters of pending.values()) for (const w of waiters) w.reject(e);
      return;
    }
    for (const [key, waiters] of pending) {
      const result = results.has(key) ? results.get(key)! : new Error(`the batch left ${String(key)} out`);
      for (const w of waiters) {
        if (result instanceof Error) w.reject(result);
        else w.resolve(result);
      }
    }
  }
}

/**
 * One batcher per request (per RequestContext, gone with it), made by `create` on first use: a
 * service keeps one of these per kind of load.
 */
export function perRequest<K, V>(create: (ctx: RequestContext) => RequestBatcher<K, V>): (ctx: RequestContext) => RequestBatcher<K, V> {
  const batchers = new WeakMap<RequestContext, RequestBatcher<K, V>>();
  return (ctx) => {
    let batcher = batchers.get(ctx);
    if (!batcher) batchers.set(ctx, (batcher = create(ctx)));
    return batcher;
  };
}
