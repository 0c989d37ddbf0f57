import type { ResolvedPolicy } from '../policy.js';
import { EvidenceRank, evidenceOf, isNewerEvidence } from './evidence.js';
import type { PermissionEvent } from './PermissionEvent.js';
import type { PermissionRecord } from './PermissionRecord.js';
import { callBlocker } from './callBlocker.js';
import { effectiveState } from './effectiveState.js';
import { countIn } from './quota.js';
import { requestBlocker } from './requestBlocker.js';
import { cutShortAt } from './sendOutcome.js';
import { approvalExpiry, remoteViewOf } from './updates.js';

/**
 * The machine's guards as plain predicates `(record, event, policy) => boolean`,
 * named in `setup` and reusable by any stepper. Each returns false for an event
 * type it does not know, so a misrouted event can never pass a guard.
 */
type Guard = (record: PermissionRecord, event: PermissionEvent, policy: ResolvedPolicy) => boolean;

export const mayRequest: Guard = (r, e, p) => e.type === 'REQUEST' && requestBlocker(r, e.at, p) === null;

/** A call may start: a live permission, no `start_call` denial, a free connected-call slot (the rule `decide` reads). */
export const mayStartCall: Guard = (r, e, p) => e.type === 'CALL_START' && callBlocker(r, effectiveState(r, e.at), e.at, p) === null;

/** A connect refused because the person has not given permission, newer than the record's evidence. */
export const isNewerCallDenial: Guard = (r, e) =>
  e.type === 'CALL_FAILED' && e.refusal === 'no_permission' && isNewerEvidence(r, evidenceOf(e.placedAt, EvidenceRank.sync, 'denied'));

/** A connected call resets the request quota under this policy, and something before it still counts. */
export const resetsRequestQuota: Guard = (r, e, p) =>
  e.type === 'CALL_ANSWERED' && p.requestQuotaResetByCall
  && (r.requests.some((x) => x <= e.at)
    || (r.refusal !== null && r.refusal.kind === 'request_limit' && r.refusal.at <= e.at)
    || (r.remote !== null && r.remote.at <= e.at && r.remote.requestLimits.some((l) => l.used > 0)));

/** A failed connect the record has not taken in yet: a slot still counted, a newer rate-limit refusal, or a newer denial. */
export const callFailureNews: Guard = (r, e, p) =>
  e.type === 'CALL_FAILED' && (r.calls.includes(e.placedAt)
    || (e.refusal === 'call_limit' && (r.callLimitAt === null || e.placedAt > r.callLimitAt))
    || isNewerCallDenial(r, e, p));

export const isNewerApproval: Guard = (r, e, p) =>
  e.type === 'REPLY_APPROVE' && isNewerEvidence(r, evidenceOf(e.at, EvidenceRank.approve, approvalExpiry(e, p)));

export const isNewerRejection: Guard = (r, e) =>
  e.type === 'REPLY_REJECT' && isNewerEvidence(r, evidenceOf(e.at, EvidenceRank.reject, 'denied'));

/**
 * A Decline older than the record's evidence that still stands: the newer evidence
 * is a denial (a check made between the person's tap and its webhook cannot tell a
 * Decline from no answer, so it agrees with it), and the Decline answers the
 * pending request, or, with none pending, nothing the person did is known after it
 * (a Decline that revoked a permission a check has since found gone).
 */
export const declineAnswersPastDenial: Guard = (r, e) =>
  e.type === 'REPLY_REJECT' && r.evidence !== null && r.evidence.weight === -1
  && !isNewerEvidence(r, evidenceOf(e.at, EvidenceRank.reject, 'denied'))
  && (r.state === 'requested'
    ? r.pending !== null && e.at >= r.pending.at
    : (r.state === 'none' || r.state === 'expired') && (r.lastInboundAt === null || e.at >= r.lastInboundAt));

/** A rejection answers the pending request only if it is not older than that request. */
export const answersPendingRequest: Guard = (r, e) =>
  e.type === 'REPLY_REJECT' && (r.pending === null || e.at >= r.pending.at);

