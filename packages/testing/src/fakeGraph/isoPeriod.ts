const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A period in milliseconds written as Meta writes `time_period`: hours up to a day
 * (`PT24H`, as in Meta's samples), whole days beyond (`P7D`), else minutes or seconds.
 *
 * @example
 * isoPeriod(86_400_000); // 'PT24H'
 * isoPeriod(7 * 86_400_000); // 'P7D'
 * isoPeriod(90_000); // 'PT90S'
 */
export const isoPeriod = (ms: number): string => {
  if (ms > DAY && ms % DAY === 0) return `P${ms / DAY}D`;
  if (ms % HOUR === 0) return `PT${ms / HOUR}H`;
  if (ms % MINUTE === 0) return `PT${ms / MINUTE}M`;
  return `PT${ms / SECOND}S`;
};
