import type { ResolvedPolicy } from '../policy.js';
import type { Instant } from '../thread.js';
import { callQuotaChangesAt, callQuotaExhausted, reportedUntil } from './quota.js';
import type { DecisionReason } from './DecisionReason.js';
import type { LifecycleState } from './LifecycleState.js';
import type { PermissionRecord } from './PermissionRecord.js';

/**
 * The instants at which Meta's `start_call` denial lifts (its exhausted limits roll on); empty when it named none.
 *
 * @example
 * startCallLifts(emptyRecord()); // []
 */
export const startCallLifts = (record: PermissionRecord): Instant[] => {
  const remote = record.remote;
  if (remote === null) return [];
  return remote.startCallLimits.filter((l) => l.used >= l.max).map((l) => reportedUntil(remote.at, l));
};

/**
 * Meta's own `start_call` verdict counts while that check is the newest word on the permission.
 *
 * @example
 * remoteDeniesCall(emptyRecord()); // false
 */
export const remoteDeniesCall = (record: PermissionRecord): boolean =>
  record.remote !== null && record.remote.canStartCall === false && record.evidence !== null && record.remote.at >= record.evidence.at;

/**
 * Why a call may not start at `at` (the record's effective state is `state`), or null when it may.
 *
 * @example
 * callBlocker(emptyRecord(), 'none', now, policy); // 'no_permission'
 */
export const callBlocker = (record: PermissionRecord, state: LifecycleState, at: Instant, policy: ResolvedPolicy): DecisionReason | null => {
  switch (state) {
    case 'none': return 'no_permission';
    case 'requested': return 'pending_reply';
    case 'rejected': return 'rejected';
    case 'expired': return 'expired';
    case 'approved': break;
  }
  if (remoteDeniesCall(record)) {
    const lifts = startCallLifts(record);
    // Without a limit to wait for, the denial holds until a newer check (a follow-up is due: see dueAt).
    if (lifts.length === 0 || at < Math.max(...lifts)) return 'remote_start_call_denied';
  }
  if (callQuotaExhausted(record, at, policy)) return 'call_quota_exhausted';
  return null;
};

/**
 * The first instant after `at` at which `callBlocker` may answer differently: the
 * permission's expiry, the end of a `start_call` denial's limits, or a call
 * entering or leaving a connected-call window.
 *
 * @example
 * callChangesAt(record, now, policy); // record.expiresAt for a live permission
 */
export const callChangesAt = (record: PermissionRecord, at: Instant, policy: ResolvedPolicy): Instant => {
  let next = callQuotaChangesAt(record, at, policy);
  if (record.state === 'approved' && record.expiresAt !== null && record.expiresAt > at && record.expiresAt < next) next = record.expiresAt;
  if (remoteDeniesCall(record)) {
    const lifts = startCallLifts(record);
    const lift = lifts.length === 0 ? -Infinity : Math.max(...lifts);
    if (lift > at && lift < next) next = lift;
  }
  return next;
};

