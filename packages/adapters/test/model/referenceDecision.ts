import type { DecisionReason, Instant, LifecycleState } from '@callperm/core';
import {
  RULES, cutShortAt, effectiveState, quotaCount, readAsCutShort, wroteAfter, type ExpectedDecision, type RefThread,
} from './referenceThread.js';

/**
 * What the reference model decides for a thread at an instant, and when the
 * service must ask Meta (a preflight check, a sweep's reconciling check): the
 * README's rules, first match wins, written apart from core's requestBlocker.
 */

/** Why a request may not go now (the README's rules, first match wins); undefined when the state is unknown. */
export const requestBlocker = (t: RefThread, now: Instant): DecisionReason | null | undefined => {
  const state = effectiveState(t, now);
  if (state === undefined) return undefined;
  const p = state === 'requested' ? t.pending : null;
  if (state === 'approved') return 'already_permitted';
  if (p !== null && (p.ambiguous || readAsCutShort(t, p, now))) return 'pending_reply';
  // The person writing after an opt-in known to have reached Meta (its id, or a check that counted it) lifts the reminder wait.
  if (p !== null && now < p.at + RULES.reminderAfter && !wroteAfter(t, p.at)) return 'pending_reply';
  if (state === 'rejected' && t.declinedAt !== null && !wroteAfter(t, t.declinedAt)) return 'rejected';
  if (quotaCount(t, now) >= RULES.quotaMax) return 'quota_exhausted';
  const refused = t.refusal !== null && !wroteAfter(t, t.refusal.at) ? t.refusal.kind : null;
  if (refused === 'person_unavailable') return 'person_unavailable';
  if (refused === 'outside_window') return 'outside_messaging_window';
  const r = t.remote;
  if (r !== null && !r.canRequest && !r.permitted && r.used < r.max && !wroteAfter(t, r.at)) return 'remote_request_denied';
  if (t.lastInbound !== null && now >= t.lastInbound + RULES.window) return 'outside_messaging_window';
  return null;
};

const callBlockerOf = (state: LifecycleState): DecisionReason | null =>
  ({ approved: null, none: 'no_permission', requested: 'pending_reply', rejected: 'rejected', expired: 'expired' } as const)[state];

/** The decision the service should give at `now`, on the fields the model can tell. */
export const expectedDecision = (t: RefThread, now: Instant): ExpectedDecision => {
  const state = effectiveState(t, now);
  if (state === undefined) return {};
  const requestBlockedBy = requestBlocker(t, now) ?? null;
  const callBlockedBy = callBlockerOf(state);
  const approved = state === 'approved';
  const exact = t.grant !== null && t.grant.lo === t.grant.hi;
  return {
    state, canRequest: requestBlockedBy === null, canStartCall: callBlockedBy === null, requestBlockedBy, callBlockedBy,
    reason: callBlockedBy === null ? null : requestBlockedBy === null || requestBlockedBy === 'already_permitted' ? callBlockedBy : requestBlockedBy,
    provisional: approved && t.grant!.provisional,
    ...(approved ? (exact ? { expiresAt: t.grant!.hi } : {}) : { expiresAt: null }),
  };
};

/**
 * Whether `request` must check with Meta before it asks: no check newer than preflightMaxAge,
 * or the request would be a reminder (an opt-in is still awaited: its answer may be on the way).
 */
export const needsPreflight = (t: RefThread, now: Instant): boolean =>
  t.remote === null || now - t.remote.at >= RULES.preflightMaxAge || (t.state === 'requested' && t.pending !== null);

/**
 * When a sweep may and must check this thread at `now`: [earliest, latest] instant its reconciling
 * check falls due, or null. An implicit grant that may have lapsed needs no confirming any more: the
 * sweep may still check it (its record still holds the grant until an event moves it to expired),
 * and need not.
 */
export const checkDue = (t: RefThread, now: Instant): readonly [Instant, Instant] | null => {
  const p = t.pending;
  if (t.state === 'requested' && p !== null) {
    if (p.ambiguous) return [p.at + RULES.reconcileDelay, p.at + RULES.reconcileDelay];
    const cut = cutShortAt(t, p);
    if (cut !== null) return [cut, cut];
    const lost = p.at + RULES.pendingReplyTimeout;
    if (t.remote === null || t.remote.at < lost) return [lost, lost];
    return null;
  }
  if (t.state === 'approved' && t.grant?.provisional === true && t.grant.from !== null) {
    const [a, b] = t.grant.from;
    return [a + RULES.reconcileDelay, effectiveState(t, now) === 'approved' ? b + RULES.reconcileDelay : Infinity];
  }
  return null;
};
