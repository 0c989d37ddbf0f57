import type { Instant, Thread } from '@callperm/core';
import { fakeMetaErrors, type FakeEndpoint, type FakeFault, type FakeThrottleSpec, type MetaErrorBody } from '@callperm/testing';
import type { SeededRandom } from '../../../src/simulate/seededRandom.js';
import { PAGES } from './worstDayRig.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Something Meta does to the host at an instant. */
export type Storm =
  /** Meta's own throttle (the fake's `throttle`): every request for the Page (or all Pages) answered with `code`, with or without its usage header. */
  | { readonly kind: 'throttle'; readonly spec: FakeThrottleSpec }
  /** Throttling errors of other scopes (user 17 and 9, app 4 and 341, Page 32 and 368, business 800xx) on the next requests. */
  | { readonly kind: 'codes'; readonly faults: readonly (readonly [FakeEndpoint, FakeFault])[] }
  /** 5xx answers, 5xx error bodies and resets on the next checks and sends (a send's may come after Meta sent the opt-in). */
  | { readonly kind: 'burst'; readonly faults: readonly (readonly [FakeEndpoint, FakeFault])[] }
  /** One opt-in send whose fate the host cannot know: a timeout, a reset, a 5xx or an unreadable 200, Meta having sent it or not. */
  | { readonly kind: 'ambiguous'; readonly fault: FakeFault };

/** A throttling error body with `code` (9 with its subcode 2018352, the one that throttles). */
export const throttleBody = (code: number): MetaErrorBody => ({
  error: { message: `(#${code}) throttled`, type: 'OAuthException', code, ...(code === 9 ? { error_subcode: 2018352 } : {}), fbtrace_id: 'AworstDay' },
});

const pick = <T>(rng: SeededRandom, items: readonly T[]): T => items[rng.int(0, items.length - 1)]!;

/** Opt-in faults that leave the send's fate unknown to the host; `after`: Meta sent the opt-in first. */
const AMBIGUOUS: readonly FakeFault[] = [
  { kind: 'hang', after: true }, { kind: 'hang' }, { kind: 'reset', after: true }, { kind: 'reset' },
  { kind: 'status', status: 503, after: true }, { kind: 'status', status: 502 }, { kind: 'malformed', after: true },
  { kind: 'error', status: 500, body: fakeMetaErrors.serviceUnavailable },
];
/** Throttling codes by scope: app 4 and 341, user 17 and 9, Page 32 (368, the hour-long policy block, is rarer), business 80004. */
const CODES = [4, 341, 17, 9, 32, 80004, 4, 17, 32, 368];

const stormOf = (rng: SeededRandom): Storm => {
  const roll = rng.next();
  if (roll < 0.35) {
    const code = pick(rng, [80006, 80001, 613, 4] as const);
    return { kind: 'throttle', spec: { ...(rng.chance(0.8) ? { pageId: pick(rng, PAGES) } : {}), code, regainMinutes: rng.int(2, 20), header: rng.chance(0.75) } };
  }
  if (roll < 0.65) {
    const faults = Array.from({ length: rng.int(2, 6) }, (): readonly [FakeEndpoint, FakeFault] => {
      const endpoint: FakeEndpoint = rng.chance(0.6) ? 'check' : 'send';
      const code = endpoint === 'check' && rng.chance(0.15) ? 613 : pick(rng, CODES);
      return [endpoint, { kind: 'error', status: code === 368 ? 400 : pick(rng, [400, 403, 429]), body: throttleBody(code) }];
    });
    return { kind: 'codes', faults };
  }
  const faults = Array.from({ length: rng.int(3, 12) }, (): readonly [FakeEndpoint, FakeFault] => {
    const endpoint: FakeEndpoint = rng.chance(0.6) ? 'check' : 'send';
    const fault: FakeFault = pick(rng, [
      { kind: 'status', status: pick(rng, [500, 502, 503, 504]), after: endpoint === 'send' && rng.chance(0.5) },
      { kind: 'error', status: 500, body: fakeMetaErrors.serviceUnavailable },
      { kind: 'reset', after: endpoint === 'send' && rng.chance(0.5) },
    ]);
    return [endpoint, fault];
  });
  return { kind: 'burst', faults };
};

/** The storms of a run, in order: one every ~80 minutes, and an ambiguous send every ~25 minutes, until `end`. */
export const planStorms = (rng: SeededRandom, start: Instant, end: Instant): { readonly at: Instant; readonly storm: Storm }[] => {
  const out: { at: Instant; storm: Storm }[] = [];
  for (let at = start + rng.exponential(1 / (80 * MINUTE)); at < end; at += rng.exponential(1 / (80 * MINUTE))) out.push({ at, storm: stormOf(rng) });
  for (let at = start + rng.exponential(1 / (25 * MINUTE)); at < end; at += rng.exponential(1 / (25 * MINUTE))) {
    out.push({ at, storm: { kind: 'ambiguous', fault: pick(rng, AMBIGUOUS) } });
  }
  return out.sort((a, b) => a.at - b.at);
};

/** A person behind a thread: when they write, and how they answer opt-ins. */
export interface Person {
  readonly thread: Thread;
  readonly writesAt: readonly Instant[];
  readonly approve: number;
  readonly reject: number;
  readonly rng: SeededRandom;
}

/** `count` people over the Pages: each writes first within 3 h, then every ~8 h; half approve, a fifth decline, the rest ignore. */
export const planPeople = (rng: SeededRandom, count: number, start: Instant, end: Instant): Person[] => Array.from({ length: count }, (_, i) => {
  const own = rng.fork();
  const writesAt: Instant[] = [];
  for (let at = start + own.between(0, 3 * HOUR); at < end; at += own.exponential(1 / (8 * HOUR)) + 10 * MINUTE) writesAt.push(Math.round(at));
  return { thread: { pageId: PAGES[i % PAGES.length]!, psid: String(5_000_000 + i) }, writesAt, approve: 0.5, reject: 0.2, rng: own };
});

/** Deliveries Meta makes that no thread of the host expects: strangers' replies and calls, other objects, other fields. */
export type OddDelivery = 'stranger_reply' | 'stranger_missed_call' | 'unknown_page_message' | 'other_object' | 'other_field';

/** One odd delivery every ~40 minutes until `end`. */
export const planOddDeliveries = (rng: SeededRandom, start: Instant, end: Instant): { readonly at: Instant; readonly kind: OddDelivery }[] => {
  const out: { at: Instant; kind: OddDelivery }[] = [];
  const kinds: readonly OddDelivery[] = ['stranger_reply', 'stranger_missed_call', 'unknown_page_message', 'other_object', 'other_field'];
  for (let at = start + rng.exponential(1 / (40 * MINUTE)); at < end; at += rng.exponential(1 / (40 * MINUTE))) out.push({ at, kind: pick(rng, kinds) });
  return out;
};
