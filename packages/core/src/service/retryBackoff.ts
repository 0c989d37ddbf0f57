/** How the sweep retries what failed: exponential backoff per item, and how often an inbox delivery is tried before it is moved aside. */
export interface RetryOptions {
  /** The wait after an item's first failure (ms, default 60 000); it doubles with each further failure. */
  readonly retryBaseMs?: number;
  /** The longest wait between two attempts at one item (ms, default 3 600 000: one hour). */
  readonly retryMaxMs?: number;
  /** Failed attempts after which an inbox delivery is moved aside, kept for `callperm inbox replay` (default 8). */
  readonly inboxMaxAttempts?: number;
}

/** {@link RetryOptions} with every value checked and filled in. */
export interface ResolvedRetry {
  readonly baseMs: number;
  readonly maxMs: number;
  readonly inboxMaxAttempts: number;
}

/** Defaults of {@link RetryOptions}. */
export const DEFAULT_RETRY: ResolvedRetry = { baseMs: 60_000, maxMs: 3_600_000, inboxMaxAttempts: 8 };

/** A whole number >= `min`, or the default for anything else (NaN, negatives, fractions are truncated). */
const whole = (value: number | undefined, min: number, fallback: number): number => {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.max(min, Math.trunc(value));
};

/**
 * Checks and fills in retry options: non-finite values take the default, the rest
 * are truncated to whole numbers, at least 1 ms (1 attempt), and the cap is at
 * least the base.
 *
 * @example
 * resolveRetry({ retryBaseMs: 1000 }); // { baseMs: 1000, maxMs: 3_600_000, inboxMaxAttempts: 8 }
 */
export const resolveRetry = (options: RetryOptions = {}): ResolvedRetry => {
  const baseMs = whole(options.retryBaseMs, 1, DEFAULT_RETRY.baseMs);
  return {
    baseMs,
    maxMs: Math.max(baseMs, whole(options.retryMaxMs, 1, DEFAULT_RETRY.maxMs)),
    inboxMaxAttempts: whole(options.inboxMaxAttempts, 1, DEFAULT_RETRY.inboxMaxAttempts),
  };
};

/**
 * The wait before the next attempt at an item that has failed `attempts` times
 * (>= 1): `baseMs`, doubled per further failure, at most `maxMs`. Pure.
 *
 * @example
 * retryDelayMs(DEFAULT_RETRY, 1); // 60_000
 * retryDelayMs(DEFAULT_RETRY, 3); // 240_000
 * retryDelayMs(DEFAULT_RETRY, 30); // 3_600_000
 */
export const retryDelayMs = (retry: ResolvedRetry, attempts: number): number => {
  const doublings = Math.min(Math.max(0, attempts - 1), 40);
  return Math.min(retry.maxMs, retry.baseMs * 2 ** doublings);
};

/**
 * A short, secret-free name for what went wrong: the error's `code` when it has a
 * plain one, else its class name (never its message, which may quote a URL or a token).
 *
 * @example
 * failureCode(new CorruptDocError('inbox', 'k', 'bad')); // 'corrupt_doc'
 */
export const failureCode = (error: unknown): string => {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code)) return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(name)) return name;
  }
  return 'unknown';
};
