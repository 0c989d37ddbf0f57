import type { GraphFailure } from '@callperm/core';

/** How hard to retry: attempts after the first, and the backoff's base and cap. */
export interface RetryPolicy {
  /** Retries after the first attempt (0 turns retries off). */
  readonly limit: number;
  /** First backoff step in ms; each retry doubles it. */
  readonly baseDelayMs: number;
  /** No single wait is longer than this; a throttle asking for longer is not retried but returned. */
  readonly maxDelayMs: number;
}

/**
 * The default: two retries, 250 ms doubling, at most 5 s per wait.
 *
 * @example
 * graphApi({ accessToken, retry: { ...defaultRetryPolicy, limit: 4 } });
 */
export const defaultRetryPolicy: RetryPolicy = { limit: 2, baseDelayMs: 250, maxDelayMs: 5_000 };

/** Retry after `delayMs`, or stop and hand the failure to the caller (with why, for logs). */
export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  | { readonly retry: false; readonly why: 'limit' | 'maybe_processed' | 'not_retryable' | 'no_wait_given' | 'wait_too_long' };

/** What the decision looks at. `attempt` counts attempts made so far (1 after the first failure). */
export interface RetryInput {
  /**
   * `read` when repeating the call changes nothing at Meta (a GET, or a batch of
   * GETs sent as a POST); `write` when it has a side effect (the opt-in).
   */
  readonly effect: 'read' | 'write';
  readonly attempt: number;
  /**
   * The failure; for throttling, `retryAfterMs` must be the wait *Meta* gave (a
   * regain time, `Retry-After`), not the client's own backoff.
   */
  readonly failure: Pick<GraphFailure, 'kind' | 'processed' | 'retryAfterMs'>;
  readonly policy: RetryPolicy;
  /** A number in [0, 1) for the jitter; `Math.random` by default. */
  readonly random?: () => number;
}

/**
 * Whether to retry a failed Graph call, and after how long. Pure: the same input
 * always gives the same answer (given `random`). One rule per branch.
 *
 * @example
 * retryDecision({ effect: 'write', attempt: 1, failure: { kind: 'transient', processed: 'unknown' }, policy: defaultRetryPolicy });
 * // { retry: false, why: 'maybe_processed' }: an opt-in that may have gone out is never sent twice
 */
export const retryDecision = ({ effect, attempt, failure, policy, random = Math.random }: RetryInput): RetryDecision => {
  // Out of attempts.
  if (attempt > policy.limit) return { retry: false, why: 'limit' };
  // A write has a side effect (an opt-in the person sees): only retry when the failure
  // proves Meta did not act on it (an error answer, a refused connection).
  if (effect === 'write' && failure.processed !== 'no') return { retry: false, why: 'maybe_processed' };
  // Only waiting helps throttling and passing faults; every other failure repeats itself
  // (request_limit included: the thread's opt-ins are used up for hours).
  if (failure.kind !== 'throttled' && failure.kind !== 'transient') return { retry: false, why: 'not_retryable' };
  // Throttling without Meta's wait: calling again within seconds extends the block, so hand it back.
  if (failure.kind === 'throttled' && failure.retryAfterMs === undefined) return { retry: false, why: 'no_wait_given' };
  // Meta said how long to wait: wait exactly that, unless it is longer than we may block.
  if (failure.retryAfterMs !== undefined) {
    if (failure.retryAfterMs > policy.maxDelayMs) return { retry: false, why: 'wait_too_long' };
    return { retry: true, delayMs: Math.max(1, Math.ceil(failure.retryAfterMs)) };
  }
  // Passing faults: capped exponential backoff with "equal jitter": half fixed, half random, never 0
  // (got reads a 0 delay as "do not retry").
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const delayMs = Math.max(1, Math.round(step / 2 + (step / 2) * random()));
  return { retry: true, delayMs };
};
