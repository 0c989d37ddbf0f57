import type { ResolvedPolicy } from '../policy.js';
import type { Instant } from '../thread.js';
import type { DecisionReason } from './DecisionReason.js';
import { effectiveState } from './effectiveState.js';
import type { PermissionRecord } from './PermissionRecord.js';
import { quotaExhausted } from './quota.js';

/**
 * Why a permission request may not be sent at `at`, or null when it may. The one
 * rule behind the machine's `mayRequest` guard and `decide`'s `canRequest`.
 *
 * @example
 * requestBlocker(emptyRecord(), now, resolvePolicy(messengerPolicy)); // null
 */
export const requestBlocker = (record: PermissionRecord, at: Instant, policy: ResolvedPolicy): DecisionReason | null => {
  const state = effectiveState(record, at);
  if (state === 'approved') return 'already_permitted';
  if (state === 'requested' && record.pending && at < record.pending.at + policy.pendingReplyTimeoutMs) {
    return 'pending_reply';
  }
  if (quotaExhausted(record, at, policy)) return 'quota_exhausted';
  const remote = record.remote;
  // A refusal explained by an exhausted limit is the quota's business (it lifts when the
  // window rolls on). An unexplained one is most often Meta's messaging window: it holds
  // until the person writes again or the next remote check says otherwise.
  if (remote && remote.canRequest === false && !remote.requestLimits.some((l) => l.used >= l.max)
    && (record.lastInboundAt === null || record.lastInboundAt <= remote.at)) {
    return 'remote_request_denied';
  }
  if (record.lastInboundAt === null) {
    return policy.requireKnownMessagingWindow ? 'messaging_window_unknown' : null;
  }
  return at < record.lastInboundAt + policy.messagingWindowMs ? null : 'outside_messaging_window';
};
