import { performance } from 'node:perf_hooks';
import { statsOf, type Stats } from './Stats.js';

/** A full GC when the process runs with --expose-gc (bench/run.ts makes sure it does). */
export const collectGarbage = (): void => {
  (globalThis as { gc?: () => void }).gc?.();
};

/**
 * One side of a comparison: does some units of work per call and returns how many,
 * or times its own section (after untimed setup) and returns `{ units, seconds }`.
 */
export type Work = () => number | Promise<number> | Promise<{ units: number; seconds: number }>;

/**
 * Times the product and its baseline in alternating rounds (ABAB..., then BABA...
 * order flips each round so drift and GC debt hit both alike) after a warm-up of
 * each, and returns units per second per round.
 *
 * @example
 * const { value, baseline } = await compareRounds(5, () => runFast(), () => runHand());
 */
export const compareRounds = async (
  rounds: number, candidate: Work, baseline: Work, warmups = 2,
): Promise<{ value: Stats; baseline: Stats }> => {
  const time = async (w: Work): Promise<number> => {
    collectGarbage(); // each side starts without the other's garbage to pay for
    const t0 = performance.now();
    const r = await w();
    if (typeof r === 'number') return r / ((performance.now() - t0) / 1000);
    return r.units / r.seconds;
  };
  for (let i = 0; i < warmups; i += 1) {
    await time(candidate);
    await time(baseline);
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < rounds; i += 1) {
    if (i % 2 === 0) {
      a.push(await time(candidate));
      b.push(await time(baseline));
    } else {
      b.push(await time(baseline));
      a.push(await time(candidate));
    }
  }
  return { value: statsOf(a), baseline: statsOf(b) };
};
