/**
 * Committed state values (canonical JSON text) by key, with null meaning "known absent". Bounded:
 * past `max` entries the oldest are dropped. Only committed values enter it, so a failed commit
 * never leaves it ahead of the database.
 */
export class StateCache {
  private readonly map = new Map<string, string | null>();
  constructor(private readonly max: number) {}

  has(key: string): boolean {
    return this.map.has(key);
  }
  get(key: string): string | null | undefined {
    return this.map.get(key);
  }
  set(key: string, value: string | null): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) {
      const drop = Math.ceil(this.max / 10);
      let i = 0;
      for (const k of this.map.keys()) {
        if (i++ >= drop) break;
        this.map.delete(k);
      }
    }
  }
  entries(): IterableIterator<[string, string | null]> {
    return this.map.entries();
  }
  clear(): void {
    this.map.clear();
  }
}
