import type { ResolvedPolicy } from '../policy.js';
import type { Instant } from '../thread.js';
import type { PermissionRecord } from './PermissionRecord.js';

/** One rolling window as the quota check sees it: local policy windows and remote-reported limits alike. */
interface Window {
  readonly periodMs: number;
  readonly max: number;
}

/**
 * Requests of `requests` in the window `(from, to]`.
 *
 * @example
 * countIn([1, 5, 9], 1, 9); // 2
 */
export const countIn = (requests: readonly Instant[], from: Instant, to: Instant): number => {
  let n = 0;
  for (const r of requests) if (r > from && r <= to) n += 1;
  return n;
};

/**
 * Requests a report of `used` in the window ending at `reportedAt` counts beyond
 * what the local log holds for that window: sends the log does not know of. Held
 * until `reportedAt + period` (the latest they can leave Meta's window); the ones
 * the log does know age out with the log.
 */
const unexplained = (requests: readonly Instant[], used: number, reportedAt: Instant, periodMs: number, at: Instant): number =>
  (at < reportedAt + periodMs ? Math.max(0, used - countIn(requests, reportedAt - periodMs, reportedAt)) : 0);

/**
 * Requests counted against `window` at instant `at`: the local log over the
 * rolling window (and any reserved later than `at`), plus what the last remote check reported beyond the log, plus,
 * after Meta refused an opt-in as over the per-thread limit, what that refusal
 * implies beyond the log (the window was full at the refusal's instant; applied to
 * the shortest window, the one Messenger's 2-per-day limit is). Unexplained counts
 * from the check and from the refusal overlap, so the larger one counts.
 *
 * @example
 * usedAt(record, { periodMs: 86_400_000, max: 2 }, now, policy);
 */
export const usedAt = (record: PermissionRecord, window: Window, at: Instant, policy: ResolvedPolicy): number => {
  // A request reserved after `at` (by a host whose clock runs ahead) counts too: it is in every window from now on.
  const local = countIn(record.requests, at - window.periodMs, Infinity);
  let hidden = 0;
  const remote = record.remote;
  if (remote !== null) {
    const reported = remote.requestLimits.find((l) => l.periodMs === window.periodMs);
    if (reported !== undefined) hidden = unexplained(record.requests, reported.used, remote.at, window.periodMs, at);
  }
  const refusal = record.refusal;
  if (refusal !== null && refusal.kind === 'request_limit' && window.periodMs === shortestPeriodMs(policy)) {
    hidden = Math.max(hidden, unexplained(record.requests, window.max, refusal.at, window.periodMs, at));
  }
  return local + hidden;
};

const shortestPeriodMs = (policy: ResolvedPolicy): number => {
  let p = Infinity;
  for (const q of policy.quota) if (q.periodMs < p) p = q.periodMs;
  return p;
};

/** Every window that limits requests: the policy's, plus any other the last remote check reported. */
const windowsOf = (record: PermissionRecord, policy: ResolvedPolicy): Window[] => {
  const windows: Window[] = policy.quota.map((q) => ({ periodMs: q.periodMs, max: q.max }));
  for (const l of record.remote?.requestLimits ?? []) {
    const same = windows.findIndex((w) => w.periodMs === l.periodMs);
    if (same === -1) windows.push({ periodMs: l.periodMs, max: l.max });
    else if (l.max < windows[same]!.max) windows[same] = { periodMs: l.periodMs, max: l.max };
  }
  return windows;
};

/**
 * True when one more request at `at` would break a rolling window.
 *
 * @example
 * quotaExhausted(record, now, resolvePolicy(messengerPolicy)); // false on a fresh thread
 */
export const quotaExhausted = (record: PermissionRecord, at: Instant, policy: ResolvedPolicy): boolean =>
  windowsOf(record, policy).some((w) => usedAt(record, w, at, policy) >= w.max);

/**
 * The first instant after `at` at which `quotaExhausted` may answer differently:
 * a logged request, the last check or a per-thread-limit refusal entering or
 * leaving a window. Infinity when none lies ahead.
 *
 * @example
 * quotaChangesAt(record, now, policy); // e.g. firstRequest + 24 h
 */
export const quotaChangesAt = (record: PermissionRecord, at: Instant, policy: ResolvedPolicy): Instant => {
  let next = Infinity;
  const consider = (t: Instant): void => {
    if (t > at && t < next) next = t;
  };
  const marks: Instant[] = [...record.requests];
  if (record.remote !== null) marks.push(record.remote.at);
  if (record.refusal !== null && record.refusal.kind === 'request_limit') marks.push(record.refusal.at);
  for (const w of windowsOf(record, policy)) {
    for (const m of marks) {
      consider(m);
      consider(m + w.periodMs);
    }
  }
  return next;
};

/**
 * Drops request instants too old to count in any window at `at` or later.
 *
 * @example
 * pruneRequests([1, 2, 3], 10, 5); // [] — all older than the 5 ms horizon
 */
export const pruneRequests = (requests: readonly Instant[], at: Instant, horizonMs: number): Instant[] =>
  requests.filter((r) => r > at - horizonMs);
