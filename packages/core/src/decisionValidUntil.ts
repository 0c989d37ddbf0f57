import type { PermissionRecord } from './machine/PermissionRecord.js';
import type { ResolvedPolicy } from './policy.js';
import type { Instant } from './thread.js';

/**
 * The first instant after `at` at which `decide(record, ·)` may answer differently
 * (other than `nextRequestAt`, which is `at` itself whenever a request is possible):
 * an expiry, the end of a pending reply's wait or of the messaging window, a
 * request entering or leaving a quota window (the policy's and the remote
 * check's), a remote report ageing out. Infinity when nothing in the record moves
 * with time. Every instant the decision reads is listed, so the bound is safe.
 *
 * @example
 * decisionValidUntil(emptyRecord(), now, policy); // Infinity
 */
export const decisionValidUntil = (record: PermissionRecord, at: Instant, policy: ResolvedPolicy): Instant => {
  let until = Infinity;
  const consider = (t: Instant): void => {
    if (t > at && t < until) until = t;
  };
  if (record.expiresAt !== null) consider(record.expiresAt);
  if (record.pending !== null) consider(record.pending.at + policy.pendingReplyTimeoutMs);
  if (record.lastInboundAt !== null) consider(record.lastInboundAt + policy.messagingWindowMs);
  const remote = record.remote;
  const periods: number[] = policy.quota.map((q) => q.periodMs);
  if (remote !== null) for (const l of remote.requestLimits) periods.push(l.periodMs);
  for (const r of record.requests) {
    consider(r);
    for (const p of periods) consider(r + p);
  }
  if (remote !== null) {
    consider(remote.at);
    for (const p of periods) consider(remote.at + p);
    for (const l of remote.startCallLimits) consider(remote.at + l.periodMs);
  }
  return until;
};
