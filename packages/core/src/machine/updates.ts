import type { ResolvedPolicy } from '../policy.js';
import { durationMs } from '../duration.js';
import type { RemoteAction, RemotePermission } from '../remotePermission.js';
import type { Instant } from '../thread.js';
import { EvidenceRank, evidenceOf, isNewerEvidence } from './evidence.js';
import type { PermissionEvent } from './PermissionEvent.js';
import type { PendingRequest, PermissionRecord, RemoteView } from './PermissionRecord.js';
import { pruneRequests } from './quota.js';

/**
 * The machine's context updates as plain functions `(record, event, policy) => record`.
 * The XState machine names them in `setup`; any other stepper calls the same ones.
 * None of them sets `state`: the machine's targets decide it (each state's entry writes it).
 */
type Update<T extends PermissionEvent['type']> = (
  record: PermissionRecord,
  event: Extract<PermissionEvent, { type: T }>,
  policy: ResolvedPolicy,
) => PermissionRecord;

const horizonOf = (record: PermissionRecord, policy: ResolvedPolicy): number =>
  Math.max(policy.quotaHorizonMs, ...(record.remote?.requestLimits ?? []).map((l) => l.periodMs));

/** REQUEST: reserve a quota slot and remember the request as pending (a reminder remembers the opt-in it reminds of). */
export const reserveRequest: Update<'REQUEST'> = (record, event, policy) => {
  const reminded = record.state === 'requested' ? record.pending : null;
  return {
    ...record,
    requests: [...pruneRequests(record.requests, event.at, horizonOf(record, policy)), event.at],
    pending: {
      at: event.at, messageId: null, ambiguous: false, prior: reminded?.prior ?? record.state,
      reminds: reminded === null ? null : { at: reminded.at, messageId: reminded.messageId },
    },
  };
};

/**
 * What is pending once the pending send is known never to have reached Meta: the
 * opt-in a reminder reminds of (still unanswered), or nothing.
 *
 * @example
 * pendingAfterUndelivered({ at: 9, messageId: null, ambiguous: false, prior: 'none', reminds: { at: 1, messageId: 'm1' } });
 * // { at: 1, messageId: 'm1', ambiguous: false, prior: 'none', reminds: null }
 */
export const pendingAfterUndelivered = (pd: PendingRequest): PendingRequest | null =>
  (pd.reminds === null ? null : { at: pd.reminds.at, messageId: pd.reminds.messageId, ambiguous: false, prior: pd.prior, reminds: null });

/** REQUEST_SENT: keep Meta's message id on the pending request it answers; Meta took it, so an older refusal is moot. */
export const markSent: Update<'REQUEST_SENT'> = (record, event) =>
  record.pending?.at === event.requestedAt
    ? {
      ...record,
      pending: { ...record.pending, messageId: event.messageId, ambiguous: false, reminds: null },
      refusal: record.refusal !== null && record.refusal.at <= event.requestedAt ? null : record.refusal,
    }
    : record;

const withoutRequest = (requests: readonly Instant[], at: Instant): readonly Instant[] => {
  const i = requests.lastIndexOf(at);
  return i === -1 ? requests : [...requests.slice(0, i), ...requests.slice(i + 1)];
};

/**
 * REQUEST_FAILED (definite): Meta did not process it, so the slot is given back.
 * A refusal that teaches something (outside the window, the per-thread limit, the
 * person unavailable) is remembered at the send's instant, the newest one kept.
 */
export const releaseRequest: Update<'REQUEST_FAILED'> = (record, event) => {
  const kind = event.refusal;
  const taught = kind !== undefined && (record.refusal === null || record.refusal.at <= event.requestedAt);
  return {
    ...record,
    requests: withoutRequest(record.requests, event.requestedAt),
    pending: record.pending?.at === event.requestedAt ? pendingAfterUndelivered(record.pending) : record.pending,
    refusal: taught ? { at: event.requestedAt, kind } : record.refusal,
  };
};

/** REMOTE_SYNC that shows an ambiguous send never reached Meta: its slot is given back (a reminder's opt-in is pending again). */
export const releaseUndelivered: Update<'REMOTE_SYNC'> = (record) =>
  (record.pending === null ? record : {
    ...record, requests: withoutRequest(record.requests, record.pending.at), pending: pendingAfterUndelivered(record.pending),
  });

