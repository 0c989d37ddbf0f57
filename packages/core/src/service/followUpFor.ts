import { followUps, type FollowUpKind } from '../machine/dueAt.js';
import type { PermissionRecord } from '../machine/PermissionRecord.js';
import type { ResolvedPolicy } from '../policy.js';
import type { Instant } from '../thread.js';

/** What `sweep` does for a thread that fell due: a follow-up kind, or nothing yet. */
export type FollowUp = FollowUpKind | 'none';

/**
 * The follow-up a thread needs at `now`, from its record alone (the earliest one
 * that has come, by the same rule as `dueAt`). Pure.
 *
 * @example
 * followUpFor({ ...emptyRecord(), state: 'approved', expiresAt: 10 }, 10, policy); // 'announce_expiry'
 */
export const followUpFor = (record: PermissionRecord, now: Instant, policy: ResolvedPolicy): FollowUp =>
  followUps(record, policy).find((f) => f.at <= now)?.kind ?? 'none';
