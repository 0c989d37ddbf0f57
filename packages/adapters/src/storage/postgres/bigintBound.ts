const MAX = '9223372036854775807';
const MIN = '-9223372036854775808';
/** 2^63 as a number: any number at or beyond it (either sign) is outside bigint. */
const EDGE = 9_223_372_036_854_775_808;

const clamp = (whole: number): string => (whole >= EDGE ? MAX : whole <= -EDGE ? MIN : String(whole));

/**
 * A bigint parameter for `column <= $n` that means `column <= bound` for any
 * number: a fraction rounds down, a bound beyond bigint is clamped, and NaN or
 * -Infinity is NULL (no row matches). PostgreSQL refuses `1.5` as a bigint, so
 * passing the number itself would fail the statement.
 *
 * @example
 * atMost(10.7); // '10'
 */
export const atMost = (bound: number): string | null => (Number.isNaN(bound) || bound === -Infinity ? null : clamp(Math.floor(bound)));

/**
 * A bigint parameter for `column < $n` that means `column < bound` for any
 * number (a fraction rounds up; see {@link atMost}).
 *
 * @example
 * below(10.2); // '11'
 */
export const below = (bound: number): string | null => (Number.isNaN(bound) || bound === -Infinity ? null : clamp(Math.ceil(bound)));

/**
 * A `LIMIT $n` parameter for a positive count: NULL (no limit) when it is not
 * finite, whole otherwise.
 *
 * @example
 * limitOf(Infinity); // null
 */
export const limitOf = (limit: number): number | null => (Number.isFinite(limit) ? Math.min(Math.trunc(limit), Number.MAX_SAFE_INTEGER) : null);
