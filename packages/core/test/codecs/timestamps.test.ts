import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { metaTimestampArb } from '../../../testing/src/arbitraries/index.js';
import { EpochMs, NullableEpochMs, toEpochMs, toLatestEpochMs } from '../../src/internals.js';

describe('toLatestEpochMs', () => {
  test.prop([metaTimestampArb])('a whole second reads as its last millisecond; milliseconds read as they are', ({ raw, ms }) => {
    const secondsWritten = typeof raw === 'number' ? raw < 1e11 : Number(raw) < 1e11;
    expect(toLatestEpochMs(raw)).toEqual({ ok: true, value: secondsWritten ? ms + 999 : ms });
  });

  test.prop([metaTimestampArb])('never before the instant Meta names, and within its second', ({ raw, ms }) => {
    const r = toLatestEpochMs(raw);
    expect(r.ok && r.value >= ms && Math.floor(r.value / 1000) === Math.floor(ms / 1000)).toBe(true);
  });

  it('a fraction of a second is exact; what is no timestamp is refused as by toEpochMs', () => {
    expect(toLatestEpochMs('1671644824.25')).toEqual({ ok: true, value: 1_671_644_824_250 });
    expect(toLatestEpochMs('soon')).toEqual(toEpochMs('soon'));
  });
});

describe('toEpochMs', () => {
  test.prop([metaTimestampArb])('decodes every encoding Meta uses to the instant it stands for', ({ raw, ms }) => {
    expect(toEpochMs(raw)).toEqual({ ok: true, value: ms });
  });

  test.prop([fc.integer({ min: 100_000_000, max: 99_999_999_999 })])(
    'seconds and milliseconds, numbers and strings, give the same instant',
    (s) => {
      const expected = { ok: true, value: s * 1000 };
      for (const raw of [s, String(s), s * 1000, String(s * 1000)]) expect(toEpochMs(raw)).toEqual(expected);
    },
  );

  test.prop([fc.jsonValue()])('never throws; a failure is an invalid_payload report', (json) => {
    const r = toEpochMs(json);
    if (!r.ok) expect(r.error.reason).toBe('invalid_payload');
  });

  it('refuses what is no timestamp', () => {
    for (const raw of ['', 'soon', '12a', '-5', -1, Number.NaN, Infinity, null, undefined, true, {}, [], 1e20]) {
      const r = toEpochMs(raw);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.issues[0]?.path).toBe('$');
    }
  });

  it('tells seconds from milliseconds at 1e11', () => {
    expect(toEpochMs(99_999_999_999)).toEqual({ ok: true, value: 99_999_999_999_000 });
    expect(toEpochMs(100_000_000_000)).toEqual({ ok: true, value: 100_000_000_000 });
    expect(toEpochMs(' 1671644824 ')).toEqual({ ok: true, value: 1_671_644_824_000 });
  });

  it('the io-ts codecs agree with toEpochMs and read empty expiries as null', () => {
    expect(EpochMs.decode('1671644824')).toEqual({ _tag: 'Right', right: 1_671_644_824_000 });
    expect(EpochMs.decode('x')._tag).toBe('Left');
    for (const empty of [null, undefined, '']) expect(NullableEpochMs.decode(empty)).toEqual({ _tag: 'Right', right: null });
  });
});
