import { durationMs } from '@callperm/core';
import type { Clock, Instant } from '@callperm/core';

/**
 * A clock that moves only when a test moves it. Share one between the service,
 * the fake Graph API and the consumer simulator so they agree on "now".
 *
 * @example
 * const clock = new VirtualClock(Date.UTC(2026, 0, 1));
 * clock.advance('P7D');
 * clock.now(); // seven days later
 */
export class VirtualClock implements Clock {
  #now: Instant;
  readonly #listeners = new Set<(now: Instant) => void>();

  constructor(start: Instant = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): Instant {
    return this.#now;
  }

  /** Moves time forward by milliseconds or an ISO-8601 duration; never backwards. */
  advance(by: number | string): Instant {
    const ms = typeof by === 'number' ? by : durationMs(by);
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`A virtual clock only moves forward; got ${String(by)}.`);
    return this.set(this.#now + ms);
  }

  /** Jumps to an instant at or after now. */
  set(at: Instant): Instant {
    if (at < this.#now) throw new RangeError(`A virtual clock only moves forward: ${at} is before ${this.#now}.`);
    this.#now = at;
    for (const l of this.#listeners) l(at);
    return at;
  }

  /** Called after every move; returns an unsubscribe function. */
  onAdvance(listener: (now: Instant) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
