import type { Thread } from '@callperm/core';
import { HOUR, MINUTE } from './SimulationConfig.js';
import type { SeededRandom } from './seededRandom.js';

/** One simulated consumer, and how the business treats their thread. */
export interface Persona {
  readonly thread: Thread;
  /** How often they write to the Page (per virtual day). */
  readonly messagesPerDay: number;
  /** How often the business wants to call them (per virtual day). */
  readonly callWishesPerDay: number;
  /** How often they call the Page themselves (per virtual day). */
  readonly consumerCallsPerDay: number;
  /** Answers to an opt-in: approve with this probability, else reject with `reject`, else ignore. */
  readonly approve: number;
  readonly reject: number;
  /** Bounds of the delay before they answer an opt-in (ms). */
  readonly answerDelayMs: readonly [number, number];
  /** Probability they pick up a call from the business. */
  readonly acceptsCalls: number;
  /** Probability the business picks up when they call. */
  readonly hostPicksUp: number;
  /** This persona's own stream, for choices made during the run (answers, pick-ups). */
  readonly rng: SeededRandom;
}

/** The simulated Page ids: one Page per 250 threads. */
export const simulatedPages = (threads: number): string[] =>
  Array.from({ length: Math.max(1, Math.ceil(threads / 250)) }, (_, i) => String(1_000_001 + i));

/**
 * Draws `count` consumers from the seed: their threads spread over the Pages,
 * their habits (chatty or quiet, quick to answer or not, likely to approve) and a
 * private random stream each.
 *
 * @example
 * const people = createPersonas(seededRandom(7), 1000);
 * people[0]!.thread; // { pageId: '1000001', psid: '2000000000' }
 */
export const createPersonas = (rng: SeededRandom, count: number): Persona[] => {
  const pages = simulatedPages(count);
  return Array.from({ length: count }, (_, i) => {
    const approve = rng.between(0.35, 0.85);
    const fast = rng.chance(0.5);
    return {
      thread: { pageId: pages[i % pages.length]!, psid: String(2_000_000_000 + i) },
      messagesPerDay: rng.between(0.05, 0.5),
      callWishesPerDay: rng.between(0.05, 0.35),
      consumerCallsPerDay: rng.between(0, 0.05),
      approve,
      reject: (1 - approve) * rng.between(0.3, 0.8),
      answerDelayMs: fast ? [10_000, 10 * MINUTE] : [10 * MINUTE, 20 * HOUR],
      acceptsCalls: rng.between(0.5, 0.95),
      hostPicksUp: rng.between(0.3, 0.9),
      rng: rng.fork(),
    };
  });
};
