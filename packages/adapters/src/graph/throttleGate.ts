import { systemClock, type Clock, type Instant } from '@callperm/core';
import { parseAppUsage, parseBusinessUseCaseUsage, peakUsage, type HeaderValue } from './usageHeaders.js';

/**
 * Who a throttle holds back (facts §6.2, §8): `app` and `user` are the whole client
 * (one app; the token's user may be a system user shared by every Page), `page` the
 * Page of the call, `business` the business object of `X-Business-Use-Case-Usage`
 * (the Page itself while no header has named one).
 */
export type ThrottleScope = 'app' | 'user' | 'page' | 'business';

/** How the gate learns time and how long it blocks when Meta gives no wait. */
export interface ThrottleGateOptions {
  readonly clock?: Clock;
  /** First backoff step when Meta throttles without a wait (default 60 s); doubles per repeat in a scope. */
  readonly baseMs?: number;
  /** The longest backoff step (default 1 h). */
  readonly maxMs?: number;
}

/** What a throttled answer means for the caller: the wait, and whether Meta gave it. */
export interface ThrottleVerdict {
  /** Until calls for this Page may resume, in ms from now (the longest of its scopes). */
  readonly waitMs: number;
  /** True when that wait is Meta's (a regain time, `Retry-After`), false when it is the client's backoff. */
  readonly givenByMeta: boolean;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** 368 "temporarily blocked for policy violations": Meta names no length; wait at least an hour. */
export const POLICY_BLOCK_MS = HOUR;

/** The scope a throttling code holds back, one rule per line (Graph error-handling and rate-limiting pages). */
export const throttleScopeOf = (code: number | undefined): ThrottleScope => {
  // 4 "Application request limit reached", 341 "Application limit reached": the app.
  if (code === 4 || code === 341) return 'app';
  // 17 user-level throttling, 9/2018352 user performing too many actions: the token's user.
  if (code === 17 || code === 9) return 'user';
  // 80006 Messenger, 80000/80002-80005/80008/80009 other BUC types: the business object (80001 is the Pages BUC, below).
  if (code !== undefined && code >= 80000 && code <= 80099 && code !== 80001) return 'business';
  // 32 and 80001 Page calls, 613 rate limit off the opt-in, 368 policy block, a bare 429: the Page.
  return 'page';
};

interface Gate {
  /** Calls in this scope wait until then. */
  until: Instant;
  /** Throttles seen since the last success: the backoff exponent. */
  strikes: number;
  /** Whether `until` is Meta's word rather than the backoff. */
  byMeta: boolean;
}

/**
 * The client's memory of Meta's throttles, one gate per scope (app, user, each
 * Page, each business object), each with a `blockedUntil` instant on the client's
 * clock. Meta says continued calls extend a block, so while any scope of a Page
 * is blocked the client sends nothing for it. Waits come from Meta when it gives
 * one (`estimated_time_to_regain_access`, `Retry-After`), else from a backoff per
 * scope: `baseMs` doubling up to `maxMs`, back to `baseMs` after a success; 368
 * waits at least `POLICY_BLOCK_MS`. Internal to the Graph client.
 *
 * @example
 * const gate = new ThrottleGate({ clock });
 * gate.throttled('page-1', { code: 4 }); // { waitMs: 60000, givenByMeta: false }: every Page waits (app scope)
 * gate.retryAfterMs('page-2'); // 60000
 */
export class ThrottleGate {
  readonly #clock: Clock;
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #gates = new Map<string, Gate>();
  /** Page id -> the business objects its answers' BUC headers named. */
  readonly #businessesOf = new Map<string, Set<string>>();

  constructor(options: ThrottleGateOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#baseMs = options.baseMs ?? MINUTE;
    this.#maxMs = options.maxMs ?? HOUR;
  }

  /** The gate keys of one scope, for a call for `pageId`. */
  #keys(scope: ThrottleScope, pageId: string): string[] {
    switch (scope) {
      case 'app': return ['app'];
      case 'user': return ['user'];
      case 'page': return [`page:${pageId}`];
      case 'business': return [`business:${pageId}`, ...[...(this.#businessesOf.get(pageId) ?? [])].map((b) => `business:${b}`)];
    }
  }

  /** Every gate a call for `pageId` must pass. */
  #allKeys(pageId: string): string[] {
    return (['app', 'user', 'page', 'business'] as const).flatMap((s) => this.#keys(s, pageId));
  }

  #gate(key: string): Gate {
    let g = this.#gates.get(key);
    if (g === undefined) this.#gates.set(key, (g = { until: 0, strikes: 0, byMeta: false }));
    return g;
  }

  /** Meta's own wait for a scope: the newest word wins, even a shorter one. */
  #metaWait(key: string, ms: number): void {
    const g = this.#gate(key);
    g.until = this.#clock.now() + ms;
    g.byMeta = true;
  }

