import { test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { emptyRecord, fastStep } from '../packages/core/src/internals.js';
import { historyArb, play, policyArb, resolved } from '../packages/core/test/support/histories.js';
import { handStep } from '../bench/baselines/handReducer.js';

/**
 * The benches time `fastStep` against a hand-written reducer; it only means
 * something if both apply the same rules. They check it on their own workload
 * before timing; this checks it on every kind of history the core tests generate
 * (calls, quota resets and permanent grants included).
 */
describe('the benchmark baseline', () => {
  test.prop([policyArb, historyArb])('steps every history exactly as fastStep does', (policy, moves) => {
    const p = resolved(policy);
    const { events } = play(moves, p);
    let fast = emptyRecord();
    let hand = emptyRecord();
    for (const e of events) {
      const f = fastStep(fast, e, p);
      const h = handStep(hand, e, p);
      expect(h).toEqual(f);
      fast = f.record;
      hand = h.record;
    }
  });
});
