/**
 * The baseline stepper: one hand-written `switch` over the event type that applies
 * the same lifecycle rules as the machine (evidence ordering, quota windows with what
 * the check and a limit refusal add beyond the log, the messaging window, reminders,
 * the Decline rule, Meta's refusals, ambiguous sends reconciled, expiry, the derived
 * `lastEventAt` and `dueAt`, the sendOptIn effect), with no table and no XState.
 * It returns the same `StepResult`; the benches check it agrees with `fastStep` on
 * their whole workload before timing anything, so it cannot win by skipping work.
 */
import {
  durationMs,
  type Effect, type Evidence, type Instant, type LifecycleState, type PendingRequest, type PermissionEvent, type PermissionRecord,
  type RefusalKind, type RemoteAction, type RemotePermission, type RemoteView, type ResolvedPolicy, type StepResult,
} from '../../packages/core/src/internals.js';

const NONE: readonly Effect[] = [];
const NO_EXPIRY = Number.MAX_SAFE_INTEGER;

/** `(at, rank, weight)` strictly after the record's evidence. */
const newer = (r: PermissionRecord, at: Instant, rank: number, weight: number): boolean => {
  const c = r.evidence;
  if (c === null) return true;
  if (at !== c.at) return at > c.at;
  if (rank !== c.rank) return rank > c.rank;
  return weight > c.weight;
};

const countIn = (xs: readonly Instant[], from: Instant, to: Instant): number => {
  let n = 0;
  for (const x of xs) if (x > from && x <= to) n += 1;
  return n;
};

/** One rolling quota as the record holds it: its log, what the last check reported, and a limit refusal's instant. */
interface HandLedger {
  readonly log: readonly Instant[];
  readonly windows: readonly { readonly periodMs: number; readonly max: number }[];
  readonly reportedAt: Instant | null;
  readonly reported: readonly { readonly periodMs: number; readonly max: number; readonly used: number; readonly freesAt: Instant | null }[];
  readonly fullAt: Instant | null;
}

const requestsOf = (r: PermissionRecord, p: ResolvedPolicy): HandLedger => ({
  log: r.requests, windows: p.quota, reportedAt: r.remote?.at ?? null, reported: r.remote?.requestLimits ?? [],
  fullAt: r.refusal !== null && r.refusal.kind === 'request_limit' ? r.refusal.at : null,
});

const callsOf = (r: PermissionRecord, p: ResolvedPolicy): HandLedger => ({
  log: r.calls, windows: p.callQuota, reportedAt: r.remote?.at ?? null, reported: r.remote?.startCallLimits ?? [], fullAt: r.callLimitAt,
});

const windowFull = (l: HandLedger, periodMs: number, max: number, at: Instant): boolean => {
  const used = countIn(l.log, at - periodMs, Infinity);
  let hidden = 0;
  if (l.reportedAt !== null) {
    for (const x of l.reported) {
      if (x.periodMs === periodMs) {
        // Meta's word on when a used-up limit frees wins over the period after the check.
        if (at < (x.freesAt ?? l.reportedAt + periodMs)) hidden = Math.max(0, x.used - countIn(l.log, l.reportedAt - periodMs, l.reportedAt));
        break;
      }
    }
  }
  let shortest = Infinity;
  for (const q of l.windows) if (q.periodMs < shortest) shortest = q.periodMs;
  if (l.fullAt !== null && periodMs === shortest && at < l.fullAt + periodMs) {
    hidden = Math.max(hidden, max - countIn(l.log, l.fullAt - periodMs, l.fullAt));
  }
  return used + hidden >= max;
};

const quotaFull = (l: HandLedger, at: Instant): boolean => {
  const limits = l.reported;
  for (const q of l.windows) {
    let max = q.max;
    for (const x of limits) if (x.periodMs === q.periodMs && x.max < max) max = x.max;
    if (windowFull(l, q.periodMs, max, at)) return true;
  }
  for (let i = 0; i < limits.length; i += 1) {
    const x = limits[i]!;
    if (l.windows.some((q) => q.periodMs === x.periodMs)) continue;
    let first = true;
    let max = x.max;
    for (let j = 0; j < limits.length; j += 1) {
      if (limits[j]!.periodMs !== x.periodMs) continue;
      if (j < i) first = false;
      else if (limits[j]!.max < max) max = limits[j]!.max;
    }
    if (first && windowFull(l, x.periodMs, max, at)) return true;
  }
  return false;
};

