import type { ResolvedPolicy } from '../policy.js';
import type { Instant } from '../thread.js';
import type { PermissionRecord } from './PermissionRecord.js';

/**
 * When the thread next needs attention without any new event: an ambiguous send
 * or a provisional grant to reconcile with a remote check, an unanswered request
 * to look at again, a permission about to expire (so `sweep` can announce it).
 * Null when nothing is due. Derived, never set by hand.
 *
 * @example
 * nextDueAt(emptyRecord(), resolvePolicy(messengerPolicy)); // null
 */
export const nextDueAt = (record: PermissionRecord, policy: ResolvedPolicy): Instant | null => {
  const due: Instant[] = [];
  const p = record.pending;
  if (record.state === 'requested' && p) {
    due.push(p.ambiguous ? p.at + policy.reconcileDelayMs : p.at + policy.pendingReplyTimeoutMs);
  }
  if (record.state === 'approved') {
    if (record.provisional && record.evidence) due.push(record.evidence.at + policy.reconcileDelayMs);
    if (record.expiresAt !== null) due.push(record.expiresAt);
  }
  return due.length === 0 ? null : Math.min(...due);
};
