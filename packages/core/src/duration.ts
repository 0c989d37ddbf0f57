import { parse } from 'tinyduration';

/** Why an ISO-8601 duration was refused. */
export class DurationError extends Error {
  readonly code = 'invalid_duration' as const;
  constructor(readonly input: string, detail: string) {
    super(`Invalid ISO-8601 duration ${JSON.stringify(input)}: ${detail}. Use a fixed-length form such as PT24H or P7D.`);
    this.name = 'DurationError';
  }
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/**
 * Converts a fixed-length ISO-8601 duration (weeks, days, hours, minutes, seconds)
 * to milliseconds. Years and months have no fixed length, so they are refused.
 *
 * @example
 * durationMs('PT24H'); // 86_400_000
 * durationMs('P7D');   // 604_800_000
 */
export const durationMs = (iso: string): number => {
  let d: ReturnType<typeof parse>;
  try {
    d = parse(iso);
  } catch (e) {
    throw new DurationError(iso, e instanceof Error ? e.message : 'unparseable');
  }
  if (d.negative) throw new DurationError(iso, 'negative durations are not allowed');
  if ((d.years ?? 0) !== 0 || (d.months ?? 0) !== 0) {
    throw new DurationError(iso, 'years and months have no fixed length');
  }
  const ms = (d.weeks ?? 0) * WEEK + (d.days ?? 0) * DAY + (d.hours ?? 0) * HOUR
    + (d.minutes ?? 0) * MINUTE + (d.seconds ?? 0) * SECOND;
  if (!Number.isFinite(ms) || ms <= 0) throw new DurationError(iso, 'must be longer than zero');
  return Math.round(ms);
};
