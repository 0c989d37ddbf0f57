import type { ResolvedPolicy } from '../policy.js';
import type { Instant } from '../thread.js';
import type { PermissionRecord } from './PermissionRecord.js';

/** What a thread needs when it falls due without any new event. */
export type FollowUpKind =
  /** A permission's expiry has come: step a TICK so the stored state (and `onTransition`) says `expired`. */
  | 'announce_expiry'
  /** Ask Meta: a provisional grant, an ambiguous send, or a request unanswered past its timeout. */
  | 'remote_check';

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
 * - an opt-in unanswered for `pendingReplyTimeout` (a reply webhook may have been
 *   lost): check remotely, once; a check stored after the timeout settles it.
 *
 * @example
 * followUps(emptyRecord(), resolvePolicy(messengerPolicy)); // []
 */
export const followUps = (record: PermissionRecord, policy: ResolvedPolicy): FollowUpAt[] => {
  const out: FollowUpAt[] = [];
  if (record.state === 'approved') {
    if (record.expiresAt !== null) out.push({ at: record.expiresAt, kind: 'announce_expiry' });
    if (record.provisional && record.evidence) {
      out.push({ at: record.evidence.at + policy.reconcileDelayMs, kind: 'remote_check' });
    }
  }
  const p = record.pending;
  if (record.state === 'requested' && p) {
    if (p.ambiguous) out.push({ at: p.at + policy.reconcileDelayMs, kind: 'remote_check' });
    else {
      const timedOutAt = p.at + policy.pendingReplyTimeoutMs;
      const settled = record.remote !== null && record.remote.at >= timedOutAt;
      if (!settled) out.push({ at: timedOutAt, kind: 'remote_check' });
    }
  }
  return out.sort((a, b) => a.at - b.at);
};

/**
 * When the thread next needs attention without any new event, or null. Derived on
 * every step and indexed by stores for `PermissionStore.due`.
 *
 * @example
 * nextDueAt(emptyRecord(), resolvePolicy(messengerPolicy)); // null
 */
export const nextDueAt = (record: PermissionRecord, policy: ResolvedPolicy): Instant | null =>
  followUps(record, policy)[0]?.at ?? null;
