import { durationMs } from './duration.js';

/** One rolling quota window: at most `max` permission requests per `period` (ISO-8601). */
export interface QuotaWindow {
  readonly period: string;
  readonly max: number;
}

/**
 * The rules a platform imposes, as data. The same machine runs Messenger's rules
 * and WhatsApp's by swapping this object.
 *
 * @example
 * const strict: Policy = { ...messengerPolicy, requireKnownMessagingWindow: true };
 */
export interface Policy {
  /** Rolling windows limiting permission requests per thread. */
  readonly requestQuota: readonly QuotaWindow[];
  /** How long a granted permission lasts when Meta does not say (ISO-8601). */
  readonly permissionTtl: string;
  /** How long after the person's last message the Page may send them a standard message (ISO-8601). */
  readonly messagingWindow: string;
  /** Refuse a request when the person's last inbound message is unknown (default: allow, Meta decides). */
  readonly requireKnownMessagingWindow: boolean;
  /**
   * How long after an unanswered opt-in a remote check looks for a reply webhook
   * that may have been lost (ISO-8601). It no longer blocks a new request: see `reminderAfter`.
   */
  readonly pendingReplyTimeout: string;
  /**
   * When a reminder (a second opt-in) may follow an unanswered one: this long after
   * it (ISO-8601, default PT4H), or as soon as the person writes after it. The
   * request quota stays the hard limit.
   */
  readonly reminderAfter: string;
  /**
   * When a new request may follow a Decline: `next_message` (default) once the
   * person writes again after it, or an ISO-8601 duration after the Decline.
   */
  readonly afterDecline: string;
  /**
   * `request` first asks Meta (one permission check) when the record holds no
   * check newer than this (ISO-8601, default PT1H), and before every reminder
   * (the person may have answered the first opt-in, its webhook still on the way).
   */
  readonly preflightMaxAge: string;
  /**
   * After Meta said calling is off for a Page, how long before the Page is checked
   * again (ISO-8601, default PT6H); `refreshPage` checks at once.
   */
  readonly pageRecheckAfter: string;
  /**
   * After a check denied `start_call` without saying which limit, when to check again
   * (ISO-8601, default PT1H).
   */
  readonly startCallRecheck: string;
  /** How long a processed webhook event id is remembered for dedupe (ISO-8601). */
  readonly dedupeTtl: string;
  /** How soon an ambiguous send or an implicit grant is reconciled by a remote check (ISO-8601). */
  readonly reconcileDelay: string;
  /**
   * How long a host may take to write an opt-in send's outcome after reserving its
   * slot: the Graph client's whole deadline, retries included (ISO-8601, default
   * PT5M). A send still without an outcome after it was cut short (its host died or
   * lost the store mid-send): a remote check tells whether it reached Meta, as for
   * an ambiguous send, instead of the thread waiting for `pendingReplyTimeout`.
   */
  readonly sendOutcomeTimeout?: string;
  /** How long a consent-history entry is kept after its event (ISO-8601; default 400 days). */
  readonly historyRetention: string;
  /**
   * How long a thread's row is kept once it holds nothing live (no permission, no
   * request in flight) after its newest instant (ISO-8601, default P30D); then
   * `sweep` deletes it and the thread reads as never seen. At least every other
   * period of the policy, so nothing a rule still counts is forgotten. The consent
   * history keeps its own retention.
   */
  readonly threadRetention: string;
  /**
   * The connected-call quota: business-initiated calls per thread per rolling
   * period. Meta requires one for `start_call` but publishes no number for
   * Messenger; the default, 5 per PT24H, is WhatsApp's documented figure for
   * connected calls, taken as a stand-in. Limits a remote check reports override a
   * larger local max for the same period. Empty: only Meta's reported limits count.
   */
  readonly callQuota: readonly QuotaWindow[];
  /**
   * A connected call (either direction) resets the request quota: WhatsApp's rule
   * (true in `whatsappPolicy`); Messenger documents none (false).
   */
  readonly requestQuotaResetByCall: boolean;
  /**
   * Outside the person's messaging window (or with no message from them known),
   * send the request as an approved template instead of holding it back:
   * WhatsApp's `call_permission_request` template (MARKETING or UTILITY), whose name
   * and language the Graph client is given (`whatsappGraphApi`'s `requestTemplate`).
   * Default false: Messenger has no template form, and a WhatsApp business needs an
   * approved template first. The request quota holds either way.
   */
  readonly templateOutsideWindow?: boolean;
}

/**
 * Messenger's documented rules: 2 requests per thread per rolling 24 h, only inside
 * the 24 h messaging window; a permission lasts 7 days.
 *
 * @example
 * createCallPermissions({ graph, store, policy: messengerPolicy });
 */
export const messengerPolicy: Policy = {
  requestQuota: [{ period: 'PT24H', max: 2 }],
  permissionTtl: 'P7D',
  messagingWindow: 'PT24H',
  requireKnownMessagingWindow: false,
  pendingReplyTimeout: 'PT24H',
  reminderAfter: 'PT4H',
  afterDecline: 'next_message',
  preflightMaxAge: 'PT1H',
  pageRecheckAfter: 'PT6H',
  startCallRecheck: 'PT1H',
  dedupeTtl: 'PT2H',
  reconcileDelay: 'PT1M',
  sendOutcomeTimeout: 'PT5M',
  historyRetention: 'P400D',
  threadRetention: 'P30D',
  callQuota: [{ period: 'PT24H', max: 5 }],
  requestQuotaResetByCall: false,
};

