import type { PermissionRecord } from '../machine/PermissionRecord.js';
import type { ResolvedPolicy } from '../policy.js';
import type { Instant } from '../thread.js';

/** What `sweep` does for a thread that fell due. */
export type FollowUp =
  /** A permission's expiry has come: step a TICK so the stored state (and `onTransition`) says `expired`. */
  | 'announce_expiry'
  /** Ask Meta (`refresh`): a provisional grant, an ambiguous send, or a request unanswered past its timeout. */
  | 'remote_check'
  /** Nothing to do now. */
  | 'none';

/**
 * Decides the follow-up a thread needs at `now`, from its record alone. Pure.
 *
 * - an approval past its expiry: announce it (a TICK);
 * - a provisional (implicit) grant, `reconcileDelay` after it: check remotely;
 * - an ambiguous opt-in send, `reconcileDelay` after it: check remotely;
 * - an opt-in unanswered for `pendingReplyTimeout` (a reply webhook may have been
 *   lost): check remotely, once; a check made after the timeout settles it.
 *
 * @example
 * followUpFor({ ...emptyRecord(), state: 'approved', expiresAt: 10 }, 10, policy); // 'announce_expiry'
 */
export const followUpFor = (record: PermissionRecord, now: Instant, policy: ResolvedPolicy): FollowUp => {
  if (record.state === 'approved') {
    if (record.expiresAt !== null && now >= record.expiresAt) return 'announce_expiry';
    const provisionalSince = record.provisional ? record.evidence?.at ?? null : null;
    return provisionalSince !== null && now >= provisionalSince + policy.reconcileDelayMs ? 'remote_check' : 'none';
  }
  const p = record.pending;
  if (record.state !== 'requested' || p === null) return 'none';
  if (p.ambiguous) return now >= p.at + policy.reconcileDelayMs ? 'remote_check' : 'none';
  const timedOutAt = p.at + policy.pendingReplyTimeoutMs;
  if (now < timedOutAt) return 'none';
  return record.remote !== null && record.remote.at >= timedOutAt ? 'none' : 'remote_check';
};
