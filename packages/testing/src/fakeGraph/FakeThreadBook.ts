import { durationMs, threadKey, type Clock, type Instant, type QuotaWindow, type Thread } from '@callperm/core';
import { defaultFakeCallSettings, type FakeCallSettings } from './FakeCall.js';
import { isoPeriod } from './isoPeriod.js';

/** One thread as the fake sees it. */
export interface FakeThreadState {
  /** The permission, if ever granted: it holds while `expiresAt` is null or in the future. */
  grant: { readonly grantedAt: Instant; readonly expiresAt: Instant | null } | null;
  /** The person's last message to the Page: the 24 h messaging window runs from here. */
  lastInboundAt: Instant | null;
  /** When opt-ins were accepted, for the rolling quota. */
  readonly optIns: Instant[];
  /** When business-initiated calls were placed (every connect Meta accepted), for the connected-call quota. */
  readonly connectedCalls: Instant[];
  /** Meta answers 551/1545041 ("person not available") to an opt-in while set. */
  unavailable: boolean;
}

/** What a permission check reads from a thread at one instant. */
export interface FakePermissionView {
  readonly hasPermission: boolean;
  readonly expiresAt: Instant | null;
  readonly request: { readonly canPerform: boolean; readonly used: number; readonly window: QuotaWindow };
  readonly startCall: {
    readonly canPerform: boolean;
    /** Usage of the first quota (`window`). */
    readonly used: number;
    readonly window: QuotaWindow;
    /** Every connected-call quota with its usage now. */
    readonly limits: readonly FakeCallQuotaUsage[];
  };
}

/**
 * One connected-call quota of the fake: at most `max` connects per thread in any
 * rolling `periodMs`. Messenger says `start_call` needs the "connected call quota
 * within limits" but publishes no number (facts §1.3, §5).
 */
export interface FakeCallQuota {
  readonly periodMs: number;
  readonly max: number;
}

/** A quota with how much of it is used now. */
export interface FakeCallQuotaUsage extends FakeCallQuota {
  readonly used: number;
}

/** The fake's rules, as data. */
export interface FakeRules {
  /** Opt-ins per thread: 2 per rolling 24 h (Messenger). */
  readonly optInQuota: QuotaWindow;
  /** How long the person's message opens the standard messaging window. */
  readonly messagingWindow: string;
  /** How long a grant lasts when the test gives no expiry: 7 days. */
  readonly permissionTtl: string;
  /**
   * Connects per thread (the connected-call quota) when no `callQuota` list is given;
   * Messenger publishes no number, so this is an assumption.
   */
  readonly connectedCallQuota: QuotaWindow;
}

/**
 * Messenger's documented rules, and 5 connects per thread per rolling 24 h for the
 * connected-call quota: Messenger publishes no number; 5 is the `start_call` limit
 * in the sample of WhatsApp's equivalent page.
 *
 * @example
 * createFakeGraphApi({ rules: { ...defaultFakeRules, connectedCallQuota: { period: 'PT24H', max: 1 } } });
 */
export const defaultFakeRules: FakeRules = {
  optInQuota: { period: 'PT24H', max: 2 },
  messagingWindow: 'PT24H',
  permissionTtl: 'P7D',
  connectedCallQuota: { period: 'PT24H', max: 5 },
};

/**
 * The fake Graph API's memory of every thread: permissions, the messaging window,
 * the opt-ins sent and the calls connected, all on the shared clock.
 *
 * @example
 * const book = new FakeThreadBook(clock);
 * book.inbound(thread);
 * book.view(thread).request.canPerform; // true
 */
export class FakeThreadBook {
  readonly #threads = new Map<string, FakeThreadState>();
  readonly #callingOff = new Set<string>();
  readonly #callSettings = new Map<string, FakeCallSettings>();
  /** The connected-call quotas in force: `callQuota` when given, else `rules.connectedCallQuota`. */
  readonly callQuota: readonly FakeCallQuota[];

  constructor(readonly clock: Clock, readonly rules: FakeRules = defaultFakeRules, callQuota?: readonly FakeCallQuota[]) {
    for (const q of callQuota ?? []) {
      if (!(Number.isFinite(q.periodMs) && q.periodMs > 0 && Number.isInteger(q.max) && q.max >= 0)) {
        throw new RangeError(`A call quota needs periodMs > 0 and a whole max >= 0; got ${JSON.stringify(q)}.`);
      }
    }
    this.callQuota = callQuota ?? [{ periodMs: durationMs(rules.connectedCallQuota.period), max: rules.connectedCallQuota.max }];
  }

  /** The thread's state, created empty on first use. */
  state(thread: Thread): FakeThreadState {
    const key = threadKey(thread);
    let s = this.#threads.get(key);
    if (s === undefined) {
      s = { grant: null, lastInboundAt: null, optIns: [], connectedCalls: [], unavailable: false };
      this.#threads.set(key, s);
    }
    return s;
  }

