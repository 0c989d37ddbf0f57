import type { Instant } from '../thread.js';
import type { WebhookEvent } from '../webhookEvent.js';
import { noRefusals, type RefusalCounts, type RefusalReason } from './DecodeReport.js';
import { idProblem, isWellFormedText, metaIdLimits } from './MetaId.js';
import { pairKey, threadPairKey } from '../store/pairKey.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * What one delivery may bring. The caps are twice what Meta batches (up to 1000
 * updates per notification); the horizon is Meta's longest retry window (7 days,
 * WhatsApp; Messenger gives up after 1 h, generic Graph after 36 h) and the skew
 * allows for clocks a few minutes apart.
 */
export interface AdmissionLimits {
  /** Events applied from one delivery; the rest are refused as `too_many_events` (default 2000). */
  readonly maxEventsPerDelivery: number;
  /** Distinct threads (and calls) one delivery may touch; events of any other are `too_many_threads` (default 2000). */
  readonly maxThreadsPerDelivery: number;
  /** An event older than this (ms before now) is `implausible_instant` (default 7 days). */
  readonly horizonMs: number;
  /** An event later than this (ms after now) is `implausible_instant` (default 5 minutes). */
  readonly skewMs: number;
}

/**
 * The defaults of {@link AdmissionLimits}.
 *
 * @example
 * admissionDefaults.horizonMs; // 604800000 (7 days)
 */
export const admissionDefaults: AdmissionLimits = Object.freeze({
  maxEventsPerDelivery: 2000, maxThreadsPerDelivery: 2000, horizonMs: 7 * DAY, skewMs: 5 * MINUTE,
});

/** Longest status-like text value (`call_status`, `status`) kept. */
export const MAX_FIELD_LENGTH = 64;

/**
 * Checks a text value that is stored but is no id (a call status): well-formed and at most 64 characters.
 *
 * @example
 * isAcceptableField('ringing'); // true
 */
export const isAcceptableField = (s: string | null): boolean =>
  s === null || (s.length <= MAX_FIELD_LENGTH && isWellFormedText(s));

/** The ids and text values of an event that reach the store, checked; null when all are fine. */
const eventProblem = (e: WebhookEvent): RefusalReason | null => {
  const own = idProblem(e.id, metaIdLimits.event);
  if (own !== null) return own;
  if (e.kind === 'call') {
    const problem = idProblem(e.pageId, metaIdLimits.person)
      ?? (e.psid === null ? null : idProblem(e.psid, metaIdLimits.person))
      ?? idProblem(e.callId, metaIdLimits.object);
    if (problem !== null) return problem;
    return isAcceptableField(e.callStatus) && isAcceptableField(e.terminateStatus) ? null : 'field_malformed';
  }
  if (e.kind === 'page_settings') return idProblem(e.pageId, metaIdLimits.person);
  return idProblem(e.thread.pageId, metaIdLimits.person) ?? idProblem(e.thread.psid, metaIdLimits.person);
};

/**
 * The storage unit an event touches: its thread, or for a call item that names no
 * person, its call. A WhatsApp call's business number counts with `wa:` before it,
 * as its thread's does, so it never shares a key with a Messenger Page of the same id.
 */
const threadKeyOf = (e: WebhookEvent): string => {
  if (e.kind === 'page_settings') return `p${e.pageId}`;
  if (e.kind !== 'call') return threadPairKey(e.thread);
  const business = e.channel === 'whatsapp' ? `wa:${e.pageId}` : e.pageId;
  return e.psid === null ? `c${pairKey(business, e.callId)}` : pairKey(business, e.psid);
};

/** What {@link admitEvents} let through, and what it refused by reason. */
export interface Admission {
  readonly accepted: readonly WebhookEvent[];
  readonly refused: RefusalCounts;
}

/**
 * Screens one delivery's events, in order: ids bounded and well-formed (unless
 * `checkIds` is false, for events the webhook decoder has just checked), the
 * instant inside [now − horizon, now + skew] (skipped when `now` is null: decoding
 * knows no clock), then the caps on events and distinct threads. Refused events
 * are counted by reason and left out; the others keep their order. Pure.
 *
 * @example
 * const { accepted, refused } = admitEvents(events, { now: clock.now() });
 * if (refused.implausible_instant > 0) console.log('forged or stale events refused');
 */
export const admitEvents = (
  events: readonly WebhookEvent[],
  options: { readonly now: Instant | null; readonly limits?: AdmissionLimits; readonly checkIds?: boolean },
): Admission => {
  const limits = options.limits ?? admissionDefaults;
  const { now } = options;
  const checkIds = options.checkIds !== false;
  const earliest = now === null ? -Infinity : now - limits.horizonMs;
  const latest = now === null ? Infinity : now + limits.skewMs;
  let counts: Record<RefusalReason, number> | null = null; // allocated at the first refusal only
  const refuse = (reason: RefusalReason): void => {
    counts ??= { ...noRefusals };
    counts[reason] += 1;
  };
  const accepted: WebhookEvent[] = [];
  const threads = new Set<string>();
  // A delivery with no more events than the thread cap cannot pass it: no keys are built then.
  const countThreads = events.length > limits.maxThreadsPerDelivery;
  for (const e of events) {
    const problem = checkIds ? eventProblem(e) : null;
    if (problem !== null) {
      refuse(problem);
    } else if (!(e.at >= earliest && e.at <= latest)) {
      refuse('implausible_instant');
    } else if (accepted.length >= limits.maxEventsPerDelivery) {
      refuse('too_many_events');
    } else if (!countThreads) {
      accepted.push(e);
    } else {
      const key = threadKeyOf(e);
      if (!threads.has(key) && threads.size >= limits.maxThreadsPerDelivery) {
        refuse('too_many_threads');
        continue;
      }
      threads.add(key);
      accepted.push(e);
    }
  }
  return { accepted, refused: counts ?? noRefusals };
};
