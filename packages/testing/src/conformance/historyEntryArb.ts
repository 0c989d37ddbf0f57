import { lifecycleStates, type HistoryEntry, type HistorySource } from '@callperm/core';
import fc from 'fast-check';

const instant = fc.integer({ min: 1_000_000_000_000, max: 4_102_444_800_000 });
const text = fc.string({ unit: 'binary', maxLength: 40 });
const state = fc.constantFrom(...lifecycleStates);

const sourceArb: fc.Arbitrary<HistorySource> = fc.oneof(
  fc.record({ kind: fc.constant('webhook' as const), eventId: text, optInMessageId: fc.option(text, { nil: null }) }),
  fc.record({ kind: fc.constant('opt_in' as const), requestedAt: instant, messageId: fc.option(text, { nil: null }) }),
  fc.record({ kind: fc.constant('remote_check' as const), fbtraceId: fc.option(text, { nil: null }) }),
  fc.record({ kind: fc.constant('call' as const), callId: text, cause: fc.constantFrom('connected_call' as const, 'missed_call' as const) }),
  fc.constant({ kind: 'host' as const }),
  fc.constant({ kind: 'operator' as const }),
);

/**
 * Any consent-history entry a store must keep exactly: every source kind, any
 * Unicode in the ids it names, instants at `at` (or any, by default).
 *
 * @example
 * fc.assert(fc.property(historyEntryArb(), (e) => HistoryEntryCodec.is(e)));
 */
export const historyEntryArb = (at: fc.Arbitrary<number> = instant): fc.Arbitrary<HistoryEntry> => fc.record({
  at,
  recordedAt: instant,
  from: fc.option(state, { nil: null }),
  to: state,
  event: fc.constantFrom('REQUEST', 'REQUEST_SENT', 'REQUEST_FAILED', 'REPLY_APPROVE', 'REPLY_REJECT', 'CALL_CONNECTED',
    'CONSUMER_CALL_MISSED', 'REMOTE_SYNC', 'USER_MESSAGE', 'TICK', 'RESET' as const),
  source: sourceArb,
  expiresAt: fc.option(instant, { nil: null }),
  provisional: fc.boolean(),
  reason: fc.option(fc.constantFrom('no_permission', 'pending_reply', 'rejected', 'expired', 'quota_exhausted' as const), { nil: null }),
});
