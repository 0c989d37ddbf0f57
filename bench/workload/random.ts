/**
 * A small seeded PRNG (mulberry32) so every run of a bench replays the same
 * workload, and the product and its baseline see identical inputs.
 *
 * @example
 * const rnd = random(42); rnd.int(10); // 0..9
 */
export const random = (seed: number) => {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number): number => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number): boolean => next() < p,
  };
};

export type Random = ReturnType<typeof random>;