/** REQUEST_FAILED (ambiguous): keep the slot, and reconcile with a remote check. */
export const markAmbiguous: Update<'REQUEST_FAILED'> = (record, event) =>
  record.pending?.at === event.requestedAt ? { ...record, pending: { ...record.pending, ambiguous: true } } : record;

const later = (a: Instant | null, b: Instant): Instant => (a === null || b > a ? b : a);

/**
 * What any reply says besides the permission: the person interacted with the thread
 * at its instant (a reply is a postback, and a postback opens Meta's messaging
 * window: an inference, facts §2), and a Decline is the newest one seen. Both are
 * maxima, so the record does not depend on the order replies arrive in.
 */
export const noteReply: Update<'REPLY_APPROVE' | 'REPLY_REJECT'> = (record, event) => ({
  ...record,
  lastInboundAt: later(record.lastInboundAt, event.at),
  declinedAt: event.type === 'REPLY_REJECT' ? later(record.declinedAt, event.at) : record.declinedAt,
});

/**
 * The expiry an approval grants: none for a permanent one (WhatsApp), else Meta's,
 * else the policy's TTL after it.
 *
 * @example
 * approvalExpiry({ type: 'REPLY_APPROVE', at: 0, expiresAt: null, permanent: true }, policy); // null
 */
export const approvalExpiry = (event: Extract<PermissionEvent, { type: 'REPLY_APPROVE' }>, policy: ResolvedPolicy): Instant | null =>
  (event.permanent === true ? null : event.expiresAt ?? event.at + policy.permissionTtlMs);

/** REPLY_APPROVE: a live permission until Meta's expiry, or the policy's TTL (none when permanent). */
export const applyApproval: Update<'REPLY_APPROVE'> = (record, event, policy) => {
  const expiresAt = approvalExpiry(event, policy);
  return {
    ...noteReply(record, event, policy), expiresAt, provisional: false, pending: null,
    evidence: evidenceOf(event.at, EvidenceRank.approve, expiresAt),
  };
};

/** REPLY_REJECT: the person declined. */
export const applyRejection: Update<'REPLY_REJECT'> = (record, event, policy) => ({
  ...noteReply(record, event, policy), expiresAt: null, provisional: false, pending: null,
  evidence: evidenceOf(event.at, EvidenceRank.reject, 'denied'),
});

/**
 * REPLY_REJECT answering the pending request behind a newer denial (a check that
 * could not see it): the request is answered and the thread declined; the newer
 * evidence stays.
 */
export const applyOlderDecline: Update<'REPLY_REJECT'> = (record, event, policy) => ({
  ...noteReply(record, event, policy), expiresAt: null, provisional: false, pending: null,
});

/** REPLY_REJECT older than the pending request: it answers an earlier request, so only note it. */
export const noteStaleRejection: Update<'REPLY_REJECT'> = (record, event, policy) => ({
  ...noteReply(record, event, policy), evidence: evidenceOf(event.at, EvidenceRank.reject, 'denied'),
});

/** CALL_CONNECTED / CONSUMER_CALL_MISSED: a provisional grant with the default TTL, to be confirmed remotely. */
export const applyImplicitGrant: Update<'CALL_CONNECTED' | 'CONSUMER_CALL_MISSED'> = (record, event, policy) => {
  const expiresAt = event.at + policy.permissionTtlMs;
  return {
    ...record, expiresAt, provisional: true, pending: null,
    evidence: evidenceOf(event.at, EvidenceRank.implicit, expiresAt),
  };
};

const limitsOf = (action: RemoteAction | null): RemoteView['requestLimits'] =>
  (action?.limits ?? []).flatMap((l) => {
    try {
      return [{ periodMs: durationMs(l.period), max: l.max, used: l.used, freesAt: l.freesAt ?? null }];
    } catch {
      return []; // a period we cannot measure cannot be enforced locally; Meta still enforces it
    }
  });

/** The parts of a remote check that describe quotas and actions. */
export const remoteViewOf = (remote: RemotePermission, at: Instant): RemoteView => ({
  at,
  permitted: remote.status === 'has_permission' && (remote.expiresAt === null || remote.expiresAt > at),
  canRequest: remote.request?.canPerform ?? null,
  requestLimits: limitsOf(remote.request),
  canStartCall: remote.startCall?.canPerform ?? null,
  startCallLimits: limitsOf(remote.startCall),
});