const mayRequest = (r: PermissionRecord, at: Instant, p: ResolvedPolicy): boolean => {
  const live = r.state === 'approved' && !(r.expiresAt !== null && at >= r.expiresAt);
  if (live) return false;
  const wroteAfter = (t: Instant): boolean => r.lastInboundAt !== null && r.lastInboundAt > t;
  const pd = r.pending;
  if (r.state === 'requested' && pd !== null) {
    if (pd.ambiguous || inDoubtUntilChecked(r, pd)) return false;
    const sent = pd.messageId !== null || (!pd.ambiguous && r.remote !== null && r.remote.at > pd.at);
    if (at < pd.at + p.reminderAfterMs && !(sent && wroteAfter(pd.at))) return false;
  }
  if (r.state === 'rejected' && r.declinedAt !== null) {
    if (p.afterDeclineMs === null ? !wroteAfter(r.declinedAt) : at < r.declinedAt + p.afterDeclineMs) return false;
  }
  if (quotaFull(requestsOf(r, p), at)) return false;
  const rf = r.refusal;
  if (rf !== null && rf.kind !== 'request_limit' && !wroteAfter(rf.at) && !(rf.kind === 'outside_window' && p.templateOutsideWindow)) return false;
  const rv = r.remote;
  if (rv !== null && rv.canRequest === false && !rv.permitted && !rv.requestLimits.some((l) => l.used >= l.max) && !wroteAfter(rv.at)) return false;
  if (p.templateOutsideWindow) return true; // outside the window the request goes as a template
  if (r.lastInboundAt === null) return !p.requireKnownMessagingWindow;
  return at < r.lastInboundAt + p.messagingWindowMs;
};

/** The permission is live, Meta's last check does not deny calls, and a connected-call slot is free. */
const mayCall = (r: PermissionRecord, at: Instant, p: ResolvedPolicy): boolean => {
  if (r.state !== 'approved' || (r.expiresAt !== null && at >= r.expiresAt)) return false;
  const rv = r.remote;
  if (rv !== null && rv.canStartCall === false && r.evidence !== null && rv.at >= r.evidence.at) {
    let lift = -Infinity;
    let named = false;
    for (const l of rv.startCallLimits) {
      if (l.used < l.max) continue;
      named = true;
      lift = Math.max(lift, l.freesAt ?? rv.at + l.periodMs);
    }
    if (!named || at < lift) return false;
  }
  return !quotaFull(callsOf(r, p), at);
};

/** The call log with `at` inserted in order, instants older than every call window dropped. */
const logCall = (r: PermissionRecord, at: Instant, p: ResolvedPolicy): Instant[] => {
  let horizon = p.callHorizonMs;
  for (const l of r.remote?.startCallLimits ?? []) if (l.periodMs > horizon) horizon = l.periodMs;
  const calls = r.calls.filter((x) => x > at - horizon);
  let i = calls.length;
  while (i > 0 && calls[i - 1]! > at) i -= 1;
  calls.splice(i, 0, at);
  return calls;
};

const limitsOf = (a: RemoteAction | null): RemoteView['requestLimits'] => {
  const out: { periodMs: number; max: number; used: number; freesAt: Instant | null }[] = [];
  for (const l of a?.limits ?? []) {
    try {
      out.push({ periodMs: durationMs(l.period), max: l.max, used: l.used, freesAt: l.freesAt ?? null });
    } catch {
      // unmeasurable period: Meta enforces it, the record cannot
    }
  }
  return out;
};

const viewOf = (remote: RemotePermission, at: Instant): RemoteView => ({
  at,
  permitted: remote.status === 'has_permission' && (remote.expiresAt === null || remote.expiresAt > at),
  canRequest: remote.request?.canPerform ?? null,
  requestLimits: limitsOf(remote.request),
  canStartCall: remote.startCall?.canPerform ?? null,
  startCallLimits: limitsOf(remote.startCall),
});

const evidence = (at: Instant, rank: number, weight: number): Evidence => ({ at, rank, weight });

/** A send with no outcome written and no check since its reservation: only its outcome or a check settles it. */
const inDoubtUntilChecked = (r: PermissionRecord, pd: NonNullable<PermissionRecord['pending']>): boolean =>
  pd.messageId === null && !(r.remote !== null && r.remote.at > pd.at);

