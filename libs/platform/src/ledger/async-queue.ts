import type { Observable } from 'rxjs';

/**
 * An rxjs stream as an AsyncIterator (what GraphQL subscriptions consume). A slow consumer keeps
 * at most `maxBuffered` values; older ones are dropped rather than letting memory grow.
 */
export function toAsyncIterator<T>(source: Observable<T>, maxBuffered = 1000): AsyncIterableIterator<T> {
  const buffer: T[] = [];
  let waiting: ((r: IteratorResult<T>) => void) | undefined;
  let done = false;
  const subscription = source.subscribe({
    next(value) {
      if (waiting) {
        const w = waiting;
        waiting = undefined;
        w({ value, done: false });
        return;
      }
      buffer.push(value);
      if (buffer.length > maxBuffered) buffer.shift();
    },
    complete() {
      done = true;
      waiting?.({ value: undefined, done: true });
      waiting = undefined;
    },
  });
  const finish = (): Promise<IteratorResult<T>> => {
    done = true;
    subscription.unsubscribe();
    buffer.length = 0;
    waiting?.({ value: undefined, done: true });
    waiting = undefined;
    return Promise.resolve({ value: undefined, done: true });
  };
  return {
    next() {
      if (buffer.length > 0) return Promise.resolve({ value: buffer.shift() as T, done: false });
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => (waiting = resolve));
    },
    return: finish,
    throw: (e?: unknown) => finish().then(() => Promise.reject(e)),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
