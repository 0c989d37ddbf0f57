import { callChangesAt } from './machine/callBlocker.js';
import type { PermissionRecord } from './machine/PermissionRecord.js';
import { requestRules } from './machine/requestBlocker.js';
import type { ResolvedPolicy } from './policy.js';
import type { Instant } from './thread.js';

/**
 * The first instant after `at` at which `decide(record, ·)` may answer differently
 * (other than `nextRequestAt`, which is `at` itself whenever a request is possible):
 * the earliest `changesAt` of every request rule and of the call rule. Infinity
 * when nothing in the record moves with time. Derived from the rules themselves,
 * so a new time-dependent rule cannot be missed here.
 *
 * @example
 * decisionValidUntil(emptyRecord(), now, policy); // Infinity
 */
export const decisionValidUntil = (record: PermissionRecord, at: Instant, policy: ResolvedPolicy): Instant => {
  let until = callChangesAt(record, at, policy);
  for (const rule of requestRules) {
    const t = rule.changesAt(record, at, policy);
    if (t < until) until = t;
  }
  return until;
};
