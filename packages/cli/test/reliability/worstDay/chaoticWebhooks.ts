import type { Clock, Instant } from '@callperm/core';
import { DeliveryQueue, metaRetryDelaysMs, type DeliveryAttempt, type DeliveryFaults } from '@callperm/testing';
import type { SeededRandom } from '../../../src/simulate/seededRandom.js';

/** One delivery handed to Meta's webhook machinery: which profile carried it, and its number there. */
export interface Posted {
  readonly profile: number;
  readonly delivery: number;
}

const FAILURES = [1, 2, 3, 4, 5, 6, 7];

/** How deliveries misbehave, one profile per delivery: clean, duplicated and reordered, or failing for up to an hour. */
const PROFILES: readonly (readonly [weight: number, faults: DeliveryFaults])[] = [
  [0.35, {}],
  [0.2, { duplicates: 2, reverse: true }],
  // Meta's retries of a delivery whose answer is lost (processed every time) or whose request is lost (late, out of order):
  // 1 to 7 failures; after 7 the last retry comes 52.5 minutes after the first try (`metaRetryDelaysMs`).
  ...FAILURES.map((attempts) => [0.225 / FAILURES.length, { lose: { attempts, where: 'response' } }] as const),
  ...FAILURES.map((attempts) => [0.225 / FAILURES.length, { lose: { attempts, where: 'request' }, reverse: true }] as const),
];

const acknowledged = (a: DeliveryAttempt): boolean => {
  const { outcome } = a;
  const status = outcome.status === 'lost_response' ? outcome.host : outcome.status;
  return typeof status === 'number' && status >= 200 && status < 300;
};

/**
 * Meta's webhook delivery on its worst day: each delivery (signed, to the host's
 * receiver) gets a seeded profile among {@link PROFILES}: delivered once, three
 * times newest first, or failing 1 to 7 times (answer lost after the host applied
 * it, or request lost) and retried on Meta's schedule for up to an hour of virtual
 * time, overtaken by later deliveries meanwhile. Meta gives up only after 8 failed
 * tries: no delivery is dropped.
 *
 * @example
 * const hooks = new ChaoticWebhooks(clock, `${host}/webhook`, secret, rng);
 * const posted = hooks.deliver(body, clock.now());
 * await hooks.settle();
 * hooks.firstApplied(posted); // when the host first acknowledged it
 */
export class ChaoticWebhooks {
  readonly #queues: DeliveryQueue[];

  constructor(clock: Clock, url: string, secret: string, private readonly rng: SeededRandom) {
    this.#queues = PROFILES.map(([, faults]) => new DeliveryQueue(clock, url, secret, faults));
  }

  /** Hands one body to a profile picked by weight. */
  deliver(body: unknown, at: Instant): Posted {
    let roll = this.rng.next();
    let profile = PROFILES.findIndex(([w]) => (roll -= w) < 0);
    if (profile < 0) profile = 0;
    return { profile, delivery: this.#queues[profile]!.deliver(body, at) };
  }

  /** Resolves once every delivery and retry due now has been posted. */
  async settle(): Promise<void> {
    for (const q of this.#queues) await q.settle();
  }

  /** Deliveries and retries not yet due. */
  get pending(): number {
    return this.#queues.reduce((n, q) => n + q.pending, 0);
  }

  /** When the host first acknowledged (2xx, even if Meta lost the answer) this delivery, or null. */
  firstApplied(p: Posted): Instant | null {
    const hits = this.#queues[p.profile]!.attempts.filter((a) => a.delivery === p.delivery && acknowledged(a));
    return hits.length === 0 ? null : Math.min(...hits.map((a) => a.at));
  }

  /** Every POST made, with its profile. */
  get attempts(): readonly (DeliveryAttempt & { readonly profile: number })[] {
    return this.#queues.flatMap((q, profile) => q.attempts.map((a) => ({ ...a, profile })));
  }

  /** Deliveries Meta gave up on (none expected: no profile fails past its hour). */
  get dropped(): number {
    return this.#queues.reduce((n, q) => n + q.dropped.length, 0);
  }

  /** Tally of what the posts met: acknowledged, lost requests, lost answers, host errors. */
  tally(): Record<string, number> {
    const out: Record<string, number> = { posts: 0, acknowledged: 0, lost_request: 0, lost_response: 0, host_error: 0, retries: 0 };
    for (const a of this.attempts) {
      out.posts! += 1;
      if (a.attempt > 1) out.retries! += 1;
      if (a.outcome.status === 'lost_request' || a.outcome.status === 'lost_response') out[a.outcome.status]! += 1;
      if (acknowledged(a)) out.acknowledged! += 1;
      else if (a.outcome.status !== 'lost_request' && a.outcome.status !== 'lost_response') out.host_error! += 1;
    }
    return out;
  }

  /** The longest a delivery takes here from its first try to its last (52.5 minutes). */
  static readonly retryHorizonMs = metaRetryDelaysMs.slice(0, Math.max(...FAILURES)).reduce((a, b) => a + b, 0);
}
