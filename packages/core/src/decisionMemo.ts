import type { Decision } from './decide.js';
import { decisionValidUntil } from './decisionValidUntil.js';
import type { PermissionRecord } from './machine/PermissionRecord.js';
import type { ResolvedPolicy } from './policy.js';
import type { Instant } from './thread.js';

interface Memo {
  readonly policy: ResolvedPolicy;
  readonly from: Instant;
  readonly until: Instant;
  readonly decision: Decision;
}

const memos = new WeakMap<PermissionRecord, Memo>();

/**
 * Decides through a memo kept beside a frozen record object: the decision made at
 * `from` holds for every instant up to `decisionValidUntil` (with `nextRequestAt`
 * following the instant while a request is possible), so a hot thread is decided
 * once per change of its inputs, not once per call. Only frozen records are
 * memoised: they cannot change under the memo. The memo dies with the record.
 *
 * @example
 * const d = memoDecide(Object.freeze(record), now, policy, decideNow);
 */
export const memoDecide = (
  record: PermissionRecord,
  at: Instant,
  policy: ResolvedPolicy,
  compute: (record: PermissionRecord, at: Instant, policy: ResolvedPolicy) => Decision,
): Decision => {
  const m = memos.get(record);
  if (m !== undefined && m.policy === policy && at >= m.from && at < m.until) {
    return m.decision.canRequest ? { ...m.decision, nextRequestAt: at } : m.decision;
  }
  const decision = Object.freeze(compute(record, at, policy));
  memos.set(record, { policy, from: at, until: decisionValidUntil(record, at, policy), decision });
  return decision;
};
