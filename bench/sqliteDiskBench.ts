/**
 * P4:sqlite: bytes per idle thread on disk in the SQLite store.
 */
import type { BenchOptions } from './harness/BenchOptions.js';
import type { Outcome } from './harness/Metric.js';

/**
 * Measures P4:sqlite (<= 150 bytes per thread on disk).
 *
 * @example
 * await sqliteDiskBench(benchOptions([]));
 */
export const sqliteDiskBench = (_o: BenchOptions): Promise<Outcome> =>
  Promise.resolve({ metric: 'P4:sqlite', why: 'not measured yet' });