/**
 * WhatsApp's request limits (1 per 24 h and 2 per 7 days per pair), expressed with
 * the same policy shape: no code change, only data.
 *
 * @example
 * const wa = whatsappPolicy.requestQuota; // [{ period: 'PT24H', max: 1 }, { period: 'P7D', max: 2 }]
 */
export const whatsappPolicy: Policy = {
  ...messengerPolicy,
  requestQuota: [{ period: 'PT24H', max: 1 }, { period: 'P7D', max: 2 }],
  // Business-initiated connected calls per pair: 100 a day (138012); Meta's reported `start_call` limits win.
  callQuota: [{ period: 'PT24H', max: 100 }],
  requestQuotaResetByCall: true,
  // The interactive request needs the customer-service window: with no known message from the person, none is sent.
  requireKnownMessagingWindow: true,
};

/** A policy with every duration turned into milliseconds, computed once. */
export interface ResolvedPolicy {
  readonly source: Policy;
  readonly quota: readonly { readonly periodMs: number; readonly max: number; readonly period: string }[];
  /** The longest quota period: request instants older than this can be forgotten. */
  readonly quotaHorizonMs: number;
  readonly permissionTtlMs: number;
  readonly messagingWindowMs: number;
  readonly requireKnownMessagingWindow: boolean;
  readonly pendingReplyTimeoutMs: number;
  readonly reminderAfterMs: number;
  /** Null: after a Decline, wait for the person's next message. */
  readonly afterDeclineMs: number | null;
  readonly preflightMaxAgeMs: number;
  readonly pageRecheckAfterMs: number;
  readonly startCallRecheckMs: number;
  readonly dedupeTtlMs: number;
  readonly reconcileDelayMs: number;
  readonly sendOutcomeTimeoutMs: number;
  readonly historyRetentionMs: number;
  readonly threadRetentionMs: number;
  readonly callQuota: readonly { readonly periodMs: number; readonly max: number; readonly period: string }[];
  /** The longest call-quota period (0 when none): call instants older than this can be forgotten. */
  readonly callHorizonMs: number;
  readonly requestQuotaResetByCall: boolean;
  readonly templateOutsideWindow: boolean;
}

/** Thrown at construction when a policy cannot be honoured. */
export class PolicyError extends Error {
  readonly code = 'invalid_policy' as const;
  constructor(detail: string) {
    super(`Invalid policy: ${detail}.`);
    this.name = 'PolicyError';
  }
}

const cache = new WeakMap<Policy, ResolvedPolicy>();

/**
 * Validates a policy and converts its durations to milliseconds (memoised per object).
 *
 * @example
 * resolvePolicy(messengerPolicy).quota[0]; // { period: 'PT24H', periodMs: 86_400_000, max: 2 }
 */
export const resolvePolicy = (policy: Policy): ResolvedPolicy => {
  const hit = cache.get(policy);
  if (hit) return hit;
  if (policy.requestQuota.length === 0) throw new PolicyError('requestQuota needs at least one window');
  const windowOf = (w: QuotaWindow) => {
    if (!Number.isInteger(w.max) || w.max < 0) throw new PolicyError(`quota max must be a whole number >= 0, got ${w.max}`);
    return { period: w.period, periodMs: durationMs(w.period), max: w.max };
  };
  const quota = policy.requestQuota.map(windowOf);
  const callQuota = (policy.callQuota ?? []).map(windowOf);
  const resolved: ResolvedPolicy = {
    source: policy,
    quota,
    quotaHorizonMs: Math.max(...quota.map((q) => q.periodMs)),
    permissionTtlMs: durationMs(policy.permissionTtl),
    messagingWindowMs: durationMs(policy.messagingWindow),
    requireKnownMessagingWindow: policy.requireKnownMessagingWindow,
    pendingReplyTimeoutMs: durationMs(policy.pendingReplyTimeout),
    reminderAfterMs: durationMs(policy.reminderAfter),
    afterDeclineMs: policy.afterDecline === 'next_message' ? null : durationMs(policy.afterDecline),
    preflightMaxAgeMs: durationMs(policy.preflightMaxAge),
    pageRecheckAfterMs: durationMs(policy.pageRecheckAfter),
    startCallRecheckMs: durationMs(policy.startCallRecheck),
    dedupeTtlMs: durationMs(policy.dedupeTtl),
    reconcileDelayMs: durationMs(policy.reconcileDelay),
    sendOutcomeTimeoutMs: durationMs(policy.sendOutcomeTimeout ?? 'PT5M'),
    historyRetentionMs: durationMs(policy.historyRetention),
    threadRetentionMs: durationMs(policy.threadRetention),
    callQuota,
    callHorizonMs: Math.max(0, ...callQuota.map((q) => q.periodMs)),
    requestQuotaResetByCall: policy.requestQuotaResetByCall === true,
    templateOutsideWindow: policy.templateOutsideWindow === true,
  };
  const counted = Math.max(
    resolved.quotaHorizonMs, resolved.permissionTtlMs, resolved.messagingWindowMs, resolved.pendingReplyTimeoutMs, resolved.reminderAfterMs,
    resolved.afterDeclineMs ?? 0, resolved.startCallRecheckMs, resolved.reconcileDelayMs, resolved.sendOutcomeTimeoutMs, resolved.dedupeTtlMs,
    resolved.callHorizonMs,
  );
  if (resolved.threadRetentionMs < counted) {
    throw new PolicyError(`threadRetention (${policy.threadRetention}) must be at least the policy's longest period (${counted} ms), or a retired thread would forget what a rule still counts`);
  }
  cache.set(policy, resolved);
  return resolved;
};
