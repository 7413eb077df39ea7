import { describe, expect, it } from '@jest/globals';
import { isDeepStrictEqual } from 'node:util';
import { jsonCopy } from './json-copy.js';

const roundTrip = (v: unknown): unknown => JSON.parse(JSON.stringify(v)) as unknown;

/** Same result as the round trip: equal, with the same key order at every level, and a fresh copy. */
function expectAsRoundTrip(value: unknown): void {
  const copied = jsonCopy(value);
  const expected = roundTrip(value);
  // Node's comparison, not toStrictEqual: Jest compares `constructor` properties by identity, and
  // an own "constructor" key of JSON data is a copy.
  expect(isDeepStrictEqual(copied, expected)).toBe(true);
  expect(JSON.stringify(copied)).toBe(JSON.stringify(expected));
  if (typeof value === 'object' && value !== null) expect(copied).not.toBe(value);
}

/** A deterministic pseudo-random JSON value (xorshift), with integer-like keys and odd strings. */
function randomJson(seed: number, depth = 0): unknown {
  let s = seed || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  const strings = ['', 'a', 'é', '😀', '\ud800', '\\"', '\u0000\u001f', '10', '2', 'b', 'constructor', 'toString'];
  const gen = (d: number): unknown => {
    const r = next();
    if (d > 4 || r < 0.45) {
      const k = Math.floor(next() * 7);
      return [null, true, false, strings[Math.floor(next() * strings.length)], Math.floor(next() * 1e6) - 5e5, next() * 1e21, -next() / 1e7][k];
    }
    if (r < 0.7) return Array.from({ length: Math.floor(next() * 5) }, () => gen(d + 1));
    const o: Record<string, unknown> = {};
    for (let i = Math.floor(next() * 6); i > 0; i--) o[strings[Math.floor(next() * strings.length)] + (next() < 0.5 ? '' : String(Math.floor(next() * 20)))] = gen(d + 1);
    return o;
  };
  return gen(depth);
}

describe('jsonCopy: JSON.parse(JSON.stringify(value)), faster', () => {
  it('copies JSON data as the round trip does, key order included (integer-like keys first)', () => {
    expectAsRoundTrip({ b: 1, a: [1, 'x', null, true, { z: {}, '10': 1, '2': 2, y: [] }], '1': 'one', c: { d: { e: 'é😀' } } });
    for (let seed = 1; seed <= 500; seed++) expectAsRoundTrip(randomJson(seed * 7919));
  });

  it('gives back a private copy: changing it leaves the original alone', () => {
    const original = { sealed: { recipients: [{ header: { kid: 'bank-a' } }] } };
    const copied = jsonCopy(original);
    copied.sealed.recipients[0].header.kid = 'someone-else';
    copied.sealed.recipients.push({ header: { kid: 'x' } });
    expect(original).toEqual({ sealed: { recipients: [{ header: { kid: 'bank-a' } }] } });
  });

  it('primitives: as they are; -0 becomes 0 and NaN, the infinities null, as their texts parse', () => {
    for (const v of ['', 's', 0, 1.5, -7, true, false, null, 1e21, -0, NaN, Infinity, -Infinity]) expect(Object.is(jsonCopy(v), roundTrip(v))).toBe(true);
    expect(Object.is(jsonCopy({ n: -0 }).n, 0)).toBe(true);
    expect(jsonCopy([NaN, Infinity, 1])).toEqual([null, null, 1]);
  });

  it('what the round trip drops or changes, changed the same way', () => {
    const fn = () => 1;
    const sym = Symbol('s');
    expectAsRoundTrip({ a: undefined, b: fn, c: sym, d: 1 });
    expectAsRoundTrip([undefined, fn, sym, 2]);
    // eslint-disable-next-line no-sparse-arrays
    expectAsRoundTrip([1, , 3]);
    expectAsRoundTrip({ when: new Date(0), re: /x/g, map: new Map([[1, 2]]), set: new Set([1]), boxed: new String('s'), num: new Number(3) });
    expectAsRoundTrip({ own: { toJSON: () => ({ replaced: true }) }, nested: [{ toJSON: () => 'text' }] });
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    expectAsRoundTrip({ p: new Point(1, 2) });
    const bare = Object.assign(Object.create(null) as object, { z: 1, a: 2 });
    expectAsRoundTrip({ bare });
    // The round trip parses the text "undefined" at top level, and fails.
    expect(() => jsonCopy(undefined)).toThrow(SyntaxError);
    expect(() => jsonCopy(fn)).toThrow(SyntaxError);
  });

  it('an own "__proto__" key stays an own property and does not set the copy\'s prototype', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const copied = jsonCopy(parsed);
    expect(Object.getPrototypeOf(copied)).toBe(Object.prototype);
    expect(Object.hasOwn(copied, '__proto__')).toBe(true);
    expect((copied as { polluted?: boolean }).polluted).toBeUndefined();
    expectAsRoundTrip(parsed);
  });

  it('throws what the round trip throws: a cycle, a bigint', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { back: cyclic };
    expect(() => jsonCopy(cyclic)).toThrow(TypeError);
    expect(() => jsonCopy(cyclic)).toThrow(/circular/);
    expect(() => jsonCopy({ n: 10n })).toThrow(TypeError);
    expect(() => jsonCopy({ n: 10n })).toThrow(/BigInt/);
  });

  it('deep nesting beyond the direct limit is still copied (by the round trip)', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 500; i++) deep = i % 2 ? { v: deep } : [deep];
    expectAsRoundTrip(deep);
  });

  it('getters are read as the round trip reads them', () => {
    const o = {
      get computed() {
        return { x: 1 };
      },
    };
    expectAsRoundTrip(o);
  });
});