  /** No wait from Meta: the next backoff step, unless the scope is already blocked (a burst counts once). */
  #backoff(key: string, floorMs = 0): void {
    const g = this.#gate(key);
    const now = this.#clock.now();
    if (g.until > now) return;
    g.strikes += 1;
    const step = Math.min(this.#maxMs, this.#baseMs * 2 ** Math.min(g.strikes - 1, 40));
    g.until = now + Math.max(floorMs, step);
    g.byMeta = false;
  }

  /** Reads the usage headers of any answer to a request made for `pageId`. */
  observeHeaders(pageId: string, headers: Readonly<Record<string, HeaderValue>>): void {
    for (const [businessId, entries] of parseBusinessUseCaseUsage(headers['x-business-use-case-usage'])) {
      let known = this.#businessesOf.get(pageId);
      if (known === undefined) this.#businessesOf.set(pageId, (known = new Set()));
      known.add(businessId);
      const minutes = Math.max(0, ...entries.map((e) => e.regainAccessMinutes));
      if (minutes > 0) this.#metaWait(`business:${businessId}`, minutes * MINUTE);
      // Meta reports the business recovered: its block ends now (its backoff count stays until a success).
      else this.#gate(`business:${businessId}`).until = 0;
    }
    // The legacy X-Page-Usage: a regain time when it has one, else full usage backs the Page off.
    const page = parseAppUsage(headers['x-page-usage']);
    if (page !== null && page.regainAccessMinutes > 0) this.#metaWait(`page:${pageId}`, page.regainAccessMinutes * MINUTE);
    else if (page !== null && peakUsage(page) >= 100) this.#backoff(`page:${pageId}`);
    // X-App-Usage carries percentages only: at 100 % the whole app backs off.
    const app = parseAppUsage(headers['x-app-usage']);
    if (app !== null && peakUsage(app) >= 100) this.#backoff('app');
  }

  /** A 2xx answer for `pageId`: none of its scopes was throttling, so their backoff starts over. */
  observeSuccess(pageId: string): void {
    for (const key of this.#allKeys(pageId)) {
      const g = this.#gates.get(key);
      if (g !== undefined) g.strikes = 0;
    }
  }

  /**
   * A throttled answer for `pageId` with Meta's `code`: blocks that code's scope for
   * Meta's `retryAfterMs` when given (else the headers' regain time, else the backoff)
   * and says how long the Page must now wait.
   */
  throttled(pageId: string, failure: { readonly code?: number | undefined; readonly retryAfterMs?: number | undefined }): ThrottleVerdict {
    const keys = this.#keys(throttleScopeOf(failure.code), pageId);
    const now = this.#clock.now();
    // The answer's own usage header may already have given Meta's wait for this scope: that wins.
    const metaSaid = keys.some((k) => { const g = this.#gates.get(k); return g !== undefined && g.byMeta && g.until > now; });
    for (const key of keys) {
      if (failure.retryAfterMs !== undefined && failure.retryAfterMs > 0) this.#metaWait(key, failure.retryAfterMs);
      else if (!metaSaid) this.#backoff(key, failure.code === 368 ? POLICY_BLOCK_MS : 0);
    }
    const longest = this.#longest(pageId);
    return longest === undefined ? { waitMs: 0, givenByMeta: false } : { waitMs: longest.until - this.#clock.now(), givenByMeta: longest.byMeta };
  }

  #longest(pageId: string): Gate | undefined {
    let longest: Gate | undefined;
    for (const key of this.#allKeys(pageId)) {
      const g = this.#gates.get(key);
      if (g !== undefined && g.until > (longest?.until ?? this.#clock.now())) longest = g;
    }
    return longest;
  }

  /** When calls for `pageId` may resume, or `undefined` when they may go now. */
  blockedUntil(pageId: string): Instant | undefined {
    return this.#longest(pageId)?.until;
  }

  /** Milliseconds until calls for `pageId` may resume, or `undefined` when they may go now. */
  retryAfterMs(pageId: string): number | undefined {
    const until = this.blockedUntil(pageId);
    return until === undefined ? undefined : until - this.#clock.now();
  }
}