  /** The person grants permission, until `expiresAt` (default 7 days from now; `null` = no expiry). */
  grant(thread: Thread, expiresAt?: Instant | null): void {
    const now = this.clock.now();
    this.state(thread).grant = { grantedAt: now, expiresAt: expiresAt === undefined ? now + durationMs(this.rules.permissionTtl) : expiresAt };
  }

  /** The permission is gone (revoked or rejected). */
  revoke(thread: Thread): void {
    this.state(thread).grant = null;
  }

  /** The permission ends now, as if its expiry had passed. */
  expire(thread: Thread): void {
    const s = this.state(thread);
    if (s.grant !== null) s.grant = { ...s.grant, expiresAt: this.clock.now() };
  }

  /** The person wrote to the Page (now, or at `at`): the messaging window opens. */
  inbound(thread: Thread, at: Instant = this.clock.now()): void {
    const s = this.state(thread);
    s.lastInboundAt = Math.max(s.lastInboundAt ?? at, at);
  }

  /** A business-initiated call was placed (now, or at `at`): it counts against the connected-call quota. */
  connectCall(thread: Thread, at: Instant = this.clock.now()): void {
    this.state(thread).connectedCalls.push(at);
  }

  /** Marks the person unavailable (opt-ins refused with 551/1545041) until marked available again. */
  markUnavailable(thread: Thread, unavailable = true): void {
    this.state(thread).unavailable = unavailable;
  }

  /** Switches calling on or off for a Page (`business_messaging_feature_status`; opt-ins refused while off). */
  setPageCalling(pageId: string, enabled: boolean): void {
    if (enabled) this.#callingOff.delete(pageId);
    else this.#callingOff.add(pageId);
  }

  /** Whether calling is on for the Page (on unless switched off). */
  pageCallingEnabled(pageId: string): boolean {
    return !this.#callingOff.has(pageId);
  }

  /** Changes a Page's Messenger call settings (the fields given; the rest stay). */
  setCallSettings(pageId: string, settings: Partial<FakeCallSettings>): void {
    this.#callSettings.set(pageId, { ...this.callSettings(pageId), ...settings });
  }

  /** A Page's Messenger call settings (audio on, video off, `PARTNERS` until changed). */
  callSettings(pageId: string): FakeCallSettings {
    return this.#callSettings.get(pageId) ?? defaultFakeCallSettings;
  }

  /** Whether the person holds a live permission now (granted and not expired). */
  permitted(thread: Thread): boolean {
    const g = this.state(thread).grant;
    return g !== null && (g.expiresAt === null || g.expiresAt > this.clock.now());
  }

  /** The connected-call quotas with their usage now. */
  callQuotaUsage(thread: Thread): FakeCallQuotaUsage[] {
    const list = this.state(thread).connectedCalls;
    return this.callQuota.map((q) => ({ ...q, used: this.#countSinceMs(list, q.periodMs) }));
  }

  /** Whether a new connect would go over a connected-call quota now. */
  overCallQuota(thread: Thread): boolean {
    return this.callQuotaUsage(thread).some((q) => q.used >= q.max);
  }

  /** Whether the Page may message the person now. */
  inWindow(thread: Thread): boolean {
    const last = this.state(thread).lastInboundAt;
    return last !== null && this.clock.now() < last + durationMs(this.rules.messagingWindow);
  }

  /** Records an accepted opt-in. */
  recordOptIn(thread: Thread): void {
    this.state(thread).optIns.push(this.clock.now());
  }

  /** The thread as a permission check sees it now. */
  view(thread: Thread): FakePermissionView {
    const s = this.state(thread);
    const has = this.permitted(thread);
    const { optInQuota } = this.rules;
    const used = this.#countSinceMs(s.optIns, durationMs(optInQuota.period));
    const limits = this.callQuotaUsage(thread);
    const first = limits[0];
    // The seed's own example: no new request while a permission is held. Whether the
    // person can be messaged at all (551) is the Send API's business, not the check's.
    const canRequest = !has && used < optInQuota.max && this.inWindow(thread);
    return {
      hasPermission: has,
      expiresAt: has ? (s.grant?.expiresAt ?? null) : null,
      request: { canPerform: canRequest, used, window: optInQuota },
      startCall: {
        canPerform: has && limits.every((q) => q.used < q.max),
        used: first?.used ?? 0,
        window: first === undefined ? this.rules.connectedCallQuota : { period: isoPeriod(first.periodMs), max: first.max },
        limits,
      },
    };
  }

  /** Entries in the rolling period ending now: later than `now - periodMs`. */
  #countSinceMs(list: readonly Instant[], periodMs: number): number {
    const from = this.clock.now() - periodMs;
    return list.filter((t) => t > from).length;
  }
}