/** REMOTE_SYNC: the truth for status, expiry and quota usage. */
export const applySync: Update<'REMOTE_SYNC'> = (record, event) => {
  const granted = event.remote.status === 'has_permission';
  const base: PermissionRecord = {
    ...record,
    remote: remoteViewOf(event.remote, event.at),
    pending: record.pending && record.state === 'requested' && !granted ? { ...record.pending, ambiguous: false } : null,
    provisional: false,
    evidence: evidenceOf(event.at, EvidenceRank.sync, granted ? event.remote.expiresAt : 'denied'),
  };
  if (granted) return { ...base, expiresAt: event.remote.expiresAt };
  if (record.state === 'approved') {
    const lapsed = record.expiresAt !== null && event.at >= record.expiresAt;
    return { ...base, expiresAt: lapsed ? record.expiresAt : null };
  }
  return base;
};

/** REMOTE_SYNC older than the status evidence but newer than the last check: keep only its quota view. */
export const noteRemoteView: Update<'REMOTE_SYNC'> = (record, event) => ({
  ...record, remote: remoteViewOf(event.remote, event.at),
});

const callHorizonOf = (record: PermissionRecord, policy: ResolvedPolicy): number =>
  Math.max(policy.callHorizonMs, ...(record.remote?.startCallLimits ?? []).map((l) => l.periodMs));

/** The call log with `at` added in order, instants too old for any window dropped. */
const withCall = (record: PermissionRecord, at: Instant, policy: ResolvedPolicy): Instant[] => {
  const kept = pruneRequests(record.calls, at, callHorizonOf(record, policy));
  let i = kept.length;
  while (i > 0 && kept[i - 1]! > at) i -= 1;
  kept.splice(i, 0, at);
  return kept;
};

/** CALL_START: reserve a connected-call slot before the connect is sent. */
export const reserveCall: Update<'CALL_START'> = (record, event, policy) => ({ ...record, calls: withCall(record, event.at, policy) });

/** CALL_PLACED: a business-initiated call placed outside callperm counts against the quota too. */
export const logCall: Update<'CALL_PLACED'> = (record, event, policy) => ({ ...record, calls: withCall(record, event.at, policy) });

/**
 * CALL_FAILED (definite): Meta did not place the call, so its slot is given back.
 * A call-rate-limit refusal is remembered at the connect's instant (the newest
 * kept); a no-permission refusal is Meta's word that no permission is held then,
 * evidence like a check that denies.
 */
export const releaseCall: Update<'CALL_FAILED'> = (record, event) => {
  const calls = withoutRequest(record.calls, event.placedAt);
  const callLimitAt = event.refusal === 'call_limit' && (record.callLimitAt === null || event.placedAt > record.callLimitAt)
    ? event.placedAt : record.callLimitAt;
  const denial = evidenceOf(event.placedAt, EvidenceRank.sync, 'denied');
  if (event.refusal !== 'no_permission' || !isNewerEvidence(record, denial)) return { ...record, calls, callLimitAt };
  const lapsed = record.state === 'approved' && record.expiresAt !== null && event.placedAt >= record.expiresAt;
  return { ...record, calls, callLimitAt, evidence: denial, provisional: false, expiresAt: lapsed ? record.expiresAt : null };
};

/**
 * CALL_ANSWERED where a connected call resets the request quota (WhatsApp): the
 * requests before it, a per-pair-limit refusal before it and the request usage a
 * check reported before it no longer count.
 */
export const resetRequestQuota: Update<'CALL_ANSWERED'> = (record, event) => {
  const { remote, refusal } = record;
  return {
    ...record,
    requests: record.requests.filter((r) => r > event.at),
    refusal: refusal !== null && refusal.kind === 'request_limit' && refusal.at <= event.at ? null : refusal,
    remote: remote !== null && remote.at <= event.at && remote.requestLimits.some((l) => l.used > 0)
      ? { ...remote, requestLimits: remote.requestLimits.map((l) => ({ ...l, used: 0, freesAt: null })) }
      : remote,
  };
};

/** USER_MESSAGE: the messaging window opens from the newest message. */
export const noteInbound: Update<'USER_MESSAGE'> = (record, event) => ({
  ...record, lastInboundAt: Math.max(record.lastInboundAt ?? event.at, event.at),
});

/** TICK past the expiry: the stored state catches up with time. */
export const markExpired: Update<'TICK'> = (record) => ({ ...record, provisional: false });
