import fc from 'fast-check';
import type { Instant } from '@callperm/core';

/** 2001-09-09 and 2099-12-31 in seconds: the range generated instants fall in. */
const MIN_S = 1_000_000_000;
const MAX_S = 4_102_444_799;

/**
 * An instant (epoch ms) in a realistic range: whole seconds half the time, so it
 * can be written in seconds too, and millisecond precision otherwise.
 *
 * @example
 * fc.sample(instantArb, 1); // e.g. [1671644824000]
 */
export const instantArb: fc.Arbitrary<Instant> = fc.oneof(
  fc.integer({ min: MIN_S, max: MAX_S }).map((s) => s * 1000),
  fc.integer({ min: MIN_S * 1000, max: MAX_S * 1000 + 999 }),
);

/**
 * Every way Meta may write a given instant: seconds or milliseconds, number or
 * numeric string (seconds only when the instant is a whole second).
 *
 * @example
 * fc.sample(timestampEncodingArb(1671644824000), 4); // e.g. [1671644824, '1671644824000', ...]
 */
export const timestampEncodingArb = (ms: Instant): fc.Arbitrary<number | string> => {
  const encodings: (number | string)[] = [ms, String(ms)];
  if (ms % 1000 === 0) encodings.push(ms / 1000, String(ms / 1000));
  return fc.constantFrom(...encodings);
};

/**
 * A Meta timestamp as sent (`raw`) with the epoch ms it must decode to (`ms`).
 *
 * @example
 * fc.assert(fc.property(metaTimestampArb, ({ raw, ms }) => { const r = toEpochMs(raw); return r.ok && r.value === ms; }));
 */
export const metaTimestampArb: fc.Arbitrary<{ readonly raw: number | string; readonly ms: Instant }> = instantArb.chain(
  (ms) => timestampEncodingArb(ms).map((raw) => ({ raw, ms })),
);

/**
 * Where an event's instant is written: on the item (`timestamp`), or only on its entry (`time`).
 *
 * @example
 * const t: EventTime = { item: {}, entry: { time: 1671644824 } };
 */
export interface EventTime {
  readonly item: { readonly timestamp?: number | string };
  readonly entry: { readonly time?: number | string };
}

/**
 * Every way a webhook places an event at `at`: the item's own `timestamp` (the
 * entry's `time` then absent or any other instant, as on a retry), or no item
 * timestamp and the entry's `time` standing in for it.
 *
 * @example
 * fc.sample(eventTimeArb(1671644824000), 1); // e.g. [{ item: { timestamp: 1671644824 }, entry: {} }]
 */
export const eventTimeArb = (at: Instant): fc.Arbitrary<EventTime> =>
  fc.oneof(
    fc.record({
      ts: timestampEncodingArb(at),
      other: fc.option(instantArb.chain(timestampEncodingArb), { nil: undefined }),
    }).map(({ ts, other }): EventTime => ({ item: { timestamp: ts }, entry: other === undefined ? {} : { time: other } })),
    timestampEncodingArb(at).map((time): EventTime => ({ item: {}, entry: { time } })),
  );

/**
 * The instant a person's answer at `at` decodes to when its own timestamp was
 * written as `raw` (absent: the entry's time stands in, read as it is). A whole
 * second reads as its last millisecond: Meta truncates, so the answer is newer
 * than any permission check the host made earlier in that second.
 *
 * @example
 * answerInstantOf(1671644824000, 1671644824);   // 1671644824999
 * answerInstantOf(1671644824000, '1671644824000'); // 1671644824000
 */
export const answerInstantOf = (at: Instant, raw: number | string | undefined): Instant =>
  raw !== undefined && Number(raw) < 1e11 ? at + 999 : at;
