/** Options of {@link PageRateLimiter}. */
export interface PageRateLimitOptions {
  /** Requests a Page may make at once. Default 10. */
  readonly burst?: number;
  /** Requests regained per second. Default 1. */
  readonly perSecond?: number;
  /** Pages tracked at most; the least recently seen is forgotten past it. Default 10,000. */
  readonly maxPages?: number;
  /** Milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}

interface Bucket { tokens: number; at: number }

/** Thrown at construction for a burst, rate or size that is not a positive finite number. */
export class RateLimitOptionError extends Error {
  readonly code = 'bad_rate_limit' as const;
  constructor(readonly option: string) {
    super(`The rate limit's ${option} must be a positive finite number.`);
    this.name = 'RateLimitOptionError';
  }
}

const positive = (name: string, v: number): number => {
  if (!Number.isFinite(v) || v <= 0) throw new RateLimitOptionError(name);
  return v;
};

/**
 * A token bucket per Page id on an injected clock: `take(page)` spends one token
 * and answers 0, or answers how many seconds to wait (for `Retry-After`). The
 * table is bounded: past `maxPages` the least recently seen Page is forgotten.
 *
 * @example
 * const limiter = new PageRateLimiter({ burst: 2, perSecond: 0.5, now: () => clock.now() });
 * limiter.take('1'); limiter.take('1'); // 0, 0
 * limiter.take('1'); // 2: retry in 2 seconds
 */
export class PageRateLimiter {
  readonly #burst: number;
  readonly #perMs: number;
  readonly #maxPages: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: PageRateLimitOptions = {}) {
    this.#burst = positive('burst', options.burst ?? 10);
    this.#perMs = positive('perSecond', options.perSecond ?? 1) / 1000;
    this.#maxPages = Math.floor(positive('maxPages', options.maxPages ?? 10_000));
    this.#now = options.now ?? Date.now;
  }

  /** Spends a token of `page`'s bucket: 0 when allowed, else the whole seconds to wait. */
  take(page: string): number {
    const now = this.#now();
    const old = this.#buckets.get(page);
    const elapsed = old === undefined ? 0 : Math.max(0, now - old.at);
    const tokens = old === undefined ? this.#burst : Math.min(this.#burst, old.tokens + elapsed * this.#perMs);
    this.#buckets.delete(page); // re-inserted last: the Map's order is least recently seen first
    if (tokens >= 1) {
      this.#remember(page, { tokens: tokens - 1, at: now });
      return 0;
    }
    this.#remember(page, { tokens, at: now });
    return Math.max(1, Math.ceil((1 - tokens) / this.#perMs / 1000));
  }

  /** Pages currently tracked. */
  get size(): number {
    return this.#buckets.size;
  }

  #remember(page: string, bucket: Bucket): void {
    this.#buckets.set(page, bucket);
    if (this.#buckets.size > this.#maxPages) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
  }
}
