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
 *
 * Lone surrogates are found in the output rather than string by string: the native serialiser
 * writes one as the escape `\udXXX` (ES2019 well-formed JSON.stringify), which text can only
 * contain as an escape, since a backslash written by the user comes out doubled.
 */
export function canonicalJson(value: unknown): string {
  const state: PrepareState = { indexKeys: false, ancestors: [] };
  const prepared = prepare(value, state);
  if (prepared === undefined) throw new TypeError('value has no canonical JSON form');
  const out = state.indexKeys ? serialise(prepared) : JSON.stringify(prepared);
  if (out.includes('\\ud') && LONE_SURROGATE_ESCAPE.test(out)) throw new TypeError('lone surrogates have no canonical JSON form');
  return out;
}

interface PrepareState {
  indexKeys: boolean;
  /** The objects being copied, outermost first (short: a cycle check by scan beats a Set here). */
  ancestors: object[];
}

const INDEX_KEY = /^(?:0|[1-9][0-9]{0,9})$/;
/** `\\udXXX` (a lone high or low surrogate's escape) preceded by an even number of backslashes. */
const LONE_SURROGATE_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/;

/** A copy with keys in JCS order, undefined and symbol members dropped, values checked. */
function prepare(v: unknown, state: PrepareState): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError(`${v} has no canonical JSON form`);
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
  if (typeof (obj as { toJSON?: unknown }).toJSON === 'function') return prepare((obj as { toJSON(): unknown }).toJSON(), state);
  if (state.ancestors.includes(obj)) throw new TypeError('circular reference has no canonical JSON form');
  state.ancestors.push(obj);
  let out: unknown;
  if (Array.isArray(obj)) {
    const copy = new Array<unknown>(obj.length);
    for (let i = 0; i < obj.length; i++) copy[i] = prepare(obj[i], state) ?? null;
    out = copy;
  } else {
    const rec = obj as Record<string, unknown>;
    const keys = Object.keys(rec);
    // Objects are often built in key order already: sort only when they are not.
    for (let i = 1; i < keys.length; i++) {
      if (keys[i - 1] > keys[i]) {
        sortKeys(keys);
        break;
      }
    }
    const copy: Record<string, unknown> = {};
    for (const k of keys) {
      const x = prepare(rec[k], state);
      if (x === undefined) continue;
      const c = k.charCodeAt(0);
      if (c >= 0x30 && c <= 0x39 && INDEX_KEY.test(k)) state.indexKeys = true;
      copy[k] = x;
    }
    out = copy;
  }
  state.ancestors.pop();
  return out;
}

/**
 * Sorts keys in place by UTF-16 code units, as Array.prototype.sort does with no comparator. An
 * object's few keys by insertion: V8's sort allocated its working arrays on every call, a seventh of
 * all a node allocated while anchoring (every value hashed or signed has objects out of order).
 */
function sortKeys(keys: string[]): void {
  if (keys.length > 32) {
    keys.sort();
    return;
  }
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i];
    let j = i - 1;
    for (; j >= 0 && keys[j] > k; j--) keys[j + 1] = keys[j];
    keys[j + 1] = k;
  }
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
  if (value === null || typeof value !== 'object') return false;
  // Loops, not Object.values(...).some: no array made for every object of every transaction.
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (hasNonIntegerNumber(value[i])) return true;
    return false;
  }
  for (const k in value) if (Object.hasOwn(value, k) && hasNonIntegerNumber((value as Record<string, unknown>)[k])) return true;
  return false;
}