export const isNewerImplicitGrant: Guard = (r, e, p) =>
  (e.type === 'CALL_CONNECTED' || e.type === 'CONSUMER_CALL_MISSED')
  && isNewerEvidence(r, evidenceOf(e.at, EvidenceRank.implicit, e.at + p.permissionTtlMs));

export const isNewerSyncGrant: Guard = (r, e) =>
  e.type === 'REMOTE_SYNC' && e.remote.status === 'has_permission'
  && isNewerEvidence(r, evidenceOf(e.at, EvidenceRank.sync, e.remote.expiresAt));

export const isNewerSyncDenial: Guard = (r, e) =>
  e.type === 'REMOTE_SYNC' && e.remote.status !== 'has_permission'
  && isNewerEvidence(r, evidenceOf(e.at, EvidenceRank.sync, 'denied'));

/** The held permission's expiry has come by the event's instant. */
export const hasLapsed: Guard = (r, e) => r.expiresAt !== null && e.at >= r.expiresAt;

/** A sync older than the status evidence still carries quota news if it is the newest check. */
export const isNewerRemoteView: Guard = (r, e) => e.type === 'REMOTE_SYNC' && (r.remote === null || e.at > r.remote.at);

export const isDefiniteFailure: Guard = (_r, e) => e.type === 'REQUEST_FAILED' && !e.ambiguous;

export const isAmbiguousFailure: Guard = (r, e) =>
  e.type === 'REQUEST_FAILED' && e.ambiguous && r.pending?.at === e.requestedAt && !r.pending.ambiguous;

export const failureMatchesPending: Guard = (r, e) => e.type === 'REQUEST_FAILED' && r.pending?.at === e.requestedAt;

export const sentMatchesPending: Guard = (r, e) =>
  e.type === 'REQUEST_SENT' && r.pending?.at === e.requestedAt && r.pending.messageId !== e.messageId;

export const priorWasRejected: Guard = (r) => r.pending?.prior === 'rejected';

/** The pending send is a reminder: if it never reaches Meta, the opt-in it reminds of is still awaited. */
export const pendingIsReminder: Guard = (r) => r.pending !== null && r.pending.reminds !== null;

/** The request replaced a permission that had run out (stored as expired, or approved past its expiry). */
export const priorWasExpired: Guard = (r) => r.pending?.prior === 'expired' || r.pending?.prior === 'approved';

/** A definite failure for a request whose slot is still counted. */
export const holdsFailedSlot: Guard = (r, e) =>
  e.type === 'REQUEST_FAILED' && !e.ambiguous && r.requests.includes(e.requestedAt);

export const isNewerInbound: Guard = (r, e) =>
  e.type === 'USER_MESSAGE' && (r.lastInboundAt === null || e.at > r.lastInboundAt);

/** A reply that is no newer evidence still tells of the person's interaction, or of a newer Decline. */
export const repliesNews: Guard = (r, e) =>
  (e.type === 'REPLY_APPROVE' || e.type === 'REPLY_REJECT')
  && (r.lastInboundAt === null || e.at > r.lastInboundAt || (e.type === 'REPLY_REJECT' && (r.declinedAt === null || e.at > r.declinedAt)));

/**
 * A check that shows the pending send never reached Meta, when its fate was unknown
 * (ambiguous, or cut short by the check's instant: `cutShortAt`): no permission,
 * and a reported request count below what the local log holds for that window at
 * the check's instant (the send is in the log, not in Meta's count). An inference
 * from `current_usage`; a check without limits proves nothing.
 */
export const sendNotDelivered: Guard = (r, e, p) => {
  if (e.type !== 'REMOTE_SYNC' || e.remote.status === 'has_permission' || r.pending === null) return false;
  const cutShort = cutShortAt(r, p);
  if (!r.pending.ambiguous && (cutShort === null || e.at < cutShort)) return false;
  if (r.pending.at > e.at) return false;
  const view = remoteViewOf(e.remote, e.at);
  return view.requestLimits.some((l) => l.used < countIn(r.requests, e.at - l.periodMs, e.at));
};
