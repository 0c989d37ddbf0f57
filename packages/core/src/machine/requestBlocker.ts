import type { ResolvedPolicy } from '../policy.js';
import type { Instant } from '../thread.js';
import type { DecisionReason } from './DecisionReason.js';
import { effectiveState } from './effectiveState.js';
import type { PermissionRecord } from './PermissionRecord.js';
import { quotaChangesAt, quotaExhausted } from './quota.js';
import { sendInDoubt, sentKnown } from './sendOutcome.js';

/**
 * One rule that may hold a permission request back: whether it does at `at`, and
 * the first instant after `at` at which that answer may change if nothing else
 * happens (Infinity: only an event changes it). Every time-dependent answer in
 * `decide` (when a request may next go out, how long a decision holds) derives
 * from these `changesAt`, so a rule and its instants cannot drift apart.
 */
export interface TimedRule {
  readonly reason: DecisionReason;
  readonly blocks: (record: PermissionRecord, at: Instant, policy: ResolvedPolicy) => boolean;
  readonly changesAt: (record: PermissionRecord, at: Instant, policy: ResolvedPolicy) => Instant;
}

const after = (at: Instant, t: Instant | null): Instant => (t !== null && t > at ? t : Infinity);
/** The person wrote (or otherwise interacted) after `t`. */
const wroteAfter = (r: PermissionRecord, t: Instant): boolean => r.lastInboundAt !== null && r.lastInboundAt > t;
const refusedFor = (r: PermissionRecord, kind: 'outside_window' | 'person_unavailable'): boolean =>
  r.refusal !== null && r.refusal.kind === kind && !wroteAfter(r, r.refusal.at);
const NEVER = (): Instant => Infinity;

/**
 * The request rules, in the order they are asked; the first that blocks names the
 * reason. One rule per entry:
 */
export const requestRules: readonly TimedRule[] = [
  // A live permission needs no request; it ends at its expiry.
  { reason: 'already_permitted', blocks: (r, at) => effectiveState(r, at) === 'approved', changesAt: (r, at) => after(at, r.state === 'approved' ? r.expiresAt : null) },
  // A send whose fate is unknown (ambiguous, in flight or cut short) waits for its outcome or a reconciling check.
  { reason: 'pending_reply', blocks: (r, _at, p) => sendInDoubt(r, p), changesAt: NEVER },
  // A reminder waits `reminderAfter` after an unanswered opt-in, unless the person wrote after it was sent.
  {
    reason: 'pending_reply',
    blocks: (r, at, p) => r.state === 'requested' && r.pending !== null && at < r.pending.at + p.reminderAfterMs
      && !(sentKnown(r) && wroteAfter(r, r.pending.at)),
    changesAt: (r, at, p) => after(at, r.state === 'requested' && r.pending !== null ? r.pending.at + p.reminderAfterMs : null),
  },
  // After a Decline: until the person writes again, or `afterDecline` has passed.
  {
    reason: 'rejected',
    blocks: (r, at, p) => r.state === 'rejected' && r.declinedAt !== null
      && (p.afterDeclineMs === null ? !wroteAfter(r, r.declinedAt) : at < r.declinedAt + p.afterDeclineMs),
    changesAt: (r, at, p) => after(at, r.state === 'rejected' && r.declinedAt !== null && p.afterDeclineMs !== null ? r.declinedAt + p.afterDeclineMs : null),
  },
  // The rolling quota, counted from the local log, the last check and a per-thread-limit refusal.
  { reason: 'quota_exhausted', blocks: quotaExhausted, changesAt: quotaChangesAt },
  // Meta refused the last opt-in as the person unavailable: until they write.
  { reason: 'person_unavailable', blocks: (r) => refusedFor(r, 'person_unavailable'), changesAt: NEVER },
  // Meta refused the last opt-in as outside its window: until the person writes (or as a template, when the policy has one).
  { reason: 'outside_messaging_window', blocks: (r, _at, p) => !p.templateOutsideWindow && refusedFor(r, 'outside_window'), changesAt: NEVER },
  // A check refused requests, explained neither by a held permission nor by an exhausted limit:
  // most often Meta's messaging window; it holds until the person writes or a newer check.
  {
    reason: 'remote_request_denied',
    blocks: (r) => r.remote !== null && r.remote.canRequest === false && !r.remote.permitted
      && !r.remote.requestLimits.some((l) => l.used >= l.max) && !wroteAfter(r, r.remote.at),
    changesAt: NEVER,
  },
  // Strict mode: the person's last message must be known (a template needs none).
  { reason: 'messaging_window_unknown', blocks: (r, _at, p) => r.lastInboundAt === null && p.requireKnownMessagingWindow && !p.templateOutsideWindow, changesAt: NEVER },
  // The messaging window: the person wrote within `messagingWindow` (a template may go outside it).
  {
    reason: 'outside_messaging_window',
    blocks: (r, at, p) => !p.templateOutsideWindow && r.lastInboundAt !== null && at >= r.lastInboundAt + p.messagingWindowMs,
    changesAt: (r, at, p) => after(at, p.templateOutsideWindow || r.lastInboundAt === null ? null : r.lastInboundAt + p.messagingWindowMs),
  },
];

/**
 * Why a permission request may not be sent at `at`, or null when it may: the first
 * of {@link requestRules} that blocks. The one rule behind the machine's
 * `mayRequest` guard and `decide`'s `canRequest`.
 *
 * @example
 * requestBlocker(emptyRecord(), now, resolvePolicy(messengerPolicy)); // null
 */
export const requestBlocker = (record: PermissionRecord, at: Instant, policy: ResolvedPolicy): DecisionReason | null => {
  for (const rule of requestRules) if (rule.blocks(record, at, policy)) return rule.reason;
  return null;
};

/**
 * The first instant at or after `at` at which a request may go out if nothing else
 * happens, or null when only an event (the person writing, a reply, a check) can
 * open the way: jumps from each blocking rule's `changesAt` to the next.
 *
 * @example
 * nextRequestAt(record, now, policy); // e.g. the instant the first request leaves the 24 h window
 */
export const nextRequestAt = (record: PermissionRecord, at: Instant, policy: ResolvedPolicy): Instant | null => {
  let t = at;
  // Each jump passes one rule's change instant; the rules hold finitely many.
  for (let jumps = 0; jumps < 256; jumps += 1) {
    const blocking = requestRules.find((rule) => rule.blocks(record, t, policy));
    if (blocking === undefined) return t;
    const next = blocking.changesAt(record, t, policy);
    if (next === Infinity) return null;
    t = next;
  }
  return null;
};
