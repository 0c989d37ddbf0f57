import type { ResolvedPolicy } from '../policy.js';
import type { Instant } from '../thread.js';
import type { PermissionRecord, RemoteView, ReportedLimit } from './PermissionRecord.js';

/** One rolling window as the quota check sees it: local policy windows and remote-reported limits alike. */
interface Window {
  readonly periodMs: number;
  readonly max: number;
}

/**
 * One rolling quota of a thread, as the record holds it: the request quota (opt-ins)
 * and the connected-call quota are both ledgers, counted by the same rules.
 */
interface Ledger {
  /** Instants logged locally (reserved sends or connects). */
  readonly log: readonly Instant[];
  /** The policy's windows. */
  readonly windows: readonly Window[];
  /** The last remote check's instant and the limits it reported for this quota. */
  readonly reportedAt: Instant | null;
  readonly reported: RemoteView['requestLimits'];
  /** Meta refused for this limit at this instant: the shortest policy window was full then. */
  readonly fullAt: Instant | null;
}

const requestLedger = (r: PermissionRecord, p: ResolvedPolicy): Ledger => ({
  log: r.requests, windows: p.quota, reportedAt: r.remote?.at ?? null, reported: r.remote?.requestLimits ?? [],
  fullAt: r.refusal !== null && r.refusal.kind === 'request_limit' ? r.refusal.at : null,
});

const callLedger = (r: PermissionRecord, p: ResolvedPolicy): Ledger => ({
  log: r.calls, windows: p.callQuota, reportedAt: r.remote?.at ?? null, reported: r.remote?.startCallLimits ?? [], fullAt: r.callLimitAt,
});

/**
 * Until when what a check reported for a limit counts: the instant Meta said it
 * frees (`freesAt`, WhatsApp's `limit_expiration_time`), or else its whole period
 * after the check (the latest its entries can leave Meta's window).
 *
 * @example
 * reportedUntil(checkAt, { periodMs: DAY, max: 1, used: 1, freesAt: null }); // checkAt + DAY
 */
export const reportedUntil = (reportedAt: Instant, limit: ReportedLimit): Instant => limit.freesAt ?? reportedAt + limit.periodMs;

/**
 * Instants of `log` in the window `(from, to]`.
 *
 * @example
 * countIn([1, 5, 9], 1, 9); // 2
 */
export const countIn = (log: readonly Instant[], from: Instant, to: Instant): number => {
  let n = 0;
  for (const r of log) if (r > from && r <= to) n += 1;
  return n;
};

/**
 * What a report of `used` in the window ending at `reportedAt` counts beyond what
 * the local log holds for that window: sends the log does not know of. Held until
 * `until` (`reportedUntil`); the ones the log does know age out with the log.
 */
const unexplained = (log: readonly Instant[], used: number, reportedAt: Instant, periodMs: number, until: Instant, at: Instant): number =>
  (at < until ? Math.max(0, used - countIn(log, reportedAt - periodMs, reportedAt)) : 0);

const shortestPeriodMs = (windows: readonly Window[]): number => {
  let p = Infinity;
  for (const q of windows) if (q.periodMs < p) p = q.periodMs;
  return p;
};

/**
 * Entries counted against `window` at instant `at`: the local log over the rolling
 * window (and any reserved later than `at`), plus what the last remote check
 * reported beyond the log, plus, after Meta refused for the limit, what that
 * refusal implies beyond the log (the window was full at the refusal's instant;
 * applied to the shortest policy window, the one Messenger's 2-per-day limit is).
 * Unexplained counts from the check and from the refusal overlap, so the larger
 * one counts.
 */
const ledgerUsedAt = (l: Ledger, window: Window, at: Instant): number => {
  // An entry reserved after `at` (by a host whose clock runs ahead) counts too: it is in every window from now on.
  const local = countIn(l.log, at - window.periodMs, Infinity);
  let hidden = 0;
  if (l.reportedAt !== null) {
    const reported = l.reported.find((x) => x.periodMs === window.periodMs);
    if (reported !== undefined) hidden = unexplained(l.log, reported.used, l.reportedAt, window.periodMs, reportedUntil(l.reportedAt, reported), at);
  }
  if (l.fullAt !== null && window.periodMs === shortestPeriodMs(l.windows)) {
    hidden = Math.max(hidden, unexplained(l.log, window.max, l.fullAt, window.periodMs, l.fullAt + window.periodMs, at));
  }
  return local + hidden;
};

