import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { decide, decisionReason, decisionValidUntil, messengerPolicy, frozenRecord, resolvePolicy, type PermissionRecord } from '../src/internals.js';
import { DAY, HOUR, historyArb, play, policyArb } from './support/histories.js';
import { instantArb, recordArb } from './support/records.js';

/** Instants near the ones a record holds (where decisions flip), and anywhere. */
const probesFor = (r: PermissionRecord) => {
  const anchors = [r.expiresAt, r.pending?.at, r.lastInboundAt, r.remote?.at, ...r.requests].filter((x): x is number => typeof x === 'number');
  const near = anchors.length === 0 ? instantArb : fc.tuple(fc.constantFrom(...anchors), fc.constantFrom(0, HOUR, DAY, 7 * DAY), fc.integer({ min: -2, max: 2 }))
    .map(([a, p, d]) => a + p + d);
  return fc.array(fc.oneof(near, instantArb), { minLength: 1, maxLength: 12 }).map((xs) => [...xs].sort((a, b) => a - b));
};
/** Approved threads whose last check refused calls for a while: the start-call quota lifts with time. */
const callDeniedArb = fc.tuple(recordArb, instantArb, fc.constantFrom(HOUR, DAY), fc.integer({ min: 1, max: 3 }))
  .map(([r, at, periodMs, max]): PermissionRecord => ({
    ...r, state: 'approved', expiresAt: null,
    evidence: { at: at - HOUR, rank: 4, weight: Number.MAX_SAFE_INTEGER },
    remote: { at, permitted: true, canRequest: null, requestLimits: [], canStartCall: false, startCallLimits: [{ periodMs, max, used: max, freesAt: null }] },
  }));
const caseArb = fc.oneof(recordArb, callDeniedArb).chain((r) => fc.tuple(fc.constant(r), probesFor(r)));

describe('decisionReason', () => {
  fcTest.prop([policyArb, caseArb])('is the decision\'s reason, at every instant', (policy, [record, probes]) => {
    const p = resolvePolicy(policy);
    for (const at of probes) expect(decisionReason(record, at, p)).toBe(decide(record, at, p).reason);
  });
});

describe('decide memoised on frozen records', () => {
  fcTest.prop([policyArb, caseArb])('gives what the uncached decision gives, at every instant in any order', (policy, [record, probes]) => {
    const p = resolvePolicy(policy);
    const frozen = frozenRecord(record);
    for (const at of [...probes, ...[...probes].reverse()]) {
      expect(decide(frozen, at, p)).toStrictEqual(decide(record, at, p));
    }
  });

  fcTest.prop([policyArb, historyArb, fc.array(fc.integer({ min: 0, max: 9 * DAY }), { minLength: 1, maxLength: 20 })])(
    'gives what the uncached decision gives for reachable records as time passes',
    (policy, moves, gaps) => {
      const p = resolvePolicy(policy);
      const h = play(moves, p);
      const frozen = frozenRecord(h.record);
      let at = h.now;
      for (const g of gaps) {
        at += g;
        expect(decide(frozen, at, p)).toStrictEqual(decide(h.record, at, p));
      }
    },
  );

  fcTest.prop([policyArb, caseArb, fc.double({ min: 0, max: 1, noNaN: true })])(
    'decisionValidUntil: nothing but nextRequestAt changes before it',
    (policy, [record, probes], frac) => {
      const p = resolvePolicy(policy);
      const at = probes[0]!;
      const until = decisionValidUntil(record, at, p);
      const later = until === Infinity ? at + Math.floor(frac * 1000 * DAY) : at + Math.floor(frac * (until - at - 1));
      const first = decide(record, at, p);
      expect(decide(record, later, p)).toStrictEqual(first.canRequest ? { ...first, nextRequestAt: later } : first);
    },
  );

  test('a frozen copy is deep-frozen and equal', () => {
    const r = play([{ kind: 'message', dt: 0 }, { kind: 'request', dt: 1, outcome: 'sent' }], resolvePolicy(policyFixture)).record;
    const f = frozenRecord(r);
    expect(f).toStrictEqual(r);
    expect(Object.isFrozen(f) && Object.isFrozen(f.requests) && (f.pending === null || Object.isFrozen(f.pending))).toBe(true);
  });
});

const policyFixture = messengerPolicy;
