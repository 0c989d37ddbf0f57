import type { Instant } from '@callperm/core';
import {
  RULES, effectiveState, localCount, readAsCutShort, type MetaView, type RefGrant, type RefPrior, type RefRefusal, type RefThread,
} from './referenceThread.js';

/**
 * A reference model of ONE Messenger thread as the service should see it, written
 * from the facts file, DESIGN.md and the README's rules, apart from core's machine,
 * decide, quota and policy code (only its public vocabulary is shared): what each
 * webhook, check and opt-in does to it. Mutable on purpose: a command steps it.
 * Its thread and readings are in referenceThread.ts, its decisions in referenceDecision.ts.
 */
export * from './referenceThread.js';
export * from './referenceDecision.js';

// ---------------------------------------------------------------------------
// what the person does (as the webhooks deliver it), in any order, any number of times
// ---------------------------------------------------------------------------

/** The person wrote (a message, or a reply: a postback) at `at`: the messaging window opens from the latest. */
export const sawInbound = (t: RefThread, at: Instant): void => {
  t.lastInbound = t.lastInbound === null ? at : Math.max(t.lastInbound, at);
};

/** Newer evidence wins; older or equal (a duplicate) changes nothing. */
const newer = (t: RefThread, at: Instant): boolean => t.evidenceAt === null || at > t.evidenceAt;

const grantFrom = (t: RefThread, at: Instant, grant: RefGrant): void => {
  t.state = 'approved';
  t.grant = grant;
  t.evidenceAt = at;
  t.evidenceDenies = false;
  t.pending = null;
  t.unsure = null;
};

/** A `call_permission_reply`; `expiresAt` is Meta's, or null when it sent none (then the permission lasts 7 days). */
export const sawReply = (t: RefThread, at: Instant, response: 'approve' | 'reject', expiresAt: Instant | null): void => {
  const nothingAfter = t.lastInbound === null || at >= t.lastInbound;
  sawInbound(t, at);
  if (!newer(t, at)) {
    // A Decline behind a newer denial (a check that could not see it) still answers the opt-in it is not older than;
    // with no opt-in pending, it stands when the person did nothing known after it (it revoked what the check found gone).
    const stands = t.state === 'requested' ? t.pending !== null && at >= t.pending.at : (t.state === 'none' || t.state === 'expired') && nothingAfter;
    if (response === 'reject' && t.evidenceDenies && stands) {
      t.declinedAt = t.declinedAt === null || at > t.declinedAt ? at : t.declinedAt;
      t.unsure = null;
      t.state = 'rejected';
      t.grant = null;
      t.pending = null;
    }
    return;
  }
  if (response === 'approve') {
    const end = expiresAt ?? at + RULES.permissionTtl;
    return grantFrom(t, at, { lo: end, hi: end, provisional: false, from: null });
  }
  t.evidenceAt = at;
  t.evidenceDenies = true;
  t.declinedAt = at;
  // A Decline older than the opt-in still pending answered an earlier one: the pending opt-in is still
  // awaited (delivered in the other order, the Decline would have come before the reminder was asked).
  // Where a failed send of it would return to is not settled: the model stops judging then.
  if (t.state === 'requested' && t.pending !== null && at < t.pending.at) {
    t.pending = { ...t.pending, priorUnsure: true };
    return;
  }
  t.unsure = null;
  t.state = 'rejected';
  t.grant = null;
  t.pending = null;
};

/** A user-initiated call Meta reports as connected or missed: an implicit, provisional grant between its connect and its end. */
export const sawImplicitGrant = (t: RefThread, connectAt: Instant, endAt: Instant): void => {
  if (!newer(t, connectAt)) return;
  const held = effectiveState(t, connectAt) === 'approved' && t.grant !== null ? t.grant : null;
  const longer = (at: Instant): Instant | null => (held !== null && (held.hi === null || held.hi > at) ? held.hi : at);
  grantFrom(t, endAt, {
    lo: longer(connectAt + RULES.permissionTtl), hi: longer(endAt + RULES.permissionTtl), provisional: true, from: [connectAt, endAt],
  });
};

// ---------------------------------------------------------------------------
// what the service does: checks and opt-ins
// ---------------------------------------------------------------------------

const restore = (t: RefThread, prior: RefPrior, at: Instant): void => {
  t.requests = t.requests.filter((r) => r !== at);
  if (t.pending?.priorUnsure === true) t.unsure = 'a send failed after a Decline older than it';
  // A reminder that never reached Meta leaves the opt-in it reminds of pending (still unanswered).
  t.state = prior.state;
  t.pending = prior.pending;
  t.grant = prior.grant;
};

/** A permission check Meta answered at `now`: Meta's word is the newest evidence. */
export const sawCheck = (t: RefThread, now: Instant, view: MetaView): void => {
  t.backingOff = false;
  if (view.hasPermission) {
    grantFrom(t, now, { lo: view.expiresAt, hi: view.expiresAt, provisional: false, from: null });
  } else {
    if (t.state === 'approved') {
      const lapsed = t.grant !== null && t.grant.hi !== null && t.grant.hi <= now;
      const unknown = t.grant !== null && t.grant.lo !== null && t.grant.lo <= now && !lapsed;
      t.state = lapsed ? 'expired' : 'none';
      t.grant = null;
      if (unknown) t.unsure = 'an implicit grant whose expiry straddles the check';
    }
    const p = t.pending;
    if (t.state === 'requested' && p !== null && (p.ambiguous || readAsCutShort(t, p, now))) {
      // Meta counts fewer requests than the local log holds: the ambiguous send never reached it.
      if (view.used < localCount(t, now)) restore(t, p.prior, p.at);
      else t.pending = { ...p, ambiguous: false };
    }
    t.evidenceAt = now;
    t.evidenceDenies = true;
  }
  t.remote = { at: now, canRequest: view.canRequest, used: view.used, max: view.max, permitted: view.hasPermission, localThen: localCount(t, now) };
};

/** The request's slot is reserved at `now` and the thread moves to requested. */
export const reserve = (t: RefThread, now: Instant): void => {
  t.pending = { at: now, ambiguous: false, confirmed: false, prior: { state: t.state, pending: t.pending, grant: t.grant } };
  t.state = 'requested';
  t.requests.push(now);
};

/** How an opt-in send ended, as the client can tell. */
export type SendOutcome =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'ambiguous' }
  | { readonly kind: 'refused'; readonly teaches: RefRefusal['kind'] | null };

/** The opt-in reserved at `now` ended with `outcome`. */
export const sendEnded = (t: RefThread, now: Instant, outcome: SendOutcome): void => {
  const p = t.pending;
  if (p === null || p.at !== now) throw new Error('model: no pending request to settle');
  if (outcome.kind === 'accepted') {
    t.pending = { ...p, confirmed: true };
    return;
  }
  if (outcome.kind === 'ambiguous') {
    t.pending = { ...p, ambiguous: true };
    return;
  }
  restore(t, p.prior, p.at);
  if (outcome.teaches !== null) t.refusal = { kind: outcome.teaches, at: now, localThen: localCount(t, now) };
};
