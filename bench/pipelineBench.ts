/**
 * P2: the whole webhook pipeline (verify + decode + dedupe + step + persist) of
 * the product against the same pipeline built by hand (hand reducer + raw
 * driver), per store. Both sides get the same signed deliveries; before timing,
 * one round checks that both end with the same record in every thread.
 */
import { isDeepStrictEqual } from 'node:util';
import type { PermissionRecord, Thread } from '../packages/core/src/internals.js';
import { handPipeline, type RawDriver } from './baselines/handPipeline.js';
import type { BenchOptions } from './harness/BenchOptions.js';
import { compareRounds } from './harness/compareRounds.js';
import type { Metric } from './harness/Metric.js';
import { metricOf } from './harness/metricOf.js';
import { timed } from './harness/timed.js';
import type { Pipeline } from './pipeline/productPipeline.js';
import { T0 } from './workload/eventHistories.js';
import { benchThread, deliveries, type Delivery } from './workload/deliveries.js';

/** One store's two sides, each built fresh per round. */
export interface PipelineTarget {
  readonly name: string;
  /** The product over this store (a fresh, empty store each call). */
  product(): Promise<Pipeline & { read(t: Thread): Promise<PermissionRecord | null> }>;
  /** The hand pipeline's raw driver over the same kind of store (fresh, empty). */
  raw(): Promise<RawDriver & { read(t: Thread): Promise<PermissionRecord | null> }>;
  /** Deliveries in flight at once (1 = one after another). */
  readonly inFlight: number;
  /** Deliveries per round at scale 1. */
  readonly deliveries: number;
  readonly notes?: readonly string[];
}

const drive = async (handle: (d: Delivery) => Promise<void>, ds: readonly Delivery[], inFlight: number): Promise<void> => {
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < ds.length) {
      const d = ds[next]!;
      next += 1;
      await handle(d);
    }
  }));
};

export const clock = { now: () => T0 + 30 * 86_400_000 };

/**
 * Measures P2 for one store (>= 0.7x the hand pipeline), in events per second.
 *
 * @example
 * const m = await pipelineBench(benchOptions([]), memoryTarget);
 */
export const pipelineBench = async (o: BenchOptions, target: PipelineTarget): Promise<Metric> => {
  const threads = 2000;
  const ds = deliveries(Math.round(target.deliveries * o.scale), threads, T0);
  const events = ds.reduce((n, d) => n + d.events, 0);
  // Same outcome on both sides, thread by thread, before any timing.
  const p = await target.product();
  const r = await target.raw();
  await drive((d) => p.handle(d), ds, 1);
  const h = handPipeline(r, clock);
  await drive((d) => h.handle(d), ds, 1);
  for (let i = 0; i < threads; i += 1) {
    const [a, b] = [await p.read(benchThread(i)), await r.read(benchThread(i))];
    if (!isDeepStrictEqual(a, b)) throw new Error(`P2:${target.name}: product and hand pipeline disagree on thread ${i}`);
  }
  await p.close();
  await h.close();

  const { value, baseline } = await compareRounds(o.rounds, async () => {
    const pipe = await target.product();
    const t = await timed(events, () => drive((d) => pipe.handle(d), ds, target.inFlight));
    await pipe.close();
    return t;
  }, async () => {
    const pipe = handPipeline(await target.raw(), clock);
    const t = await timed(events, () => drive((d) => pipe.handle(d), ds, target.inFlight));
    await pipe.close();
    return t;
  }, 2);
  return metricOf({
    metric: `P2:${target.name}`, what: `webhook pipeline, ${target.name} (${target.inFlight} in flight)`, unit: 'events/s', value, baseline,
    baselineWhat: 'same pipeline: hand reducer + raw driver', atLeast: 0.7, ...(target.notes ? { notes: target.notes } : {}),
  });
};
