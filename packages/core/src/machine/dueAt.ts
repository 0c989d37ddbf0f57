import type { ResolvedPolicy } from '../policy.js';
import type { Instant } from '../thread.js';
import { remoteDeniesCall, startCallLifts } from './callBlocker.js';
import type { PermissionRecord } from './PermissionRecord.js';
import { retireAt } from './retireAt.js';
import { cutShortAt } from './sendOutcome.js';

/** What a thread needs when it falls due without any new event. */
export type FollowUpKind =
  /** A permission's expiry has come: step a TICK so the stored state (and `onTransition`) says `expired`. */
  | 'announce_expiry'
  /** Ask Meta: a provisional grant, an ambiguous send, or a request unanswered past its timeout. */
  | 'remote_check'
  /** Nothing live for `threadRetention`: delete the row (see `retireAt`). */
  | 'retire';

/** One piece of follow-up work and the instant it falls due. */
export interface FollowUpAt {
  readonly at: Instant;
  readonly kind: FollowUpKind;
}

/**
 * Every follow-up a record will need if nothing else happens, the single rule
 * behind `dueAt` (what stores index) and `followUpFor` (what `sweep` does):
 *
 * - an approval reaching its expiry: announce it;
 * - a provisional (implicit) grant, `reconcileDelay` after it: check remotely;
 * - an ambiguous opt-in send, `reconcileDelay` after it: check remotely;
 * - an opt-in send with no outcome written `sendOutcomeTimeout` after its
 *   reservation (cut short: `cutShortAt`): check remotely;
 * - an opt-in unanswered for `pendingReplyTimeout` (a reply webhook may have been
 *   lost): check remotely, once; a check stored after the timeout settles it;
 * - a live permission whose newest check denied `start_call` without naming a
 *   limit to wait for, `startCallRecheck` after that check: check again;
 * - a record holding nothing live, `threadRetention` after its newest instant:
 *   retire the row (`retireAt`).
 *
 * @example
 * followUps(emptyRecord(), resolvePolicy(messengerPolicy)); // []
 */
export const followUps = (record: PermissionRecord, policy: ResolvedPolicy): FollowUpAt[] => {
  const out: FollowUpAt[] = [];
  eachFollowUp(record, policy, (at, kind) => out.push({ at, kind }));
  return out.sort((a, b) => a.at - b.at);
};

/** Calls `visit` with each follow-up of `record` (the rules listed at {@link followUps}), in no particular order. */
const eachFollowUp = (record: PermissionRecord, policy: ResolvedPolicy, visit: (at: Instant, kind: FollowUpKind) => void): void => {
  if (record.state === 'approved') {
    if (record.expiresAt !== null) visit(record.expiresAt, 'announce_expiry');
    if (record.provisional && record.evidence) visit(record.evidence.at + policy.reconcileDelayMs, 'remote_check');
    if (record.remote !== null && remoteDeniesCall(record) && startCallLifts(record).length === 0) {
      const recheckAt = record.remote.at + policy.startCallRecheckMs;
      if (record.expiresAt === null || recheckAt < record.expiresAt) visit(recheckAt, 'remote_check');
    }
  }
  const p = record.pending;
  if (record.state === 'requested' && p) {
    if (p.ambiguous) visit(p.at + policy.reconcileDelayMs, 'remote_check');
    else {
      const cutShort = cutShortAt(record, policy);
      if (cutShort !== null) visit(cutShort, 'remote_check');
      const timedOutAt = p.at + policy.pendingReplyTimeoutMs;
      const settled = record.remote !== null && record.remote.at >= timedOutAt;
      if (!settled) visit(timedOutAt, 'remote_check');
    }
  }
  const retire = retireAt(record, policy);
  if (retire !== null) visit(retire, 'retire');
};

/**
 * When the thread next needs attention without any new event, or null. Derived on
 * every step and indexed by stores for `PermissionStore.due`.
 *
 * @example
 * nextDueAt(emptyRecord(), resolvePolicy(messengerPolicy)); // null
 */
export const nextDueAt = (record: PermissionRecord, policy: ResolvedPolicy): Instant | null => {
  // Runs on every step: the earliest follow-up without building and sorting the list.
  let due: Instant | null = null;
  eachFollowUp(record, policy, (at) => {
    if (due === null || at < due) due = at;
  });
  return due;
};
