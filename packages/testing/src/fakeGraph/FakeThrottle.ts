import type { Clock, Instant } from '@callperm/core';
import { fakeMetaErrors, type MetaErrorBody } from './fakeMetaErrors.js';

/** A throttle switched on by a test: which Page, which error, for how long. */
export interface FakeThrottleSpec {
  /** The Page to throttle; every Page when absent. */
  readonly pageId?: string;
  /** The error code answered while throttled: 80006 (Messenger BUC), 80001 (Pages BUC), 613 or 4. Default 80006. */
  readonly code?: 80006 | 80001 | 613 | 4;
  /** `estimated_time_to_regain_access`, in minutes of the shared clock. */
  readonly regainMinutes: number;
  /** Send `X-Business-Use-Case-Usage` with the regain time (default true). */
  readonly header?: boolean;
}

const MINUTE = 60_000;
const BODY: Record<NonNullable<FakeThrottleSpec['code']>, MetaErrorBody> = {
  80006: fakeMetaErrors.messengerThrottled, 80001: fakeMetaErrors.pageThrottled,
  613: fakeMetaErrors.rateLimit, 4: fakeMetaErrors.appLimit,
};

interface Active {
  readonly spec: FakeThrottleSpec;
  readonly until: Instant;
}

/**
 * The fake's throttling mode: while a throttle holds, requests for its Page get
 * Meta's throttling error and an `X-Business-Use-Case-Usage` header keyed by the
 * Page's business id, with the minutes left to regain access.
 *
 * @example
 * throttle.start({ pageId: 'p1', regainMinutes: 5 });
 * throttle.errorFor('p1')?.error.code; // 80006
 */
export class FakeThrottle {
  #active: Active[] = [];

  constructor(private readonly clock: Clock, private readonly businessIdOf: (pageId: string) => string) {}

  start(spec: FakeThrottleSpec): void {
    this.#active.push({ spec, until: this.clock.now() + spec.regainMinutes * MINUTE });
  }

  /** Ends every throttle at once. */
  clear(): void {
    this.#active = [];
  }

  #current(pageId: string): Active | undefined {
    const now = this.clock.now();
    this.#active = this.#active.filter((a) => a.until > now);
    return this.#active.find((a) => a.spec.pageId === undefined || a.spec.pageId === pageId);
  }

  /** The error to answer for `pageId` now, if throttled. */
  errorFor(pageId: string): MetaErrorBody | undefined {
    const a = this.#current(pageId);
    return a === undefined ? undefined : BODY[a.spec.code ?? 80006];
  }

  /** The usage headers to send with any answer for these Pages. */
  headersFor(pageIds: readonly string[]): Record<string, string> {
    const usage: Record<string, unknown[]> = {};
    for (const pageId of new Set(pageIds)) {
      const a = this.#current(pageId);
      if (a === undefined || a.spec.header === false) continue;
      const minutes = Math.ceil((a.until - this.clock.now()) / MINUTE);
      usage[this.businessIdOf(pageId)] = [{
        type: a.spec.code === 80001 ? 'pages' : 'messenger', call_count: 100, total_cputime: 12, total_time: 14,
        estimated_time_to_regain_access: minutes,
      }];
    }
    return Object.keys(usage).length === 0 ? {} : { 'x-business-use-case-usage': JSON.stringify(usage) };
  }
}
