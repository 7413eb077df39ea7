/**
 * `JSON.parse(JSON.stringify(value))`, the same result for every value, five times faster for JSON
 * data. The engine hands each contract call a private copy of its arguments and keeps private
 * copies of what the call emits and answers; the round trip through text cost ~12 µs for an
 * evidence anchor's arguments (a JWE to three organisations), building a string only to parse it.
 *
 * JSON data (plain objects and arrays, strings, booleans, finite numbers, null) is copied directly.
 * Anything the round trip would change rather than copy (undefined, functions, symbols, bigints,
 * NaN and the infinities, objects that are not plain or have `toJSON`, an own `__proto__` key,
 * nesting deeper than MAX_DIRECT_DEPTH, which is how a cycle ends) sends the whole value through
 * the round trip itself, so that its result, or its error, is exactly the round trip's. A `-0`
 * becomes `0`, as its text "0" parses.
 */
export function jsonCopy<T>(value: T): T {
  const copied = copy(value, 0);
  return copied === ROUND_TRIP ? (JSON.parse(JSON.stringify(value)) as T) : (copied as T);
}

const MAX_DIRECT_DEPTH = 100;
/** Returned by copy for a value only the round trip copies faithfully. */
const ROUND_TRIP: unique symbol = Symbol('round trip');

function copy(v: unknown, depth: number): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? (v === 0 ? 0 : v) : ROUND_TRIP;
    case 'object':
      break;
    default:
      return ROUND_TRIP;
  }
  if (v === null) return null;
  if (depth >= MAX_DIRECT_DEPTH) return ROUND_TRIP;
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return ROUND_TRIP;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const c = copy(v[i], depth + 1);
      if (c === ROUND_TRIP) return ROUND_TRIP;
      out[i] = c;
    }
    return out;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return ROUND_TRIP;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    // Assigning it would set the copy's prototype; JSON.parse makes it an own property.
    if (k === '__proto__') return ROUND_TRIP;
    const c = copy((v as Record<string, unknown>)[k], depth + 1);
    if (c === ROUND_TRIP) return ROUND_TRIP;
    out[k] = c;
  }
  return out;
}
