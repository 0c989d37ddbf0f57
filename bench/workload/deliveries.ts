import { inboundMessageEntry, pageWebhook, permissionReplyEntry, signWebhook } from '../../packages/testing/src/webhooks/index.js';
import type { Instant, Thread } from '../../packages/core/src/internals.js';
import { random } from './random.js';

/** One signed POST as Meta sends it. */
export interface Delivery {
  readonly body: Uint8Array;
  readonly signature: string;
  /** How many events it carries (a retry carries the same events again). */
  readonly events: number;
}

export const APP_SECRET = 'bench-app-secret-0123456789abcdef';
export const PAGES = 50;
const pageIdOf = (p: number): string => String(100_000_000_000_000 + p * 7919);
const psidOf = (i: number): string => String(7_000_000_000_000_000 + i * 104_729);

/**
 * The thread a bench's thread index stands for (50 Pages share the PSIDs).
 *
 * @example
 * benchThread(3); // { pageId: '100000000023757', psid: '7000000000314187' }
 */
export const benchThread = (i: number): Thread => ({ pageId: pageIdOf(i % PAGES), psid: psidOf(i) });

/**
 * `count` deliveries over `threads` threads starting at `t0`: mostly messages
 * (they open the window), permission replies in Meta's three envelopes, a few
 * carrying two entries, and ~8% retries of an earlier delivery byte for byte.
 *
 * @example
 * const ds = deliveries(10_000, 1_000, T0);
 */
export const deliveries = (count: number, threads: number, t0: Instant, seed = 3): Delivery[] => {
  const rnd = random(seed);
  const enc = new TextEncoder();
  const out: Delivery[] = [];
  let at = t0;
  const entry = (): unknown => {
    const t = benchThread(rnd.int(threads));
    at += 1 + rnd.int(2000);
    const roll = rnd.next();
    if (roll < 0.6) return inboundMessageEntry({ pageId: t.pageId, psid: t.psid, at, text: 'Hi, can you call me about my order?' });
    return permissionReplyEntry({
      pageId: t.pageId, psid: t.psid, at: at - rnd.int(60_000), response: roll < 0.85 ? 'approve' : 'reject',
      shape: rnd.pick(['entry', 'messaging', 'changes'] as const),
    });
  };
  while (out.length < count) {
    if (out.length > 10 && rnd.chance(0.08)) {
      out.push(rnd.pick(out));
      continue;
    }
    const entries = rnd.chance(0.15) ? [entry(), entry()] : [entry()];
    const text = JSON.stringify(pageWebhook(entries));
    out.push({ body: enc.encode(text), signature: signWebhook(APP_SECRET, text), events: entries.length });
  }
  return out;
};
