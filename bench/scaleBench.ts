/**
 * P5: cost per event of the in-memory webhook pipeline from 1 000 to 1 000 000
 * stored threads, each size in its own process, rounds interleaved. The baseline is the cost at
 * 1 000 threads; every size must stay within +-25% of it.
 */
import type { BenchOptions } from './harness/BenchOptions.js';
import type { Metric } from './harness/Metric.js';
import { startWorker } from './harness/runChild.js';
import { statsOf, type Stats } from './harness/Stats.js';

/**
 * Measures P5 (every size within +-25% of the 1 000-thread cost).
 *
 * @example
 * const m = await scaleBench(benchOptions([]));
 */
export const scaleBench = async (o: BenchOptions): Promise<Metric> => {
  const sizes = [1_000, 10_000, 100_000, 1_000_000];
  const perRound = Math.round(15_000 * o.scale);
  // One worker per size, all alive at once; rounds go round-robin (direction flipping) so load drift hits every size alike.
  const workers = [];
  for (const threads of sizes) workers.push(await startWorker(new URL('./scaleChild.ts', import.meta.url), { threads, perRound }));
  const costs: number[][] = sizes.map(() => []);
  const heaps: number[] = sizes.map(() => 0);
  for (let r = 0; r < o.rounds; r += 1) {
    const order = r % 2 === 0 ? sizes.map((_, i) => i) : sizes.map((_, i) => sizes.length - 1 - i);
    for (const i of order) {
      const a = await workers[i]!.ask<{ cost: number; heapMb: number }>('round');
      costs[i]!.push(a.cost);
      heaps[i] = a.heapMb;
    }
  }
  await Promise.all(workers.map((w) => w.close()));
  const bySize: { threads: number; cost: Stats; heapMb: number }[] = sizes.map((threads, i) => ({ threads, cost: statsOf(costs[i]!), heapMb: heaps[i]! }));
  const base = bySize[0]!.cost;
  const last = bySize[bySize.length - 1]!.cost;
  const ratios = bySize.map((s) => s.cost.median / base.median);
  const worst = ratios.reduce((w, x) => (Math.abs(x - 1) > Math.abs(w - 1) ? x : w), 1);
  return {
    metric: 'P5', what: 'pipeline cost per event at 1M threads vs 1k (memory)', unit: 'ns/event',
    value: last, baseline: base, baselineWhat: 'same pipeline with 1 000 threads stored',
    ratio: last.median / base.median, target: 'every size within 0.75x-1.25x of 1k',
    pass: ratios.every((x) => x >= 0.75 && x <= 1.25),
    notes: [
      ...bySize.map((s, i) => `${s.threads.toLocaleString('en').padStart(9)} threads: ${Math.round(s.cost.median).toLocaleString('en')} ns/event `
        + `(min ${Math.round(s.cost.min).toLocaleString('en')}, max ${Math.round(s.cost.max).toLocaleString('en')}), ${ratios[i]!.toFixed(2)}x, heap ${s.heapMb} MB`),
      `largest deviation ${worst.toFixed(2)}x`,
    ],
  };
};
