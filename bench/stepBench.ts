/**
 * P1: the production stepper (`fastStep`, the compiled machine) against a
 * hand-written switch reducer with the same rules, on the same event histories.
 */
import { isDeepStrictEqual } from 'node:util';
import { performance } from 'node:perf_hooks';
import {
  emptyRecord, fastStep, messengerPolicy, resolvePolicy, step,
  type PermissionEvent, type ResolvedPolicy, type Stepper,
} from '../packages/core/src/internals.js';
import { handStep } from './baselines/handReducer.js';
import type { BenchOptions } from './harness/BenchOptions.js';
import { compareRounds } from './harness/compareRounds.js';
import type { Metric } from './harness/Metric.js';
import { metricOf } from './harness/metricOf.js';
import { eventHistories } from './workload/eventHistories.js';

const playAll = (stepper: Stepper, histories: readonly (readonly PermissionEvent[])[], policy: ResolvedPolicy): number => {
  let n = 0;
  let changed = 0;
  for (const events of histories) {
    let record = emptyRecord();
    for (const e of events) {
      const r = stepper(record, e, policy);
      record = r.record;
      if (r.changed) changed += 1;
      n += 1;
    }
  }
  if (changed === 0) throw new Error('nothing changed: the workload is broken');
  return n;
};

/** Throws unless every stepper returns the same result at every step of every history. */
export const assertAgree = (
  reference: [string, Stepper], others: readonly [string, Stepper][],
  histories: readonly (readonly PermissionEvent[])[], policy: ResolvedPolicy,
): void => {
  const [refName, ref] = reference;
  for (const events of histories) {
    let record = emptyRecord();
    for (const e of events) {
      const want = ref(record, e, policy);
      for (const [name, other] of others) {
        if (!isDeepStrictEqual(other(record, e, policy), want)) {
          throw new Error(`${name} disagrees with ${refName} on ${e.type}: the baseline does not follow the same rules`);
        }
      }
      record = want.record;
    }
  }
};

/**
 * Measures P1 (>= 0.25x the hand reducer); the XState `transition()` path is timed once for reference.
 *
 * @example
 * const m = await stepBench(benchOptions([]));
 */
export const stepBench = async (o: BenchOptions): Promise<Metric> => {
  const policy = resolvePolicy(messengerPolicy);
  const histories = eventHistories(Math.round(4000 * o.scale), 25, policy);
  assertAgree(['step', step], [['fastStep', fastStep], ['handStep', handStep]], histories.slice(0, 400), policy);
  assertAgree(['fastStep', fastStep], [['handStep', handStep]], histories, policy);
  const { value, baseline } = await compareRounds(o.rounds, () => playAll(fastStep, histories, policy), () => playAll(handStep, histories, policy));
  const sample = histories.slice(0, 200);
  const t0 = performance.now();
  const n = playAll(step, sample, policy);
  const xstate = n / ((performance.now() - t0) / 1000);
  return metricOf({
    metric: 'P1', what: 'lifecycle step (fastStep)', unit: 'steps/s', value, baseline,
    baselineWhat: 'hand-written switch reducer', atLeast: 0.25,
    notes: [`XState transition() on the same histories: ${Math.round(xstate).toLocaleString('en')} steps/s (one round)`],
  });
};
