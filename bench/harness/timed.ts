import { performance } from 'node:perf_hooks';

/**
 * Times `body` alone (after whatever setup the caller did) and reports units and seconds.
 *
 * @example
 * return timed(n, async () => { for (const d of deliveries) await handle(d); });
 */
export const timed = async (units: number, body: () => unknown): Promise<{ units: number; seconds: number }> => {
  const t0 = performance.now();
  await body();
  return { units, seconds: (performance.now() - t0) / 1000 };
};
