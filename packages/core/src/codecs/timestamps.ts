import * as t from 'io-ts';
import { err, ok } from '../result.js';
import type { Result } from '../result.js';
import type { Instant } from '../thread.js';
import { decodeReport } from './DecodeReport.js';
import type { DecodeReport } from './DecodeReport.js';

/**
 * Below this magnitude a Meta timestamp is in seconds (10 digits until the year 5138),
 * at or above it in milliseconds (13 digits since 1973).
 */
const SECONDS_BELOW = 1e11;
/** The largest instant a JavaScript `Date` can hold. */
const MAX_MS = 8.64e15;
const NUMERIC = /^\d+(?:\.\d+)?$/;

const toNumber = (raw: unknown): number | undefined => {
  if (typeof raw === 'number') return raw;
  if (typeof raw !== 'string') return undefined;
  const s = raw.trim();
  return NUMERIC.test(s) ? Number(s) : undefined;
};

const convert = (raw: unknown): Instant | undefined => {
  const n = toNumber(raw);
  if (n === undefined || !Number.isFinite(n) || n < 0) return undefined;
  const ms = Math.round(n < SECONDS_BELOW ? n * 1000 : n);
  return ms <= MAX_MS ? ms : undefined;
};

/**
 * Converts a Meta timestamp to epoch milliseconds. Meta sends seconds (10 digits)
 * or milliseconds (13 digits), as a number or a numeric string; the unit is told by
 * magnitude (below 1e11 means seconds). Anything else is a report, never a throw.
 *
 * @example
 * toEpochMs(1671644824);      // { ok: true, value: 1671644824000 }
 * toEpochMs('1458692752478'); // { ok: true, value: 1458692752478 }
 * toEpochMs('soon');          // { ok: false, error: { reason: 'invalid_payload', ... } }
 */
export const toEpochMs = (raw: unknown): Result<Instant, DecodeReport> => {
  const ms = convert(raw);
  return ms === undefined
    ? err(decodeReport('timestamp', '$', 'unix seconds or milliseconds, as a number or numeric string', raw))
    : ok(ms);
};

/**
 * Like {@link toEpochMs}, but a timestamp in whole seconds reads as the last
 * millisecond of its second: Meta truncates, so the moment it names happened
 * somewhere in that second, no later than its end. Milliseconds read as they are.
 *
 * @example
 * toLatestEpochMs(1671644824);      // { ok: true, value: 1671644824999 }
 * toLatestEpochMs('1458692752478'); // { ok: true, value: 1458692752478 }
 */
export const toLatestEpochMs = (raw: unknown): Result<Instant, DecodeReport> => {
  const ms = toEpochMs(raw);
  const n = toNumber(raw);
  const wholeSeconds = n !== undefined && n < SECONDS_BELOW && Number.isInteger(n);
  return ms.ok && wholeSeconds ? ok(ms.value + 999) : ms;
};

/**
 * The io-ts codec of a Meta timestamp: decodes seconds or milliseconds (number or
 * numeric string) to epoch milliseconds; encodes to milliseconds.
 *
 * @example
 * import { isRight } from 'fp-ts/lib/Either.js';
 * const r = EpochMs.decode('1671644824');
 * if (isRight(r)) r.right; // 1671644824000
 */
export const EpochMs = new t.Type<Instant, Instant, unknown>(
  'EpochTimestamp',
  (u): u is Instant => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0,
  (u, c) => {
    const ms = convert(u);
    return ms === undefined ? t.failure(u, c) : t.success(ms);
  },
  (a) => a,
);

/**
 * Like {@link EpochMs}, but an absent value (`null`, `undefined` or `""`) decodes to
 * `null`: Meta leaves expiries out, nulls them, or sends them empty.
 *
 * @example
 * NullableEpochMs.decode(null);       // right(null)
 * NullableEpochMs.decode(1745343479); // right(1745343479000)
 */
export const NullableEpochMs = new t.Type<Instant | null, Instant | null, unknown>(
  'NullableEpochTimestamp',
  (u): u is Instant | null => u === null || EpochMs.is(u),
  (u, c) => (u === null || u === undefined || u === '' ? t.success(null) : EpochMs.validate(u, c)),
  (a) => a,
);
