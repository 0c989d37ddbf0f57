import type { FakeCall } from '../fakeGraph/FakeCall.js';

/** What a simulated person does when the Page's call rings, and after how long (virtual ms from the connect). */
export type CalleeAnswer =
  /** Picks up after `afterMs` and hangs up `talkMs` later (unless the Page ends it first). */
  | { readonly kind: 'answer'; readonly afterMs: number; readonly talkMs: number }
  /** Declines after `afterMs`: `terminate` Completed with an empty duration. */
  | { readonly kind: 'decline'; readonly afterMs: number }
  /** Lets it ring for `ringMs` (default 60 s): `terminate` Completed with an empty duration. */
  | { readonly kind: 'miss'; readonly ringMs?: number }
  /** The call fails mid-connection after `afterMs`: `terminate` Failed. */
  | { readonly kind: 'fail'; readonly afterMs: number };

/** Decides how each person handles each call the Page places. */
export type CalleeBehaviour = (call: FakeCall) => CalleeAnswer;

/** Shares of a mixed behaviour; they need not add up to 1 (they are weights). */
export interface CalleeMix {
  readonly answers?: number;
  readonly declines?: number;
  readonly misses?: number;
  readonly fails?: number;
}

/** A small seeded generator (mulberry32): the same seed gives the same people. */
const seeded = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

/**
 * Ready-made behaviours for the Page's calls.
 *
 * @example
 * createConsumerSimulator({ fake, hostUrl, appSecret, callBehaviour: callees.answers(8_000, 60_000) });
 * createConsumerSimulator({ fake, hostUrl, appSecret, callBehaviour: callees.mix({ answers: 6, declines: 2, misses: 2 }, 7) });
 */
export const callees = {
  /** Picks up after `afterMs` (default 8 s) and talks `talkMs` (default 60 s). */
  answers: (afterMs = 8_000, talkMs = 60_000): CalleeBehaviour => () => ({ kind: 'answer', afterMs, talkMs }),
  /** Declines after `afterMs` (default 5 s). */
  declines: (afterMs = 5_000): CalleeBehaviour => () => ({ kind: 'decline', afterMs }),
  /** Lets it ring out after `ringMs` (default 60 s). */
  misses: (ringMs = 60_000): CalleeBehaviour => () => ({ kind: 'miss', ringMs }),
  /** The call fails after `afterMs` (default 3 s). */
  fails: (afterMs = 3_000): CalleeBehaviour => () => ({ kind: 'fail', afterMs }),
  /**
   * Each call drawn from the weights with a seeded generator (default weights: 6
   * answer, 2 decline, 2 miss, none fail); delays drawn too: pick up after 3–20 s,
   * talk 10–300 s, decline after 2–15 s.
   */
  mix: (weights: CalleeMix = { answers: 6, declines: 2, misses: 2 }, seed = 1): CalleeBehaviour => {
    const random = seeded(seed);
    const w = [weights.answers ?? 0, weights.declines ?? 0, weights.misses ?? 0, weights.fails ?? 0].map((x) => Math.max(0, x));
    const total = w.reduce((a, b) => a + b, 0);
    if (!(total > 0)) throw new RangeError('callees.mix needs at least one positive weight.');
    const between = (lo: number, hi: number): number => Math.round(lo + random() * (hi - lo));
    const last = w.findLastIndex((x) => x > 0);
    return () => {
      let pick = random() * total;
      const found = w.findIndex((x) => (pick -= x) < 0);
      switch (found === -1 ? last : found) {
        case 0:
          return { kind: 'answer', afterMs: between(3_000, 20_000), talkMs: between(10_000, 300_000) };
        case 1:
          return { kind: 'decline', afterMs: between(2_000, 15_000) };
        case 3:
          return { kind: 'fail', afterMs: between(1_000, 10_000) };
        default:
          return { kind: 'miss' };
      }
    };
  },
} as const;
