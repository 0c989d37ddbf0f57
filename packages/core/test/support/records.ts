import fc from 'fast-check';
import { lifecycleStates, RECORD_SCHEMA, type PermissionRecord } from '../../src/internals.js';
import { DAY, HOUR, T0 } from './histories.js';

/** Instants on a coarse grid around T0, so equal instants (the tie-breaks) are common. */
export const instantArb = fc.oneof(
  fc.integer({ min: -48, max: 48 }).map((h) => T0 + h * HOUR),
  fc.integer({ min: -10 * DAY, max: 10 * DAY }).map((d) => T0 + d),
);
export const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const limitArb = fc.record({
  periodMs: fc.constantFrom(HOUR, DAY, 7 * DAY),
  max: fc.integer({ min: 0, max: 3 }),
  used: fc.integer({ min: 0, max: 3 }),
  freesAt: fc.option(instantArb, { nil: null }),
});

/** Any record the codec accepts, including states its fields would not lead to. */
export const recordArb: fc.Arbitrary<PermissionRecord> = fc.record({
  schema: fc.constant(RECORD_SCHEMA),
  state: fc.constantFrom(...lifecycleStates),
  expiresAt: maybe(instantArb),
  provisional: fc.boolean(),
  evidence: maybe(fc.record({
    at: instantArb, rank: fc.integer({ min: 1, max: 4 }), weight: fc.oneof(fc.constant(-1), fc.constant(Number.MAX_SAFE_INTEGER), instantArb),
  })),
  requests: fc.array(instantArb, { maxLength: 4 }).map((xs) => [...xs].sort((a, b) => a - b)),
  pending: maybe(fc.record({
    at: instantArb, messageId: maybe(fc.constantFrom('m1', 'm2')), ambiguous: fc.boolean(), prior: fc.constantFrom(...lifecycleStates),
    reminds: maybe(fc.record({ at: instantArb, messageId: maybe(fc.constantFrom('m0', 'm1')) })),
  })),
  lastInboundAt: maybe(instantArb),
  declinedAt: maybe(instantArb),
  refusal: maybe(fc.record({ at: instantArb, kind: fc.constantFrom('outside_window' as const, 'request_limit' as const, 'person_unavailable' as const) })),
  remote: maybe(fc.record({
    at: instantArb,
    permitted: fc.boolean(),
    canRequest: maybe(fc.boolean()),
    requestLimits: fc.array(limitArb, { maxLength: 2 }),
    canStartCall: maybe(fc.boolean()),
    startCallLimits: fc.array(limitArb, { maxLength: 1 }),
  })),
  calls: fc.array(instantArb, { maxLength: 6 }).map((xs) => [...xs].sort((a, b) => a - b)),
  callLimitAt: maybe(instantArb),
  lastEventAt: maybe(instantArb),
  dueAt: maybe(instantArb),
});

