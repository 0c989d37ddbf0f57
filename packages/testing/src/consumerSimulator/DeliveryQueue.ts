import type { Clock, Instant } from '@callperm/core';
import { postWebhook, type PostOutcome } from '../webhooks/postWebhook.js';
import { metaRetryDelaysMs, type DeliveryFaults } from './DeliveryFaults.js';

/** One POST the simulator made (or pretended to make). */
export interface DeliveryAttempt {
  readonly delivery: number;
  readonly attempt: number;
  readonly at: Instant;
  readonly outcome: PostOutcome | { readonly status: 'lost_request' | 'lost_response'; readonly host?: number };
}

interface Item {
  readonly delivery: number;
  readonly body: string;
  readonly dueAt: Instant;
  readonly seq: number;
  readonly attempt: number;
}

/** Something the simulated world does at an instant (a person taps Accept, a call ends). */
type Action = { readonly dueAt: Instant; readonly seq: number; readonly run: () => void };

/**
 * The simulator's timeline on the virtual clock: actions and webhook deliveries
 * fall due as the clock moves; due deliveries are POSTed one at a time, signed,
 * with the configured faults, and retried on failure on Meta's schedule.
 *
 * @example
 * const q = new DeliveryQueue(clock, url, secret, { duplicates: 1 });
 * q.deliver(body, clock.now());
 * await q.settle();
 */
export class DeliveryQueue {
  readonly attempts: DeliveryAttempt[] = [];
  readonly dropped: number[] = [];
  #items: Item[] = [];
  #actions: Action[] = [];
  #seq = 0;
  #deliveries = 0;
  #running: Promise<void> | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly url: string,
    private readonly secret: string,
    private readonly faults: DeliveryFaults = {},
  ) {}

  /** Runs `run` when the clock reaches `at`. */
  at(at: Instant, run: () => void): void {
    this.#actions.push({ dueAt: at, seq: (this.#seq += 1), run });
    this.kick();
  }

  /** Sends a webhook body at `at` (plus the configured delay), duplicated as configured; returns its delivery number. */
  deliver(body: unknown, at: Instant): number {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const delivery = (this.#deliveries += 1);
    const copies = 1 + Math.max(0, this.faults.duplicates ?? 0);
    for (let i = 0; i < copies; i += 1) {
      this.#items.push({ delivery, body: text, dueAt: at + (this.faults.delayMs ?? 0), seq: (this.#seq += 1), attempt: 1 });
    }
    this.kick();
    return delivery;
  }

  /** Deliveries and actions not yet due. */
  get pending(): number {
    return this.#items.length + this.#actions.length;
  }

  /** Starts working through what is due (the clock moved, or something was scheduled). */
  kick(): void {
    if (this.#running !== null) return;
    // Start on a later tick: an action run by the drain may schedule (and kick) again, and must find it running.
    const run: Promise<void> = Promise.resolve()
      .then(() => this.#drain())
      .finally(() => {
        if (this.#running === run) this.#running = null;
      });
    this.#running = run;
  }

  /** Resolves when nothing due is left to do at the current virtual instant. */
  async settle(): Promise<void> {
    for (;;) {
      this.kick();
      await this.#running;
      if (!this.#hasDue()) return;
    }
  }

  #hasDue(): boolean {
    const now = this.clock.now();
    return this.#items.some((i) => i.dueAt <= now) || this.#actions.some((a) => a.dueAt <= now);
  }

  async #drain(): Promise<void> {
    while (this.#hasDue()) {
      const now = this.clock.now();
      const actions = this.#actions.filter((a) => a.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq);
      this.#actions = this.#actions.filter((a) => a.dueAt > now);
      for (const a of actions) a.run();
      const due = this.#items.filter((i) => i.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq);
      if (this.faults.reverse === true) due.reverse();
      this.#items = this.#items.filter((i) => i.dueAt > now);
      for (const item of due) await this.#post(item);
    }
  }

  async #post(item: Item): Promise<void> {
    const at = this.clock.now();
    const lose = this.faults.lose;
    const losing = lose !== undefined && item.attempt <= lose.attempts ? lose.where : null;
    let outcome: DeliveryAttempt['outcome'];
    if (losing === 'request') {
      outcome = { status: 'lost_request' };
    } else {
      const sent = await postWebhook(this.url, this.secret, item.body);
      outcome = losing === 'response' ? { status: 'lost_response', ...(typeof sent.status === 'number' ? { host: sent.status } : {}) } : sent;
    }
    this.attempts.push({ delivery: item.delivery, attempt: item.attempt, at, outcome });
    const ok = typeof outcome.status === 'number' && outcome.status >= 200 && outcome.status < 300;
    if (ok) return;
    const delay = metaRetryDelaysMs[item.attempt - 1];
    if (delay === undefined) {
      this.dropped.push(item.delivery);
      return;
    }
    this.#items.push({ ...item, attempt: item.attempt + 1, dueAt: at + delay, seq: (this.#seq += 1) });
  }
}
