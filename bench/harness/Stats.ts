/** Min, median and max of a series of per-round figures. */
export interface Stats {
  readonly min: number;
  readonly median: number;
  readonly max: number;
  readonly rounds: readonly number[];
}

/**
 * Summarises rounds (at least one).
 *
 * @example
 * statsOf([3, 1, 2]).median; // 2
 */
export const statsOf = (rounds: readonly number[]): Stats => {
  if (rounds.length === 0) throw new Error('statsOf needs at least one round');
  const s = [...rounds].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { min: s[0]!, median, max: s[s.length - 1]!, rounds };
};

/** The spread of a series as (max - min) / median, for "how noisy were the rounds". */
export const spreadOf = (s: Stats): number => (s.median === 0 ? 0 : (s.max - s.min) / s.median);
