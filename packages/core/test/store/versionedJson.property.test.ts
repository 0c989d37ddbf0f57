import { fc, test } from '@fast-check/vitest';
import * as t from 'io-ts';
import { describe, expect } from 'vitest';
import { decodeJson, encodeJson, StoredFormatError, upgradeJson, type JsonFormat } from '../../src/internals.js';

/**
 * A made-up format with three versions, each step leaving a mark: v1 `{ n }`,
 * v2 renames `n` to `count`, v3 adds `unit` (default 'item'). The chain must run
 * each step once, in order, from the version the object claims.
 */
interface Three { readonly count: number; readonly unit: string }
const three: JsonFormat<Three> = {
  name: 'three', field: 'v', version: 3,
  codec: t.readonly(t.type({ count: t.number, unit: t.string })),
  upgrades: [
    ({ n, ...rest }) => ({ ...rest, count: n }),
    (v2) => ({ ...v2, unit: 'item' }),
  ],
};

describe('versioned JSON formats', () => {
  test.prop([fc.integer(), fc.boolean()])('a version-1 object (with or without its field) upgrades through every step', (n, named) => {
    const v1 = named ? { v: 1, n } : { n };
    expect(decodeJson(three, JSON.stringify(v1), false)).toEqual({ count: n, unit: 'item' });
    expect(upgradeJson(three, v1)).toEqual({ v: 3, count: n, unit: 'item' });
  });

  test.prop([fc.integer(), fc.string()])('a version-2 object takes only the last step; the newest takes none', (count, unit) => {
    expect(decodeJson(three, JSON.stringify({ v: 2, count }), false)).toEqual({ count, unit: 'item' });
    expect(decodeJson(three, encodeJson(three, { count, unit }), false)).toEqual({ count, unit });
    expect(decodeJson(three, encodeJson(three, { count, unit }), true)).toEqual({ v: 3, count, unit });
  });

  test.prop([fc.integer({ min: 4, max: 1000 })])('a newer version is refused, naming it', (v) => {
    const e = (() => {
      try {
        decodeJson(three, JSON.stringify({ v, count: 1, unit: 'x' }), false);
      } catch (x) {
        return x;
      }
      return null;
    })();
    expect(e).toBeInstanceOf(StoredFormatError);
    expect((e as StoredFormatError).found).toBe(v);
  });

  test.prop([fc.oneof(fc.constant('not json'), fc.constant('[1]'), fc.constant('null'), fc.constant('{"v":0}'), fc.constant('{"v":"2"}'),
    fc.constant('{"v":2.5}'), fc.constant('{"v":3,"count":"1","unit":"x"}'), fc.constant(42))])(
    'anything else is a StoredFormatError, never a crash or a silent value', (stored) => {
      expect(() => decodeJson(three, stored, false)).toThrow(StoredFormatError);
    },
  );

  test('the steps never change the object they are given', () => {
    const v1 = Object.freeze({ n: 3 });
    expect(upgradeJson(three, v1)).toEqual({ v: 3, count: 3, unit: 'item' });
    expect(v1).toEqual({ n: 3 });
  });
});
