import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import {
  compileMachine, createStepper, fastStep, machineGuards, permissionMachine, step,
  type CompiledMachine, type CompiledTransition, type PermissionEvent, type PermissionRecord, type ResolvedPolicy, type Stepper,
} from '../src/internals.js';
import { buildRemote, historyArb, play, policyArb, remoteParamsArb, resolved } from './support/histories.js';
import { instantArb, maybe, recordArb } from './support/records.js';

// ---------------------------------------------------------------------------
// Inputs: reachable histories, and arbitrary records meeting arbitrary events
// ---------------------------------------------------------------------------

/** Any event, with `requestedAt` often naming the record's pending request or a counted slot. */
const eventFor = (r: PermissionRecord): fc.Arbitrary<PermissionEvent> => {
  const known = [r.pending?.at, ...r.requests].filter((x): x is number => x !== undefined);
  const requestedAt = known.length > 0 ? fc.oneof(fc.constantFrom(...known), instantArb) : instantArb;
  const messageId = fc.constantFrom('m1', 'm2', 'm3');
  return fc.oneof(
    fc.record({ type: fc.constant('REQUEST' as const), at: instantArb }),
    fc.record({ type: fc.constant('REQUEST_SENT' as const), at: instantArb, requestedAt, messageId }),
    fc.record({ type: fc.constant('REQUEST_FAILED' as const), at: instantArb, requestedAt, ambiguous: fc.boolean() }),
    fc.record({
      type: fc.constant('REQUEST_FAILED' as const), at: instantArb, requestedAt, ambiguous: fc.constant(false),
      refusal: fc.constantFrom('outside_window' as const, 'request_limit' as const, 'person_unavailable' as const),
    }),
    fc.record({ type: fc.constant('REPLY_APPROVE' as const), at: instantArb, expiresAt: maybe(instantArb) }),
    fc.record({ type: fc.constant('REPLY_REJECT' as const), at: instantArb }),
    fc.record({ type: fc.constantFrom('CALL_CONNECTED' as const, 'CONSUMER_CALL_MISSED' as const), at: instantArb }),
    fc.tuple(instantArb, remoteParamsArb).map(([at, p]) => ({ type: 'REMOTE_SYNC' as const, at, remote: buildRemote(p, at) })),
    fc.record({ type: fc.constant('USER_MESSAGE' as const), at: instantArb }),
    fc.record({ type: fc.constant('TICK' as const), at: instantArb }),
  );
};
const pairArb = recordArb.chain((r) => fc.tuple(fc.constant(r), eventFor(r)));

// ---------------------------------------------------------------------------
// The property, for any stepper: equal to XState's transition at every step
// ---------------------------------------------------------------------------

const agreesAlongHistory = (candidate: Stepper, policy: ResolvedPolicy, events: readonly PermissionEvent[]): void => {
  let record = play([], policy).record;
  for (const e of events) {
    const expected = step(record, e, policy);
    expect(candidate(record, e, policy)).toStrictEqual(expected);
    record = expected.record;
  }
};

const historyProperty = (candidate: Stepper) => fc.property(policyArb, historyArb, (policy, moves) => {
  const p = resolved(policy);
  agreesAlongHistory(candidate, p, play(moves, p).events);
});

const pairProperty = (candidate: Stepper) => fc.property(policyArb, pairArb, (policy, [record, event]) => {
  const p = resolved(policy);
  expect(candidate(record, event, p)).toStrictEqual(step(record, event, p));
});

describe('fastStep equals XState transition', () => {
  fcTest.prop([policyArb, historyArb])('same state, record, effects and changed at every step of a history', (policy, moves) => {
    const p = resolved(policy);
    agreesAlongHistory(fastStep, p, play(moves, p).events);
  });

  fcTest.prop([policyArb, pairArb])('same result for any record meeting any event', (policy, [record, event]) => {
    const p = resolved(policy);
    expect(fastStep(record, event, p)).toStrictEqual(step(record, event, p));
  });

  fcTest.prop([policyArb, fc.array(pairArb.map(([, e]) => e), { maxLength: 30 })])(
    'same results along random event sequences, out of order and repeated',
    (policy, events) => agreesAlongHistory(fastStep, resolved(policy), events),
  );
});

// ---------------------------------------------------------------------------
// The property has teeth: each deliberately broken compilation is caught
// ---------------------------------------------------------------------------

type Mutable = Record<string, Record<string, CompiledTransition[] | undefined>>;
const mutate = (edit: (t: Mutable) => void): Stepper => {
  const copy: Mutable = {};
  for (const [state, byEvent] of Object.entries(compileMachine(permissionMachine))) {
    copy[state] = Object.fromEntries(Object.entries(byEvent).map(([e, ts]) => [e, [...(ts ?? [])]]));
  }
  edit(copy);
  return createStepper(copy as unknown as CompiledMachine);
};
const eachTransition = (t: Mutable, f: (x: CompiledTransition) => CompiledTransition): void => {
  for (const byEvent of Object.values(t)) for (const [e, ts] of Object.entries(byEvent)) byEvent[e] = ts?.map(f);
};

const mutants: Record<string, Stepper> = {
  'transitions tried in reverse order': mutate((t) => { t.requested!.REQUEST_FAILED!.reverse(); }),
  'entry actions dropped': mutate((t) => eachTransition(t, (x) => ({ ...x, ops: x.target === null ? x.ops : x.ops.slice(0, -1) }))),
  'and(...) reduced to its first guard': mutate((t) => eachTransition(t, (x) =>
    (x.guardName?.includes(' and ') ? { ...x, guard: machineGuards[x.guardName.split(' and ')[0] as keyof typeof machineGuards] } : x))),
  'effects dropped': mutate((t) => eachTransition(t, (x) => ({ ...x, effects: [] }))),
  'a guard ignored': mutate((t) => eachTransition(t, (x) => (x.guardName === 'hasLapsed' ? { ...x, guard: null } : x))),
};

describe('a broken compiler fails the equivalence property', () => {
  for (const [name, mutant] of Object.entries(mutants)) {
    test(name, () => {
      const found = fc.check(historyProperty(mutant)).failed || fc.check(pairProperty(mutant)).failed;
      expect(found).toBe(true);
    });
  }
});
