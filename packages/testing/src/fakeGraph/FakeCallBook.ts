import type { Clock, Instant, Thread } from '@callperm/core';
import type { FakeCall, FakeCallDirection, FakeCallEnd, FakeCallEndCause } from './FakeCall.js';

/**
 * How long a person's call rings before it ends unanswered: Meta gives the
 * business 60 s to accept a consumer-initiated call (facts §4.5).
 *
 * @example
 * fake.clock.advance(ACCEPT_WINDOW_MS); // too late to accept the person's call
 */
export const ACCEPT_WINDOW_MS = 60_000;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The fake Meta's calls: opened by a connect or by the person's dial, answered,
 * ended once. A person's call still ringing when its 60 s are up has ended as
 * `missed` the next time anyone looks at it, or acts on it at a later instant (no
 * timers: the clock is virtual).
 * Every answer is reported to `answered` and every end to `ended`, once each.
 *
 * @example
 * const calls = new FakeCallBook(clock, (end) => records.callEnd(end));
 * const call = calls.open(thread, 'business_initiated', clock.now());
 * calls.end(call.callId, clock.now(), 'declined'); // true
 */
export class FakeCallBook {
  readonly #calls = new Map<string, Mutable<FakeCall>>();
  readonly #all: FakeCall[] = [];
  #seq = 0;

  constructor(
    private readonly clock: Clock,
    private readonly ended: (end: Omit<FakeCallEnd, 'seq'>) => void,
    private readonly answered: (call: FakeCall) => void = () => undefined,
  ) {}

  /** Every call, in the order opened. */
  get all(): readonly FakeCall[] {
    for (const c of this.#calls.values()) this.#ringOut(c, this.clock.now());
    return this.#all;
  }

  /** Opens a call (ringing); `callId` defaults to a new `c_fake_…` id. */
  open(thread: Thread, direction: FakeCallDirection, at: Instant, callId?: string): FakeCall {
    const id = callId ?? `c_fake_${(this.#seq += 1)}`;
    if (this.#calls.has(id)) throw new RangeError(`The fake already has a call ${id}.`);
    const call: Mutable<FakeCall> = { callId: id, thread, direction, startedAt: at, answeredAt: null, endedAt: null, cause: null };
    this.#calls.set(id, call);
    this.#all.push(call);
    return call;
  }

  /** The call as it stands now (a person's call past its 60 s has rung out), or undefined. */
  get(callId: string): FakeCall | undefined {
    const call = this.#calls.get(callId);
    if (call !== undefined) this.#ringOut(call, this.clock.now());
    return call;
  }

  /** Picks up a ringing call at `at`; false when it is unknown, answered already or over by then. */
  answer(callId: string, at: Instant): boolean {
    const call = this.#calls.get(callId);
    if (call === undefined) return false;
    this.#ringOut(call, at);
    if (call.endedAt !== null || call.answeredAt !== null) return false;
    call.answeredAt = Math.max(at, call.startedAt);
    this.answered(call);
    return true;
  }

  /** Ends a live call at `at`; false when it is unknown or over already. */
  end(callId: string, at: Instant, cause: FakeCallEndCause, status: 'Completed' | 'Failed' = cause === 'failed' ? 'Failed' : 'Completed'): boolean {
    const call = this.#calls.get(callId);
    if (call === undefined) return false;
    this.#ringOut(call, at);
    if (call.endedAt !== null) return false;
    this.#close(call, Math.max(at, call.answeredAt ?? call.startedAt), cause, status);
    return true;
  }

  /** A person's call nobody picked up has ended at its deadline, if `at` is past it. */
  #ringOut(call: Mutable<FakeCall>, at: Instant): void {
    const deadline = call.startedAt + ACCEPT_WINDOW_MS;
    if (call.direction === 'user_initiated' && call.answeredAt === null && call.endedAt === null && at >= deadline) {
      this.#close(call, deadline, 'missed', 'Completed');
    }
  }

  #close(call: Mutable<FakeCall>, at: Instant, cause: FakeCallEndCause, status: 'Completed' | 'Failed'): void {
    call.endedAt = at;
    call.cause = cause;
    const { callId, thread, direction, startedAt, answeredAt } = call;
    const durationSec = answeredAt === null ? null : Math.round((at - answeredAt) / 1000);
    this.ended({ callId, thread, direction, at, cause, status, startedAt, answeredAt, durationSec });
  }
}
