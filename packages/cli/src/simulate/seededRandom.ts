import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

/** A seeded source of randomness: the same seed gives the same sequence, on every machine. */
export interface SeededRandom {
  /** A number in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** A number in [min, max). */
  between(min: number, max: number): number;
  /** The wait until the next event of a Poisson process with `perMs` events per ms. */
  exponential(perMs: number): number;
  /** An independent stream (jumped ahead 2^64 steps): use one per concern so they do not disturb each other. */
  fork(): SeededRandom;
}

const wrap = (rng: JumpableRandomGenerator): SeededRandom => {
  const next = (): number => uniformFloat64(rng);
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    between: (min, max) => min + next() * (max - min),
    exponential: (perMs) => -Math.log(1 - next()) / perMs,
    fork: () => {
      const copy = rng.clone();
      rng.jump();
      return wrap(copy);
    },
  };
};

/**
 * A seeded PRNG on pure-rand's xoroshiro128+ (the generator fast-check uses), so
 * a simulation with the same seed makes the same choices.
 *
 * @example
 * const rng = seededRandom(7);
 * rng.int(1, 6); // the same roll for seed 7, every time
 */
export const seededRandom = (seed: number): SeededRandom => wrap(xoroshiro128plus(seed));
