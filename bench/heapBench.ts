/**
 * P4: heap per idle thread in the memory store against a plain-record baseline
 * (same run, fresh process with --expose-gc); the SQLite figure (bytes per thread
 * on disk) is in sqliteDiskBench.ts.
 */
import type { BenchOptions } from './harness/BenchOptions.js';
import type { Metric } from './harness/Metric.js';
import { ceilingMetricOf } from './harness/metricOf.js';
import { runChild } from './harness/runChild.js';
import { statsOf } from './harness/Stats.js';

/**
 * Measures P4:memory (<= 1.2x the plain record map), 100 000 threads (400 000 with --long).
 *
 * @example
 * const m = await heapBench(benchOptions([]));
 */
export const heapBench = async (o: BenchOptions): Promise<Metric> => {
  const threads = Math.round(100_000 * o.scale);
  const r = await runChild<{ store: number[]; plain: number[] }>(new URL('./heapChild.ts', import.meta.url), { threads, rounds: Math.max(3, Math.ceil(o.rounds / 2)) });
  return ceilingMetricOf({
    metric: 'P4:memory', what: `heap per idle thread, memoryStore (${threads.toLocaleString('en')} threads)`, unit: 'bytes',
    value: statsOf(r.store), baseline: statsOf(r.plain), baselineWhat: 'Map of key -> plain record object', atMost: 1.2,
  });
};
