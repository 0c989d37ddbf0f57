/**
 * P3: `status` / `canStartCall` of cached threads through the real service, over
 * `cachingStore(memoryStore())`, on one core. The baseline beside it is what an
 * embedder could write by hand: a Map of plain records and `decide` on each read.
 */
import {
  cachingStore, createCallPermissions, decide, emptyRecord, fastStep, memoryStore, messengerPolicy, resolvePolicy,
  type PermissionRecord, type Thread,
} from '../packages/core/src/internals.js';
import type { BenchOptions } from './harness/BenchOptions.js';
import { compareRounds } from './harness/compareRounds.js';
import type { Metric } from './harness/Metric.js';
import { floorMetricOf } from './harness/metricOf.js';
import { eventHistories, T0 } from './workload/eventHistories.js';
import { offlineGraph } from '../packages/testing/src/offlineGraph.js';

const noGraph = offlineGraph('the status bench makes no Graph call');

/**
 * Measures P3 (>= 1 M reads/s): half `status`, half `canStartCall`, round-robin over 1 000 warm threads,
 * with a clock that moves 1 ms per read.
 *
 * @example
 * const m = await statusBench(benchOptions([]));
 */
export const statusBench = async (o: BenchOptions): Promise<Metric> => {
  const policy = resolvePolicy(messengerPolicy);
  const histories = eventHistories(1000, 25, policy, 11);
  let now = T0 + 200 * 3_600_000;
  const clock = { now: () => (now += 1) };
  const store = cachingStore(memoryStore(), { clock, maxAgeMs: Infinity });
  const service = createCallPermissions({ graph: noGraph, store, clock, policy: messengerPolicy });
  const threads: Thread[] = histories.map((_, i) => ({ pageId: '1000000001', psid: String(7_000_000_000_000_000 + i) }));
  const plain = new Map<string, PermissionRecord>();
  for (const [i, events] of histories.entries()) {
    const thread = threads[i]!;
    await service.apply(thread, events);
    plain.set(`${thread.pageId}:${thread.psid}`, events.reduce((r, e) => fastStep(r, e, policy).record, emptyRecord()));
  }
  const reads = Math.round(400_000 * o.scale);
  let allowed = 0;
  const viaService = async (): Promise<number> => {
    for (let i = 0; i < reads; i += 2) {
      const t = threads[(i >> 1) % threads.length]!;
      if ((await service.status(t)).canStartCall) allowed += 1;
      if ((await service.canStartCall(t)).allowed) allowed += 1;
    }
    return reads;
  };
  const byHand = (): number => {
    for (let i = 0; i < reads; i += 1) {
      const t = threads[(i >> 1) % threads.length]!;
      const r = plain.get(`${t.pageId}:${t.psid}`);
      if (r !== undefined && decide(r, clock.now(), policy).canStartCall) allowed += 1;
    }
    return reads;
  };
  const { value, baseline } = await compareRounds(o.rounds, viaService, byHand);
  const { hits, misses } = store.stats();
  if (allowed === 0) throw new Error('no thread may call: the workload is broken');
  return floorMetricOf({
    metric: 'P3', what: 'status + canStartCall, cached thread', unit: 'reads/s', value, baseline,
    baselineWhat: 'Map of plain records + decide per read (sync)', floor: 1_000_000,
    notes: [`cache hits ${hits.toLocaleString('en')}, misses ${misses.toLocaleString('en')}`],
  });
};
