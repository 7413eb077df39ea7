import { describe, expect, it } from '@jest/globals';
import { canonicalJson, hasNonIntegerNumber } from './canonical-json.js';

describe('RFC 8785 (JCS)', () => {
  it('§3.2.2 sample: whitespace, numbers, string escapes', () => {
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    const expected = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;
    expect(canonicalJson(JSON.parse(input))).toBe(expected);
  });

  it('§3.2.3 sorting: keys ordered by UTF-16 code units, not code points or integer-likeness', () => {
    const input = String.raw`{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }`;
    const out = canonicalJson(JSON.parse(input));
    const names = [
      'Carriage Return',
      'One',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ];
    const positions = names.map((n) => out.indexOf(`"${n}"`));
    expect(positions.every((p, i) => p > 0 && (i === 0 || p > positions[i - 1]))).toBe(true);
    expect(out).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  // Appendix B: IEEE 754 bit patterns and their required serialisation.
  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('Appendix B: %s -> %s', (bits, expected) => {
    expect(canonicalJson(Buffer.from(bits, 'hex').readDoubleBE(0))).toBe(expected);
  });

  it.each([
    [1e21, '1e+21'],
    [1e20, '100000000000000000000'],
    [1e-7, '1e-7'],
    [1e-6, '0.000001'],
    [-0, '0'],
    [0.1, '0.1'],
    [9007199254740992, '9007199254740992'],
    [-1.5, '-1.5'],
  ])('number %p -> %s', (n, expected) => {
    expect(canonicalJson(n)).toBe(expected);
    expect(canonicalJson([n])).toBe(`[${expected}]`);
  });

  it.each([
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['nested NaN', { a: [1, NaN] }],
    ['nested Infinity', { a: { b: Infinity } }],
  ])('refuses %s', (_label, value) => {
    expect(() => canonicalJson(value)).toThrow();
  });

  it('refuses values with no JSON form: undefined, bigint, functions (also nested), lone surrogates, cycles', () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
    expect(() => canonicalJson(1n)).toThrow(TypeError);
    expect(() => canonicalJson(() => 1)).toThrow(TypeError);
    expect(() => canonicalJson({ a: () => 1 })).toThrow(TypeError);
    expect(() => canonicalJson([1, () => 1])).toThrow(TypeError);
    expect(() => canonicalJson('\ud800')).toThrow();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow();
  });

  it('tells lone surrogates from the text of an escape and from pairs, in strings and keys', () => {
    expect(canonicalJson('a\\ud800')).toBe('"a\\\\ud800"');
    expect(canonicalJson({ '\\udc00': '\\\\ud83d' })).toBe('{"\\\\udc00":"\\\\\\\\ud83d"}');
    expect(canonicalJson(['\ud83d\ude00', { '\ud83d\ude00': 1 }])).toBe('["\ud83d\ude00",{"\ud83d\ude00":1}]');
    for (const bad of ['\\\ud800', '\\\\\ud800', 'x\ude00\ud83d', '\ud83d', { nested: ['ok', { '\udbff': 1 }] }, { 10: 'a', 9: '\udfff' }, { 10: 'a', '\ud800': 1 }]) {
      expect(() => canonicalJson(bad)).toThrow('lone surrogates');
    }
  });

  it('refuses a string exactly when it is not well-formed UTF-16 (20,000 random strings of backslashes, escape text and surrogates)', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const alphabet = ['\\', 'u', 'd', '8', 'c', '0', 'a', '"', '\ud800', '\udbff', '\udc00', '\udfff', '\ud83d\ude00', '\n'];
    for (let i = 0; i < 20_000; i++) {
      let text = '';
      for (let n = Math.floor(rnd() * 8); n > 0; n--) text += alphabet[Math.floor(rnd() * alphabet.length)];
      const wellFormed = (text as string & { isWellFormed(): boolean }).isWellFormed();
      const asKey = { [text]: [text] };
      if (wellFormed) expect(JSON.parse(canonicalJson(asKey))).toEqual(asKey);
      else expect(() => canonicalJson(asKey)).toThrow('lone surrogates');
    }
  });

  it('follows JSON.stringify for undefined members and toJSON', () => {
    expect(canonicalJson({ b: 1, a: undefined })).toBe('{"b":1}');
    expect(canonicalJson({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
  });

  it('is stable under key order and deep nesting', () => {
    expect(canonicalJson({ b: [{ z: 1, y: 2 }], a: 'x' })).toBe(canonicalJson({ a: 'x', b: [{ y: 2, z: 1 }] }));
    expect(canonicalJson({ b: [{ z: 1, y: 2 }], a: 'x' })).toBe('{"a":"x","b":[{"y":2,"z":1}]}');
  });
});

describe('hasNonIntegerNumber', () => {
  it('finds floats and unsafe integers anywhere', () => {
    expect(hasNonIntegerNumber({ a: [1, 2, { b: 3 }] })).toBe(false);
    expect(hasNonIntegerNumber({ a: [1, 2, { b: 3.5 }] })).toBe(true);
    expect(hasNonIntegerNumber([2 ** 53])).toBe(true);
    expect(hasNonIntegerNumber('1.5')).toBe(false);
  });
});

describe('canonicalJson agrees with the canonicalize package (RFC 8785 reference) on random values', () => {
  // A seeded generator so a failure reproduces.
  let seed = 20261121;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const strings = ['', 'a', 'é', '€', '\u0000', '\n', '"', '\\', '😀', '\u2028', 'z', '10', '9', '1', '01', '-1', '4294967295', '4294967294', '1e3', 'B', 'b', '\u00f6', '\ufb33'];
  const numbers = [0, -0, 1, -1, 1.5, 1e21, 1e-7, 333333333.3333333, 9007199254740991, -9007199254740991, 5e-324, 1.7976931348623157e308, 0.1, 100, 4.5];
  function value(depth: number): unknown {
    const r = rnd();
    if (depth > 3 || r < 0.3) return pick<unknown>([null, true, false, pick(numbers), pick(strings), pick(strings) + pick(strings)]);
    if (r < 0.55) return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = Math.floor(rnd() * 6); i > 0; i--) o[pick(strings) + (rnd() < 0.3 ? pick(strings) : '')] = value(depth + 1);
    if (rnd() < 0.1) o.skipped = undefined;
    return o;
  }

  it('10,000 random values serialise byte for byte the same', async () => {
    const { default: canonicalize } = await import('canonicalize');
    for (let i = 0; i < 10_000; i++) {
      const v = value(0);
      expect(canonicalJson(v)).toBe(canonicalize(v));
    }
  });

  it('sorts integer-like keys as strings, not as JavaScript enumerates them', () => {
    expect(canonicalJson({ 10: 'a', 9: 'b', a: 1, 1: { 2: null, 10: [] } })).toBe('{"1":{"10":[],"2":null},"10":"a","9":"b","a":1}');
  });

  it('refuses what JCS cannot represent', () => {
    for (const bad of [Number.NaN, Infinity, { a: -Infinity }, [1n], { f: () => 1 }, ['\ud800'], { '\udc00': 1 }, undefined]) {
      expect(() => canonicalJson(bad)).toThrow(TypeError);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(TypeError);
  });
});
