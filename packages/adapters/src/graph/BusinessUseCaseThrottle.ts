import { systemClock, type Clock, type Instant } from '@callperm/core';
import { parseAppUsage, parseBusinessUseCaseUsage, peakUsage, type HeaderValue } from './usageHeaders.js';

/** How the throttle learns time and how long it blocks when Meta gives no regain time. */
export interface BusinessUseCaseThrottleOptions {
  readonly clock?: Clock;
  /** Block length when a usage header reaches 100 % or a BUC error comes without a regain time. Default 60 s. */
  readonly fallbackMs?: number;
}

/** Business-use-case throttling codes: once seen, the Page's business is blocked. */
const BUC_CODES = new Set([32, 80000, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80009]);
const MINUTE = 60_000;

/**
 * Remembers which Pages Meta is throttling, from `X-Business-Use-Case-Usage`
 * (business id -> the Pages whose requests reported it), `X-Page-Usage` and
 * `X-App-Usage`, and BUC error codes. While a Page is blocked the client makes no
 * call for it: Meta says continued calls extend the block.
 *
 * @example
 * const throttle = new BusinessUseCaseThrottle({ clock });
 * throttle.observe('page-1', { 'x-business-use-case-usage': '{"b1":[{"estimated_time_to_regain_access":5}]}' });
 * throttle.retryAfterMs('page-1'); // 300000
 */
export class BusinessUseCaseThrottle {
  readonly #clock: Clock;
  readonly #fallbackMs: number;
  readonly #pagesOfBusiness = new Map<string, Set<string>>();
  readonly #businessUntil = new Map<string, Instant>();
  readonly #pageUntil = new Map<string, Instant>();
  #appUntil: Instant = 0;

  constructor(options: BusinessUseCaseThrottleOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#fallbackMs = options.fallbackMs ?? MINUTE;
  }

  /** Reads the usage headers of a response to a request made for `pageId`. */
  observe(pageId: string, headers: Readonly<Record<string, HeaderValue>>): void {
    const now = this.#clock.now();
    for (const [businessId, entries] of parseBusinessUseCaseUsage(headers['x-business-use-case-usage'])) {
      let pages = this.#pagesOfBusiness.get(businessId);
      if (pages === undefined) this.#pagesOfBusiness.set(businessId, (pages = new Set()));
      pages.add(pageId);
      const minutes = Math.max(0, ...entries.map((e) => e.regainAccessMinutes));
      // The newest header wins, so a business reported as recovered is unblocked.
      this.#businessUntil.set(businessId, now + minutes * MINUTE);
    }
    const page = parseAppUsage(headers['x-page-usage']);
    if (page !== null) {
      const ms = page.regainAccessMinutes > 0 ? page.regainAccessMinutes * MINUTE : peakUsage(page) >= 100 ? this.#fallbackMs : 0;
      this.#pageUntil.set(pageId, now + ms);
    }
    const app = parseAppUsage(headers['x-app-usage']);
    if (app !== null && peakUsage(app) >= 100) this.#appUntil = Math.max(this.#appUntil, now + this.#fallbackMs);
  }

  /** Learns from a throttling error: a BUC code blocks the Page even when no header came with it. */
  observeFailure(pageId: string, failure: { readonly code?: number | undefined; readonly retryAfterMs?: number | undefined }): void {
    if (failure.code === undefined || !BUC_CODES.has(failure.code)) return;
    if (this.retryAfterMs(pageId) !== undefined) return; // the header already said how long
    const until = this.#clock.now() + (failure.retryAfterMs ?? this.#fallbackMs);
    this.#pageUntil.set(pageId, Math.max(this.#pageUntil.get(pageId) ?? 0, until));
  }

  /** When calls for `pageId` may resume, or `undefined` when they may go now. */
  blockedUntil(pageId: string): Instant | undefined {
    let until = Math.max(this.#appUntil, this.#pageUntil.get(pageId) ?? 0);
    for (const [businessId, pages] of this.#pagesOfBusiness) {
      if (pages.has(pageId)) until = Math.max(until, this.#businessUntil.get(businessId) ?? 0);
    }
    return until > this.#clock.now() ? until : undefined;
  }

  /** Milliseconds until calls for `pageId` may resume, or `undefined` when they may go now. */
  retryAfterMs(pageId: string): number | undefined {
    const until = this.blockedUntil(pageId);
    return until === undefined ? undefined : until - this.#clock.now();
  }
}
