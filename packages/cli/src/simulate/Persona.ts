import type { Thread } from '@callperm/core';
import { HOUR, MINUTE, type ChannelMode } from './SimulationConfig.js';
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

/** The simulated WhatsApp business phone-number ids: one number per 250 WhatsApp threads. */
export const simulatedNumbers = (threads: number): string[] =>
  Array.from({ length: Math.max(1, Math.ceil(threads / 250)) }, (_, i) => String(106_540_000_000_001 + i));

/** The channel of persona `index` under `mode`: in `both`, even indexes are on Messenger and odd ones on WhatsApp. */
export const personaChannel = (index: number, mode: ChannelMode): 'messenger' | 'whatsapp' =>
  mode === 'messenger' ? 'messenger' : mode === 'whatsapp' ? 'whatsapp' : index % 2 === 0 ? 'messenger' : 'whatsapp';

/** How many of `threads` personas each channel gets under `mode`. */
const channelCounts = (threads: number, mode: ChannelMode): { readonly messenger: number; readonly whatsapp: number } => {
  const messenger = mode === 'messenger' ? threads : mode === 'whatsapp' ? 0 : Math.ceil(threads / 2);
  return { messenger, whatsapp: threads - messenger };
};

/**
 * The Pages (Messenger) and business phone numbers (WhatsApp) a run's threads are
 * spread over; a channel with no persona has none. With `messenger`, the Pages are
 * `simulatedPages(threads)`, as before WhatsApp existed.
 *
 * @example
 * simulatedAccounts(1000, 'both'); // { pages: ['1000001', '1000002'], numbers: ['106540000000001', '106540000000002'] }
 */
export const simulatedAccounts = (threads: number, mode: ChannelMode = 'messenger'): { readonly pages: string[]; readonly numbers: string[] } => {
  const n = channelCounts(threads, mode);
  return { pages: n.messenger > 0 ? simulatedPages(n.messenger) : [], numbers: n.whatsapp > 0 ? simulatedNumbers(n.whatsapp) : [] };
};

/** The thread of persona `index` under `mode`: a Messenger PSID on a Page, or a WhatsApp wa_id (E.164 digits) on a business number. */
const threadOf = (index: number, mode: ChannelMode, accounts: { readonly pages: readonly string[]; readonly numbers: readonly string[] }): Thread => {
  // The index among the personas of the same channel.
  const j = mode === 'both' ? Math.floor(index / 2) : index;
  if (personaChannel(index, mode) === 'messenger') return { pageId: accounts.pages[j % accounts.pages.length]!, psid: String(2_000_000_000 + j) };
  return { channel: 'whatsapp', pageId: accounts.numbers[j % accounts.numbers.length]!, psid: `49151${String(j).padStart(8, '0')}` };
};

/**
 * Draws `count` consumers from the seed: their threads spread over the Pages,
 * their habits (chatty or quiet, quick to answer or not, likely to approve) and a
 * private random stream each. `channel` puts them on Messenger (default), WhatsApp,
 * or both; the habits drawn do not depend on it.
 *
 * @example
 * const people = createPersonas(seededRandom(7), 1000);
 * people[0]!.thread; // { pageId: '1000001', psid: '2000000000' }
 * createPersonas(seededRandom(7), 1000, 'whatsapp')[0]!.thread; // { channel: 'whatsapp', pageId: '106540000000001', psid: '4915100000000' }
 */
export const createPersonas = (rng: SeededRandom, count: number, channel: ChannelMode = 'messenger'): Persona[] => {
  const accounts = simulatedAccounts(count, channel);
  return Array.from({ length: count }, (_, i) => {
    const approve = rng.between(0.35, 0.85);
    const fast = rng.chance(0.5);
    return {
      thread: threadOf(i, channel, accounts),
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
