import type { ResolvedPolicy } from '../policy.js';
import type { Instant } from '../thread.js';
import type { PermissionRecord } from './PermissionRecord.js';

/** One rolling window as the quota check sees it: local policy windows and remote-reported limits alike. */
interface Window {
  readonly periodMs: number;
  readonly max: number;
}

const countIn = (requests: readonly Instant[], from: Instant, to: Instant): number => {
  let n = 0;
  for (const r of requests) if (r > from && r <= to) n += 1;
  return n;
};

/**
 * Requests counted against `window` at instant `at`: the local log over the
 * rolling window, and never less than what the last remote check reported plus
 * the requests reserved since (that report covers the window ending at its own
 * instant, so it is held until `remote.at + period`).
 *
 * @example
 * usedAt(record, { periodMs: 86_400_000, max: 2 }, now);
 */
export const usedAt = (record: PermissionRecord, window: Window, at: Instant): number => {
  const local = countIn(record.requests, at - window.periodMs, at);
  const remote = record.remote;
  if (!remote || at >= remote.at + window.periodMs) return local;
  const reported = remote.requestLimits.find((l) => l.periodMs === window.periodMs);
  if (!reported) return local;
  return Math.max(local, reported.used + countIn(record.requests, remote.at, at));
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
  windowsOf(record, policy).some((w) => usedAt(record, w, at) >= w.max);

/**
 * The instants after `at` when some window's usage may drop: where a later quota
 * check can succeed. Sorted, without duplicates.
 *
 * @example
 * quotaReleasePoints(record, now, policy); // e.g. [firstRequest + 24 h]
 */
export const quotaReleasePoints = (record: PermissionRecord, at: Instant, policy: ResolvedPolicy): Instant[] => {
  const points = new Set<Instant>();
  for (const w of windowsOf(record, policy)) {
    for (const r of record.requests) if (r + w.periodMs > at) points.add(r + w.periodMs);
    if (record.remote && record.remote.at + w.periodMs > at) points.add(record.remote.at + w.periodMs);
  }
  return [...points].sort((a, b) => a - b);
};

/**
 * Drops request instants too old to count in any window at `at` or later.
 *
 * @example
 * pruneRequests([1, 2, 3], 10, 5); // [] — all older than the 5 ms horizon
 */
export const pruneRequests = (requests: readonly Instant[], at: Instant, horizonMs: number): Instant[] =>
  requests.filter((r) => r > at - horizonMs);