/** Every window that limits the ledger: the policy's, plus any other the last remote check reported (the smaller max wins). */
const windowsOf = (l: Ledger): Window[] => {
  const windows: Window[] = l.windows.map((q) => ({ periodMs: q.periodMs, max: q.max }));
  for (const x of l.reported) {
    const same = windows.findIndex((w) => w.periodMs === x.periodMs);
    if (same === -1) windows.push({ periodMs: x.periodMs, max: x.max });
    else if (x.max < windows[same]!.max) windows[same] = { periodMs: x.periodMs, max: x.max };
  }
  return windows;
};

const ledgerExhausted = (l: Ledger, at: Instant): boolean => windowsOf(l).some((w) => ledgerUsedAt(l, w, at) >= w.max);

const ledgerChangesAt = (l: Ledger, at: Instant): Instant => {
  let next = Infinity;
  const consider = (t: Instant): void => {
    if (t > at && t < next) next = t;
  };
  const marks: Instant[] = [...l.log];
  if (l.reportedAt !== null) marks.push(l.reportedAt);
  if (l.fullAt !== null) marks.push(l.fullAt);
  for (const w of windowsOf(l)) {
    for (const m of marks) {
      consider(m);
      consider(m + w.periodMs);
    }
  }
  for (const x of l.reported) if (x.freesAt !== null) consider(x.freesAt);
  return next;
};

/**
 * Requests counted against `window` at instant `at` (see the ledger rules above).
 *
 * @example
 * usedAt(record, { periodMs: 86_400_000, max: 2 }, now, policy);
 */
export const usedAt = (record: PermissionRecord, window: Window, at: Instant, policy: ResolvedPolicy): number =>
  ledgerUsedAt(requestLedger(record, policy), window, at);

/**
 * True when one more request at `at` would break a rolling window.
 *
 * @example
 * quotaExhausted(record, now, resolvePolicy(messengerPolicy)); // false on a fresh thread
 */
export const quotaExhausted = (record: PermissionRecord, at: Instant, policy: ResolvedPolicy): boolean =>
  ledgerExhausted(requestLedger(record, policy), at);

/**
 * The first instant after `at` at which `quotaExhausted` may answer differently:
 * a logged request, the last check or a per-thread-limit refusal entering or
 * leaving a window. Infinity when none lies ahead.
 *
 * @example
 * quotaChangesAt(record, now, policy); // e.g. firstRequest + 24 h
 */
export const quotaChangesAt = (record: PermissionRecord, at: Instant, policy: ResolvedPolicy): Instant =>
  ledgerChangesAt(requestLedger(record, policy), at);

/**
 * True when one more business-initiated call at `at` would break the connected-call
 * quota: the policy's windows and the `start_call` limits Meta reported, counted
 * from the local call log, the last check and a call-rate-limit refusal.
 *
 * @example
 * callQuotaExhausted(emptyRecord(), now, resolvePolicy(messengerPolicy)); // false
 */
export const callQuotaExhausted = (record: PermissionRecord, at: Instant, policy: ResolvedPolicy): boolean =>
  ledgerExhausted(callLedger(record, policy), at);

/**
 * The first instant after `at` at which `callQuotaExhausted` may answer differently.
 *
 * @example
 * callQuotaChangesAt(record, now, policy); // e.g. firstCall + 24 h
 */
export const callQuotaChangesAt = (record: PermissionRecord, at: Instant, policy: ResolvedPolicy): Instant =>
  ledgerChangesAt(callLedger(record, policy), at);

/**
 * Drops instants too old to count in any window at `at` or later.
 *
 * @example
 * pruneRequests([1, 2, 3], 10, 5); // [] — all older than the 5 ms horizon
 */
export const pruneRequests = (log: readonly Instant[], at: Instant, horizonMs: number): Instant[] =>
  log.filter((r) => r > at - horizonMs);
