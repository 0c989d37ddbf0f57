import { lifecycleStates, RECORD_SCHEMA, type PermissionRecord } from '@callperm/core';
import fc from 'fast-check';

/** Instants between 2001 and 2100, in epoch ms: whole numbers, as every instant in callperm is. */
const instant = fc.integer({ min: 1_000_000_000_000, max: 4_102_444_800_000 });
const state = fc.constantFrom(...lifecycleStates);
const limit = fc.record({ periodMs: fc.nat(), max: fc.nat({ max: 1000 }), used: fc.nat({ max: 1000 }), freesAt: fc.option(fc.nat(), { nil: null }) });

/**
 * Any `PermissionRecord` a store must keep exactly: every nullable field both ways,
 * any Unicode (lone surrogates and NUL included) in the one free-text field.
 * Used by the conformance round trip; handy for a host's own store tests.
 *
 * @example
 * fc.assert(fc.property(permissionRecordArb, (r) => PermissionRecordCodec.is(r)));
 */
export const permissionRecordArb: fc.Arbitrary<PermissionRecord> = fc.record({
  schema: fc.constant(RECORD_SCHEMA),
  state,
  expiresAt: fc.option(instant, { nil: null }),
  provisional: fc.boolean(),
  evidence: fc.option(fc.record({
    at: instant,
    rank: fc.integer({ min: 0, max: 4 }),
    weight: fc.oneof(fc.constant(-1), instant, fc.constant(Number.MAX_SAFE_INTEGER)),
  }), { nil: null }),
  requests: fc.array(instant, { maxLength: 4 }).map((xs) => [...xs].sort((a, b) => a - b)),
  pending: fc.option(fc.record({
    at: instant,
    messageId: fc.option(fc.string({ unit: 'binary', maxLength: 40 }), { nil: null }),
    ambiguous: fc.boolean(),
    prior: state,
    reminds: fc.option(fc.record({
      at: instant,
      messageId: fc.option(fc.string({ unit: 'binary', maxLength: 40 }), { nil: null }),
    }), { nil: null }),
  }), { nil: null }),
  lastInboundAt: fc.option(instant, { nil: null }),
  declinedAt: fc.option(instant, { nil: null }),
  refusal: fc.option(fc.record({
    at: instant,
    kind: fc.constantFrom('outside_window' as const, 'request_limit' as const, 'person_unavailable' as const),
  }), { nil: null }),
  remote: fc.option(fc.record({
    at: instant,
    permitted: fc.boolean(),
    canRequest: fc.option(fc.boolean(), { nil: null }),
    requestLimits: fc.array(limit, { maxLength: 2 }),
    canStartCall: fc.option(fc.boolean(), { nil: null }),
    startCallLimits: fc.array(limit, { maxLength: 2 }),
  }), { nil: null }),
  calls: fc.array(instant, { maxLength: 5 }).map((xs) => [...xs].sort((a, b) => a - b)),
  callLimitAt: fc.option(instant, { nil: null }),
  lastEventAt: fc.option(instant, { nil: null }),
  dueAt: fc.option(instant, { nil: null }),
});