const dueOf = (r: PermissionRecord, p: ResolvedPolicy): Instant | null => {
  let due = Infinity;
  const pd = r.pending;
  if (r.state === 'requested' && pd !== null) {
    const timedOutAt = pd.at + p.pendingReplyTimeoutMs;
    if (pd.ambiguous) due = pd.at + p.reconcileDelayMs;
    else if (inDoubtUntilChecked(r, pd)) due = Math.min(timedOutAt, pd.at + p.sendOutcomeTimeoutMs);
    else if (r.remote === null || r.remote.at < timedOutAt) due = timedOutAt; // a later check settled it
  }
  if (r.state === 'approved') {
    if (r.provisional && r.evidence !== null) due = Math.min(due, r.evidence.at + p.reconcileDelayMs);
    if (r.expiresAt !== null) due = Math.min(due, r.expiresAt);
    const rv = r.remote;
    if (rv !== null && rv.canStartCall === false && r.evidence !== null && rv.at >= r.evidence.at && !rv.startCallLimits.some((l) => l.used >= l.max)) {
      const recheck = rv.at + p.startCallRecheckMs;
      if (r.expiresAt === null || recheck < r.expiresAt) due = Math.min(due, recheck);
    }
  }
  if (r.state !== 'approved' && r.state !== 'requested' && pd === null) {
    const held = [r.lastInboundAt, r.declinedAt, r.expiresAt, r.evidence?.at, r.refusal?.at, r.remote?.at, r.callLimitAt, ...r.requests, ...r.calls]
      .filter((t): t is number => typeof t === 'number');
    if (held.length > 0) {
      let retire = Math.max(...held) + p.threadRetentionMs;
      const rv = r.remote;
      if (rv !== null) for (const l of [...rv.requestLimits, ...rv.startCallLimits]) retire = Math.max(retire, rv.at + l.periodMs, l.freesAt ?? -Infinity);
      due = Math.min(due, retire);
    }
  }
  return due === Infinity ? null : due;
};

/** A reminder that never reached Meta leaves the opt-in it reminds of pending; anything else leaves nothing. */
const afterUndelivered = (pd: PendingRequest): PendingRequest | null =>
  (pd.reminds === null ? null : { at: pd.reminds.at, messageId: pd.reminds.messageId, ambiguous: false, prior: pd.prior, reminds: null });
const backTo = (pd: PendingRequest): LifecycleState =>
  (pd.reminds !== null ? 'requested' : pd.prior === 'rejected' ? 'rejected' : pd.prior === 'expired' || pd.prior === 'approved' ? 'expired' : 'none');

const release = (r: PermissionRecord, requestedAt: Instant, state: LifecycleState, refusal?: RefusalKind): PermissionRecord => {
  const i = r.requests.lastIndexOf(requestedAt);
  const taught = refusal !== undefined && (r.refusal === null || r.refusal.at <= requestedAt);
  return {
    ...r, state,
    requests: i === -1 ? r.requests : [...r.requests.slice(0, i), ...r.requests.slice(i + 1)],
    pending: r.pending !== null && r.pending.at === requestedAt ? afterUndelivered(r.pending) : r.pending,
    refusal: taught ? { at: requestedAt, kind: refusal } : r.refusal,
  };
};

/** What any reply notes: the person interacting, and the newest Decline. */
const noted = (r: PermissionRecord, at: Instant, decline: boolean): PermissionRecord => ({
  ...r,
  lastInboundAt: r.lastInboundAt === null || at > r.lastInboundAt ? at : r.lastInboundAt,
  declinedAt: decline && (r.declinedAt === null || at > r.declinedAt) ? at : r.declinedAt,
});
const replyNews = (r: PermissionRecord, at: Instant, decline: boolean): boolean =>
  r.lastInboundAt === null || at > r.lastInboundAt || (decline && (r.declinedAt === null || at > r.declinedAt));

