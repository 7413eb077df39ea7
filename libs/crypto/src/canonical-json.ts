export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * The one RFC 8785 (JCS) serialisation used for everything hashed or signed.
 *
 * RFC 8785 is ECMAScript's JSON.stringify with object keys sorted by UTF-16 code units, so the
 * value is copied with its keys in that order and handed to the native JSON.stringify (about 3x the
 * `canonicalize` package, which the tests keep as the oracle). JS objects enumerate integer-like
 * keys ("9", "10") first and numerically whatever their insertion order, so an object holding such
 * keys is serialised by hand instead. Refuses what JCS cannot represent: undefined at top level,
 * NaN, Infinity, bigint, functions, symbols at top level, lone surrogates, cycles.
 */
export function canonicalJson(value: unknown): string {
  const state = { indexKeys: false, ancestors: new Set<object>() };
  const prepared = prepare(value, state);
  if (prepared === undefined) throw new TypeError('value has no canonical JSON form');
  return state.indexKeys ? serialise(prepared) : JSON.stringify(prepared);
}

const INDEX_KEY = /^(?:0|[1-9][0-9]{0,9})$/;
const SURROGATE = /[\uD800-\uDFFF]/;

function assertWellFormed(s: string): void {
  if (!SURROGATE.test(s)) return;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const n = s.charCodeAt(i + 1);
      if (!(n >= 0xdc00 && n <= 0xdfff)) throw new TypeError('lone surrogates have no canonical JSON form');
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) throw new TypeError('lone surrogates have no canonical JSON form');
  }
}

/** A copy with keys in JCS order, undefined and symbol members dropped, values checked. */
function prepare(v: unknown, state: { indexKeys: boolean; ancestors: Set<object> }): unknown {
  switch (typeof v) {
    case 'string':
      assertWellFormed(v);
      return v;
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError(`${v} has no canonical JSON form`);
      return v;
    case 'boolean':
      return v;
    case 'undefined':
    case 'symbol':
      return undefined;
    case 'bigint':
      throw new TypeError('bigint has no canonical JSON form (write it as a decimal string)');
    case 'function':
      throw new TypeError('functions have no canonical JSON form');
  }
  if (v === null) return null;
  const obj = v as object;
  if (state.ancestors.has(obj)) throw new TypeError('circular reference has no canonical JSON form');
  if (typeof (obj as { toJSON?: unknown }).toJSON === 'function') return prepare((obj as { toJSON(): unknown }).toJSON(), state);
  state.ancestors.add(obj);
  let out: unknown;
  if (Array.isArray(obj)) {
    out = obj.map((x) => prepare(x, state) ?? null);
  } else {
    const copy: Record<string, unknown> = {};
    const rec = obj as Record<string, unknown>;
    for (const k of Object.keys(rec).sort()) {
      const x = prepare(rec[k], state);
      if (x === undefined) continue;
      assertWellFormed(k);
      if (INDEX_KEY.test(k)) state.indexKeys = true;
      copy[k] = x;
    }
    out = copy;
  }
  state.ancestors.delete(obj);
  return out;
}

/** Serialises a prepared value with keys in sorted order regardless of how JS enumerates them. */
function serialise(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(serialise).join(',')}]`;
  const rec = v as Record<string, unknown>;
  return `{${Object.keys(rec)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${serialise(rec[k])}`)
    .join(',')}}`;
}

/** True when a JSON value contains a number that is not a safe integer (floats are banned from signed payloads). */
export function hasNonIntegerNumber(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isSafeInteger(value);
  if (Array.isArray(value)) return value.some(hasNonIntegerNumber);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasNonIntegerNumber);
  return false;
}
