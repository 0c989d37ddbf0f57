import { memoDecide } from './decisionMemo.js';
import type { DecisionReason } from './machine/DecisionReason.js';
import { callBlocker } from './machine/callBlocker.js';
import { effectiveState } from './machine/effectiveState.js';
import type { LifecycleState } from './machine/LifecycleState.js';
import type { PermissionRecord } from './machine/PermissionRecord.js';
import { nextRequestAt, requestBlocker } from './machine/requestBlocker.js';
import { resolvePolicy, type Policy, type ResolvedPolicy } from './policy.js';
import type { Instant } from './thread.js';

/**
 * What a thread may do at one instant, and why not.
 *
 * `reason` is the one thing holding the host back (null when a call may start):
 * the request blocker when a request is not possible either, otherwise why no call.
 */
export interface Decision {
  readonly state: LifecycleState;
  readonly canStartCall: boolean;
  readonly canRequest: boolean;
  readonly reason: DecisionReason | null;
  readonly callBlockedBy: DecisionReason | null;
  readonly requestBlockedBy: DecisionReason | null;
  /** When the held permission ends (null: none held, or no known expiry). */
  readonly expiresAt: Instant | null;
  /** The earliest instant a request may be sent if nothing else happens; null when it depends on the person. */
  readonly nextRequestAt: Instant | null;
  /** The permission was inferred from a call and awaits a remote check. */
  readonly provisional: boolean;
}

/** The one thing holding the host back: none when a call may start, else the request blocker when a request is not possible either. */
const reasonOf = (callBlockedBy: DecisionReason | null, requestBlockedBy: DecisionReason | null): DecisionReason | null =>
  (callBlockedBy === null ? null : requestBlockedBy === null || requestBlockedBy === 'already_permitted' ? callBlockedBy : requestBlockedBy);

const decideNow = (record: PermissionRecord, at: Instant, p: ResolvedPolicy): Decision => {
  const state = effectiveState(record, at);
  const callBlockedBy = callBlocker(record, state, at, p);
  const requestBlockedBy = requestBlocker(record, at, p);
  const canStartCall = callBlockedBy === null;
  const canRequest = requestBlockedBy === null;
  return {
    state,
    canStartCall,
    canRequest,
    reason: reasonOf(callBlockedBy, requestBlockedBy),
    callBlockedBy,
    requestBlockedBy,
    expiresAt: state === 'approved' ? record.expiresAt : null,
    nextRequestAt: canRequest ? at : nextRequestAt(record, at, p),
    provisional: state === 'approved' && record.provisional,
  };
};

/**
 * Decides, from a record and an instant alone, whether the Page may call or ask.
 * Pure: no clock, no I/O; the same inputs always give the same decision. For a
 * frozen record (what `cachingStore` hands out) the decision is memoised until
 * the next instant it can change, so status reads of a hot thread cost a lookup.
 *
 * @example
 * const d = decide(emptyRecord(), clock.now(), messengerPolicy);
 * d.canStartCall; // false
 * d.reason;       // 'no_permission'
 */
export const decide = (record: PermissionRecord, at: Instant, policy: Policy | ResolvedPolicy): Decision => {
  const p = 'source' in policy ? policy : resolvePolicy(policy);
  return Object.isFrozen(record) ? memoDecide(record, at, p, decideNow) : decideNow(record, at, p);
};

/**
 * `decide(record, at, policy).reason` alone, without working out when a request
 * may next go out: what the consent history keeps of each step.
 *
 * @example
 * decisionReason(emptyRecord(), clock.now(), resolvePolicy(messengerPolicy)); // 'no_permission'
 */
export const decisionReason = (record: PermissionRecord, at: Instant, p: ResolvedPolicy): DecisionReason | null =>
  reasonOf(callBlocker(record, effectiveState(record, at), at, p), requestBlocker(record, at, p));