/** Moves one record by one event: `null` when the event changes nothing. */
const next = (r: PermissionRecord, e: PermissionEvent, p: ResolvedPolicy): PermissionRecord | null => {
  switch (e.type) {
    case 'REQUEST': {
      if (!mayRequest(r, e.at, p)) return null;
      let horizon = p.quotaHorizonMs;
      for (const l of r.remote?.requestLimits ?? []) if (l.periodMs > horizon) horizon = l.periodMs;
      const requests = r.requests.filter((x) => x > e.at - horizon);
      requests.push(e.at);
      const reminded = r.state === 'requested' ? r.pending : null;
      const prior = reminded?.prior ?? r.state;
      const reminds = reminded === null ? null : { at: reminded.at, messageId: reminded.messageId };
      return { ...r, state: 'requested', requests, pending: { at: e.at, messageId: null, ambiguous: false, prior, reminds } };
    }
    case 'REQUEST_SENT': {
      const pd = r.pending;
      if (pd === null || pd.at !== e.requestedAt || pd.messageId === e.messageId) return null;
      const refusal = r.refusal !== null && r.refusal.at <= e.requestedAt ? null : r.refusal;
      return { ...r, pending: { ...pd, messageId: e.messageId, ambiguous: false, reminds: null }, refusal };
    }
    case 'REQUEST_FAILED': {
      const pd = r.pending;
      const matches = pd !== null && pd.at === e.requestedAt;
      if (r.state === 'requested') {
        if (!e.ambiguous && matches) return release(r, e.requestedAt, backTo(pd), e.refusal);
        if (e.ambiguous && matches && !pd.ambiguous) return { ...r, pending: { ...pd, ambiguous: true } };
      }
      if (!e.ambiguous && r.requests.includes(e.requestedAt)) return release(r, e.requestedAt, r.state, e.refusal);
      return null;
    }
    case 'REPLY_APPROVE': {
      const expiresAt = e.permanent === true ? null : e.expiresAt ?? e.at + p.permissionTtlMs;
      if (!newer(r, e.at, 3, expiresAt ?? NO_EXPIRY)) return replyNews(r, e.at, false) ? noted(r, e.at, false) : null;
      return { ...noted(r, e.at, false), state: 'approved', expiresAt, provisional: false, pending: null, evidence: evidence(e.at, 3, expiresAt ?? NO_EXPIRY) };
    }
    case 'REPLY_REJECT': {
      if (!newer(r, e.at, 1, -1)) {
        // A Decline behind a newer denial (a check that could not see it) still answers the pending request,
        // or, with none pending, stands when nothing the person did is known after it.
        const stands = r.state === 'requested'
          ? r.pending !== null && e.at >= r.pending.at
          : (r.state === 'none' || r.state === 'expired') && (r.lastInboundAt === null || e.at >= r.lastInboundAt);
        if (stands && r.evidence !== null && r.evidence.weight === -1) {
          return { ...noted(r, e.at, true), state: 'rejected', expiresAt: null, provisional: false, pending: null };
        }
        return replyNews(r, e.at, true) ? noted(r, e.at, true) : null;
      }
      const n = noted(r, e.at, true);
      if (r.state === 'requested' && r.pending !== null && e.at < r.pending.at) return { ...n, evidence: evidence(e.at, 1, -1) };
      return { ...n, state: 'rejected', expiresAt: null, provisional: false, pending: null, evidence: evidence(e.at, 1, -1) };
    }
    case 'CALL_CONNECTED':
    case 'CONSUMER_CALL_MISSED': {
      const expiresAt = e.at + p.permissionTtlMs;
      if (!newer(r, e.at, 2, expiresAt)) return null;
      return { ...r, state: 'approved', expiresAt, provisional: true, pending: null, evidence: evidence(e.at, 2, expiresAt) };
    }
    case 'REMOTE_SYNC': {
      const granted = e.remote.status === 'has_permission';
      if (newer(r, e.at, 4, granted ? e.remote.expiresAt ?? NO_EXPIRY : -1)) {
        const base: PermissionRecord = {
          ...r,
          remote: viewOf(e.remote, e.at),
          pending: r.pending !== null && r.state === 'requested' && !granted ? { ...r.pending, ambiguous: false } : null,
          provisional: false,
          evidence: evidence(e.at, 4, granted ? e.remote.expiresAt ?? NO_EXPIRY : -1),
        };
        if (granted) return { ...base, state: 'approved', expiresAt: e.remote.expiresAt };
        const pd = r.pending;
        if (r.state === 'requested' && pd !== null && pd.at <= e.at
          && (pd.ambiguous || (inDoubtUntilChecked(r, pd) && e.at >= pd.at + p.sendOutcomeTimeoutMs))
          && base.remote!.requestLimits.some((l) => l.used < countIn(r.requests, e.at - l.periodMs, e.at))) {
          // The check does not count the ambiguous send: it never reached Meta.
          const i = r.requests.lastIndexOf(pd.at);
          return { ...base, state: backTo(pd), pending: afterUndelivered(pd), requests: i === -1 ? r.requests : [...r.requests.slice(0, i), ...r.requests.slice(i + 1)] };
        }
        if (r.state !== 'approved') return base;
        const lapsed = r.expiresAt !== null && e.at >= r.expiresAt;
        return { ...base, state: lapsed ? 'expired' : 'none', expiresAt: lapsed ? r.expiresAt : null };
      }
      if (r.remote === null || e.at > r.remote.at) return { ...r, remote: viewOf(e.remote, e.at) };
      return null;
    }
    case 'USER_MESSAGE':
      return r.lastInboundAt === null || e.at > r.lastInboundAt ? { ...r, lastInboundAt: e.at } : null;
    case 'TICK':
      return r.state === 'approved' && r.expiresAt !== null && e.at >= r.expiresAt
        ? { ...r, state: 'expired', provisional: false } : null;
    case 'CALL_START':
      return mayCall(r, e.at, p) ? { ...r, calls: logCall(r, e.at, p) } : null;
    case 'CALL_PLACED':
      return { ...r, calls: logCall(r, e.at, p) };
    case 'CALL_ANSWERED': {
      if (!p.requestQuotaResetByCall) return null;
      const rv = r.remote;
      const before = r.requests.some((x) => x <= e.at);
      const limitRefusal = r.refusal !== null && r.refusal.kind === 'request_limit' && r.refusal.at <= e.at;
      const reported = rv !== null && rv.at <= e.at && rv.requestLimits.some((l) => l.used > 0);
      if (!before && !limitRefusal && !reported) return null;
      return {
        ...r,
        requests: r.requests.filter((x) => x > e.at),
        refusal: limitRefusal ? null : r.refusal,
        remote: reported ? { ...rv, requestLimits: rv.requestLimits.map((l) => ({ ...l, used: 0, freesAt: null })) } : rv,
      };
    }
    case 'CALL_FAILED': {
      const slot = r.calls.lastIndexOf(e.placedAt);
      const limitNews = e.refusal === 'call_limit' && (r.callLimitAt === null || e.placedAt > r.callLimitAt);
      const denial = e.refusal === 'no_permission' && newer(r, e.placedAt, 4, -1);
      if (slot === -1 && !limitNews && !denial) return null;
      const calls = slot === -1 ? r.calls : [...r.calls.slice(0, slot), ...r.calls.slice(slot + 1)];
      const callLimitAt = limitNews ? e.placedAt : r.callLimitAt;
      if (!denial) return { ...r, calls, callLimitAt };
      const lapsed = r.state === 'approved' && r.expiresAt !== null && e.placedAt >= r.expiresAt;
      const state = r.state !== 'approved' ? r.state : lapsed ? 'expired' : 'none';
      return { ...r, state, calls, callLimitAt, evidence: evidence(e.placedAt, 4, -1), provisional: false, expiresAt: lapsed ? r.expiresAt : null };
    }
  }
};

/**
 * Steps a record like `fastStep`, written by hand.
 *
 * @example
 * handStep(emptyRecord(), { type: 'USER_MESSAGE', at: 1 }, policy).record.lastInboundAt; // 1
 */
export const handStep = (r: PermissionRecord, e: PermissionEvent, p: ResolvedPolicy): StepResult => {
  const moved = next(r, e, p);
  if (moved === null) return { record: r, changed: false, from: r.state, to: r.state, effects: NONE };
  const lastEventAt = r.lastEventAt === null || e.at > r.lastEventAt ? e.at : r.lastEventAt;
  const record: PermissionRecord = { ...moved, lastEventAt, dueAt: dueOf(moved, p) };
  const effects: readonly Effect[] = e.type === 'REQUEST' ? [{ type: 'sendOptIn', requestedAt: e.at }]
    : e.type === 'CALL_START' ? [{ type: 'connectCall', placedAt: e.at }] : NONE;
  return { record, changed: true, from: r.state, to: moved.state, effects };
};
