import canonicalize from 'canonicalize';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * The one RFC 8785 (JCS) serialisation used for everything hashed or signed.
 * Refuses values JCS cannot represent (undefined at top level, NaN, Infinity, bigint, functions).
 */
export function canonicalJson(value: unknown): string {
  assertNoFunctions(value, new Set());
  const out = canonicalize(value);
  if (out === undefined) throw new TypeError('value has no canonical JSON form');
  return out;
}

// canonicalize does not refuse nested functions: it emits {"a":undefined} (not JSON) or silently drops
// array elements ([f] -> [], [f,1] -> [,1]). Walk first (a few % of canonicalize's own cost).
function assertNoFunctions(value: unknown, ancestors: Set<object>): void {
  if (typeof value === 'function') throw new TypeError('functions have no canonical JSON form');
  if (typeof value !== 'object' || value === null || ancestors.has(value)) return; // cycles: canonicalize reports them
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return; // serialised through toJSON()
  ancestors.add(value);
  if (Array.isArray(value)) for (const v of value) assertNoFunctions(v, ancestors);
  else for (const k of Object.keys(value)) assertNoFunctions((value as Record<string, unknown>)[k], ancestors);
  ancestors.delete(value);
}

/** True when a JSON value contains a number that is not a safe integer (floats are banned from signed payloads). */
export function hasNonIntegerNumber(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isSafeInteger(value);
  if (Array.isArray(value)) return value.some(hasNonIntegerNumber);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasNonIntegerNumber);
  return false;
}
