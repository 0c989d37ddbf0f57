import type { Instant } from '../thread.js';

/**
 * Where time comes from. Core never reads the wall clock itself: the service asks
 * its injected clock, and every event carries the instant it happened.
 *
 * @example
 * const frozen: Clock = { now: () => 1_700_000_000_000 };
 */
export interface Clock {
  now(): Instant;
}

/** The wall clock: the default when a host injects none. The only place core reads real time. */
// eslint-disable-next-line no-restricted-properties -- the injection point itself
export const systemClock: Clock = { now: () => Date.now() };
