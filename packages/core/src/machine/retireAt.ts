import type { ResolvedPolicy } from '../policy.js';
import type { Instant } from '../thread.js';
import type { PermissionRecord } from './PermissionRecord.js';
import { reportedUntil } from './quota.js';

const later = (a: Instant | null, b: Instant | null): Instant | null => (a === null ? b : b === null || b <= a ? a : b);

/**
 * The newest instant of what the record knows (not `lastEventAt`, which a step
 * derives after `dueAt`, and which an event that left nothing behind also moves);
 * null for a record that knows nothing.
 */
const newestInstant = (r: PermissionRecord): Instant | null => {
  let newest = r.lastInboundAt;
  newest = later(newest, r.declinedAt);
  newest = later(newest, r.expiresAt);
  newest = later(newest, r.evidence?.at ?? null);
  newest = later(newest, r.refusal?.at ?? null);
  newest = later(newest, r.remote?.at ?? null);
  newest = later(newest, r.callLimitAt);
  for (const t of r.calls) newest = later(newest, t);
  for (const t of r.requests) newest = later(newest, t);
  return newest;
};

/** Until when a limit Meta reported at its last check still counts (its longest period after the check). */
const remoteLimitsEnd = (r: PermissionRecord): Instant | null => {
  const remote = r.remote;
  if (remote === null) return null;
  let end: Instant | null = null;
  for (const l of [...remote.requestLimits, ...remote.startCallLimits]) end = later(later(end, remote.at + l.periodMs), reportedUntil(remote.at, l));
  return end;
};

/**
 * When the thread's row may be deleted (`sweep` retires it), or null while it
 * holds something live: a permission (even one past its expiry until the expiry
 * is announced), or a request in flight. Otherwise `threadRetention` after the
 * newest instant the record knows of, and never before a limit Meta reported stops
 * counting. By then every rule that reads the record answers as for a thread
 * never seen, except those waiting for the person to write again; and once they
 * do, a retired thread decides exactly as the kept one would (a property test).
 *
 * @example
 * retireAt({ ...emptyRecord(), state: 'rejected', declinedAt: t }, policy); // t + policy.threadRetentionMs
 */
export const retireAt = (record: PermissionRecord, policy: ResolvedPolicy): Instant | null => {
  if (record.state === 'approved' || record.state === 'requested' || record.pending !== null) return null;
  const newest = newestInstant(record);
  if (newest === null) return null;
  return later(newest + policy.threadRetentionMs, remoteLimitsEnd(record));
};
