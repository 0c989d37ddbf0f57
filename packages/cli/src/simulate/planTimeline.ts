import { channelOf } from '@callperm/core';
import type { FakeEndpoint, FakeFault } from '@callperm/testing';
import type { Persona } from './Persona.js';
import { simulatedAccounts } from './Persona.js';
import { DAY, type SimulationConfig } from './SimulationConfig.js';
import type { SeededRandom } from './seededRandom.js';

/** Something planned to happen at an instant of the run. */
export type PlannedAction =
  /** The consumer writes to the Page. */
  | { readonly at: number; readonly kind: 'message'; readonly persona: number }
  /** The business wants to call the consumer. */
  | { readonly at: number; readonly kind: 'wish'; readonly persona: number }
  /** The consumer calls the Page. */
  | { readonly at: number; readonly kind: 'consumer_call'; readonly persona: number }
  /** Meta's next request to an endpoint fails this way. */
  | { readonly at: number; readonly kind: 'graph_fault'; readonly endpoint: FakeEndpoint; readonly fault: FakeFault }
  /** Meta throttles a Page for a while. */
  | { readonly at: number; readonly kind: 'throttle'; readonly pageId: string; readonly minutes: number }
  /** Calling is switched off (or back on) for a Page. */
  | { readonly at: number; readonly kind: 'page_calling'; readonly pageId: string; readonly enabled: boolean };

const poisson = (rng: SeededRandom, perDay: number, from: number, until: number): number[] => {
  const times: number[] = [];
  if (perDay <= 0) return times;
  for (let t = from + rng.exponential(perDay / DAY); t < until; t += rng.exponential(perDay / DAY)) times.push(Math.floor(t));
  return times;
};

const graphFaults: readonly { readonly endpoint: FakeEndpoint; readonly fault: FakeFault }[] = [
  { endpoint: 'send', fault: { kind: 'status', status: 503, after: true } }, // Meta sent it, then failed: ambiguous
  { endpoint: 'send', fault: { kind: 'status', status: 500 } }, // failed before acting, but the client cannot know
  { endpoint: 'send', fault: { kind: 'reset', after: true } },
  { endpoint: 'check', fault: { kind: 'status', status: 500 } },
  { endpoint: 'check', fault: { kind: 'reset' } },
];

/**
 * Plans the whole run from the seed before it starts: each persona's messages,
 * the business's wishes to call and the consumer's own calls as Poisson
 * processes (the consumer's calls on Messenger threads only); with `faults: 'meta'`,
 * Graph faults and throttles of the Pages and business numbers too; and one Messenger
 * Page whose calling is off for a day or two (none in a WhatsApp-only run). Sorted by instant (ties keep plan
 * order), so the run is the same for the same seed.
 *
 * @example
 * const plan = planTimeline(seededRandom(7), personas, { threads: 1000, days: 30, seed: 7, faults: 'meta' }, start);
 */
export const planTimeline = (rng: SeededRandom, personas: readonly Persona[], config: SimulationConfig, start: number): PlannedAction[] => {
  const end = start + config.days * DAY;
  const plan: PlannedAction[] = [];
  personas.forEach((p, persona) => {
    for (const at of poisson(rng, p.messagesPerDay, start, end)) plan.push({ at, kind: 'message', persona });
    for (const at of poisson(rng, p.callWishesPerDay, start, end)) plan.push({ at, kind: 'wish', persona });
    // Drawn for every persona (so the stream does not depend on the channel), planned only on Messenger:
    // the consumer simulator cannot play a person calling a WhatsApp number.
    const calls = poisson(rng, p.consumerCallsPerDay, start, end);
    if (channelOf(p.thread) === 'messenger') for (const at of calls) plan.push({ at, kind: 'consumer_call', persona });
  });
  if (config.faults === 'meta') {
    for (const at of poisson(rng, 1.5 * Math.max(1, config.threads / 250), start, end)) {
      const f = graphFaults[rng.int(0, graphFaults.length - 1)]!;
      plan.push({ at, kind: 'graph_fault', endpoint: f.endpoint, fault: f.fault });
    }
    const { pages, numbers } = simulatedAccounts(config.threads, config.channel);
    for (const pageId of [...pages, ...numbers]) {
      for (const at of poisson(rng, 0.3, start, end)) plan.push({ at, kind: 'throttle', pageId, minutes: rng.int(10, 90) });
    }
  }
  // Calling switched off for a while: a Messenger Page's (a run on WhatsApp alone has none).
  const { pages } = simulatedAccounts(config.threads, config.channel);
  if (pages.length > 0) {
    const off = pages[rng.int(0, pages.length - 1)]!;
    const from = start + Math.floor(rng.between(0, Math.max(0, config.days - 1) * DAY));
    plan.push({ at: from, kind: 'page_calling', pageId: off, enabled: false });
    plan.push({ at: Math.min(end, from + Math.floor(rng.between(DAY, 2 * DAY))), kind: 'page_calling', pageId: off, enabled: true });
  }
  return plan
    .map((a, seq) => ({ a, seq }))
    .sort((x, y) => x.a.at - y.a.at || x.seq - y.seq)
    .map(({ a }) => a);
};
