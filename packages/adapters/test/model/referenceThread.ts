import type { DecisionReason, Instant, LifecycleState } from '@callperm/core';

/**
 * The reference model's thread: what it remembers, the rules' durations, and the
 * readings every rule shares (see referenceModel.ts). Durations are
 * messengerPolicy's, as plain numbers, written apart from core's code.
 */
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
/** Messenger's documented rules and the policy defaults the service runs with. */
export const RULES = {
  quotaMax: 2, quotaPeriod: DAY, window: DAY, permissionTtl: 7 * DAY,
  reminderAfter: 4 * HOUR, preflightMaxAge: HOUR, reconcileDelay: MIN, pendingReplyTimeout: DAY, sendOutcomeTimeout: 5 * MIN,
  pageRecheckAfter: 6 * HOUR,
} as const;

/** A held permission: its expiry as a range (an implicit grant's instant is known to lie between the call's connect and end). */
export interface RefGrant {
  readonly lo: Instant | null;
  readonly hi: Instant | null;
  readonly provisional: boolean;
  /** The implicit grant's instant range (for when its reconciling check is due); null for a reply or a check. */
  readonly from: readonly [Instant, Instant] | null;
}
/** What a state held before a request reserved its slot: restored when the send definitely did not reach Meta. */
export interface RefPrior {
  readonly state: LifecycleState;
  readonly pending: RefPending | null;
  readonly grant: RefGrant | null;
}
/** An opt-in whose slot is reserved and that no reply answered yet. */
export interface RefPending {
  readonly at: Instant;
  readonly ambiguous: boolean;
  /** Meta answered the send with a message id (false: reconciled from Meta's count, or no outcome yet). */
  readonly confirmed: boolean;
  /** A Decline older than this opt-in arrived while it was pending: where its failure returns to is not settled. */
  readonly priorUnsure?: boolean;
  readonly prior: RefPrior;
}
/** The last check: what Meta said and how many requests the local log held in its window then. */
export interface RefRemote {
  readonly at: Instant;
  readonly canRequest: boolean;
  readonly used: number;
  readonly max: number;
  readonly permitted: boolean;
  readonly localThen: number;
}
/** Meta's last refusal that teaches the thread something. */
export interface RefRefusal {
  readonly kind: 'outside_window' | 'request_limit' | 'person_unavailable';
  readonly at: Instant;
  readonly localThen: number;
}

export interface RefThread {
  state: LifecycleState;
  grant: RefGrant | null;
  /** The instant of the newest permission evidence applied (reply, implicit grant, check). */
  evidenceAt: Instant | null;
  /** Whether that newest evidence denies (a Decline, or a check without permission). */
  evidenceDenies: boolean;
  pending: RefPending | null;
  /** Reserved request instants (the local quota log). */
  requests: Instant[];
  lastInbound: Instant | null;
  declinedAt: Instant | null;
  refusal: RefRefusal | null;
  remote: RefRemote | null;
  /** Why the model cannot tell the state now (null: it can). */
  unsure: string | null;
  /** The last reconciling check in a sweep failed: the thread backs off, so a sweep may skip it. */
  backingOff: boolean;
}

/** What a permission check answered, as the fake Meta's book holds it at that instant. */
export interface MetaView {
  readonly hasPermission: boolean;
  readonly expiresAt: Instant | null;
  readonly canRequest: boolean;
  readonly used: number;
  readonly max: number;
}

/** What the model predicts of a decision; an absent field is one it cannot tell. */
export interface ExpectedDecision {
  state?: LifecycleState;
  canRequest?: boolean;
  canStartCall?: boolean;
  requestBlockedBy?: DecisionReason | null;
  callBlockedBy?: DecisionReason | null;
  reason?: DecisionReason | null;
  provisional?: boolean;
  expiresAt?: Instant | null;
}

/** A thread nothing is known about. */
export const newRefThread = (): RefThread => ({
  state: 'none', grant: null, evidenceAt: null, evidenceDenies: false, pending: null, requests: [], lastInbound: null,
  declinedAt: null, refusal: null, remote: null, unsure: null, backingOff: false,
});

export const wroteAfter = (t: RefThread, at: Instant): boolean => t.lastInbound !== null && t.lastInbound > at;

/**
 * A send with no outcome written and no check since its reservation reads as cut
 * short (its host died) from sendOutcomeTimeout after the reservation. In this
 * model every send writes its outcome, so only a pending opt-in that a check
 * reconciled lacks an id, and that check settles it.
 */
export const cutShortAt = (t: RefThread, p: RefPending): Instant | null => {
  if (p.ambiguous || p.confirmed) return null;
  return t.remote !== null && t.remote.at > p.at ? null : p.at + RULES.sendOutcomeTimeout;
};
export const readAsCutShort = (t: RefThread, p: RefPending, now: Instant): boolean => {
  const at = cutShortAt(t, p);
  return at !== null && now >= at;
};
/** Requests of the local log still inside the rolling period at `now`. */
export const localCount = (t: RefThread, now: Instant): number => t.requests.filter((r) => r > now - RULES.quotaPeriod).length;

/** The rolling quota as counted at `now`: the local log plus what Meta counted beyond it (a check, a 613), held for the period. */
export const quotaCount = (t: RefThread, now: Instant): number => {
  let beyond = 0;
  if (t.remote !== null && now < t.remote.at + RULES.quotaPeriod) beyond = Math.max(beyond, t.remote.used - t.remote.localThen);
  if (t.refusal?.kind === 'request_limit' && now < t.refusal.at + RULES.quotaPeriod) beyond = Math.max(beyond, RULES.quotaMax - t.refusal.localThen);
  return localCount(t, now) + beyond;
};

/** The state as read at `now`: an approval past its expiry reads expired; undefined when the model cannot tell. */
export const effectiveState = (t: RefThread, now: Instant): LifecycleState | undefined => {
  if (t.unsure !== null) return undefined;
  if (t.state !== 'approved' || t.grant === null) return t.state;
  const { lo, hi } = t.grant;
  if (hi === null || now < (lo ?? hi)) return 'approved';
  return now >= hi ? 'expired' : undefined;
};
