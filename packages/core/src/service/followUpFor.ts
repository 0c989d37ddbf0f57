import { followUps, type FollowUpKind } from '../machine/dueAt.js';
import type { PermissionRecord } from '../machine/PermissionRecord.js';
import type { ResolvedPolicy } from '../policy.js';
import type { Instant } from '../thread.js';

/** What `sweep` does for a thread that fell due: a follow-up kind, or nothing yet. */
export type FollowUp = FollowUpKind | 'none';

/**
 * The follow-up a thread needs at `now`, from its record alone (the earliest one
 * that has come, by the same rule as `dueAt`). A remote check backing off after
 * failures (`checkDeferredUntil` after `now`) is skipped, so it never holds back
 * an expiry announcement. Pure.
 *
 * @example
 * followUpFor({ ...emptyRecord(), state: 'approved', expiresAt: 10 }, 10, policy); // 'announce_expiry'
 */
export const followUpFor = (record: PermissionRecord, now: Instant, policy: ResolvedPolicy, checkDeferredUntil: Instant | null = null): FollowUp => {
  const deferred = checkDeferredUntil !== null && checkDeferredUntil > now;
  return followUps(record, policy).find((f) => f.at <= now && !(deferred && f.kind === 'remote_check'))?.kind ?? 'none';
};

/**
 * The due instant of the record's remote check when it has come by `now`, else
 * null: what a thread's backoff document is about. Pure.
 *
 * @example
 * remoteCheckDue(record, clock.now(), policy); // e.g. 1_700_000_060_000
 */
export const remoteCheckDue = (record: PermissionRecord, now: Instant, policy: ResolvedPolicy): Instant | null =>
  followUps(record, policy).find((f) => f.kind === 'remote_check' && f.at <= now)?.at ?? null;

/**
 * The record's `dueAt` while its remote check due at `checkAt` backs off until
 * `until`: the earliest follow-up, that check counted at `until`. What the sweep
 * writes so a failing thread leaves the head of the due index. Pure.
 *
 * @example
 * deferredDueAt(record, policy, checkAt, now + 60_000);
 */
export const deferredDueAt = (record: PermissionRecord, policy: ResolvedPolicy, checkAt: Instant, until: Instant): Instant | null => {
  let due: Instant | null = null;
  for (const f of followUps(record, policy)) {
    const at = f.kind === 'remote_check' && f.at === checkAt ? Math.max(f.at, until) : f.at;
    if (due === null || at < due) due = at;
  }
  return due;
};
