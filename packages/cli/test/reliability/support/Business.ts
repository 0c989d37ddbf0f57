import { threadKey, type Thread } from '@callperm/core';
import type { FakeGraphApi } from '@callperm/testing';
import type { RequestCallRecord } from '../../../src/simulate/checkInvariants.js';

/** What one ask came back with: the HTTP status, or `failed` when no answer came (the host died). */
export type AskOutcome = number | 'failed';

/** One ask's answer: its outcome, and the refusal's `reason` when the API gave one (e.g. `already_permitted`). */
export interface Ask {
  readonly outcome: AskOutcome;
  readonly reason: string | null;
}

/** The `reason` of a JSON answer, or null. */
const reasonOf = (text: string): string | null => {
  try {
    const reason = (JSON.parse(text) as { reason?: unknown }).reason;
    return typeof reason === 'string' ? reason : null;
  } catch {
    return null;
  }
};

/**
 * The business on the other side of serve's JSON API: it asks for permission
 * (`POST /threads/:page/:psid/request`) again and again until a host says the
 * thread is already permitted, like a business that keeps asking. Every ask is
 * logged with the fake Meta's record numbers around it (`requestCalls`), so the
 * invariant checks can tell which reservation each send Meta saw belongs to.
 *
 * @example
 * const business = new Business(lb.url, API_TOKEN, fake);
 * await business.ask(thread); // { outcome: 409, reason: 'already_permitted' }
 */
export class Business {
  readonly requestCalls: RequestCallRecord[] = [];
  /** How many asks came back with each outcome. */
  readonly outcomes = new Map<AskOutcome, number>();
  /** Threads a host answered `already_permitted` for: the business has what it wanted there and stops asking. */
  readonly settled = new Set<string>();

  constructor(private readonly base: string, private readonly token: string, private readonly fake: FakeGraphApi) {}

  #path(thread: Thread, action = ''): string {
    return `${this.base}/threads/${thread.pageId}/${thread.psid}${action}`;
  }

  /** One ask; resolves to its answer, never rejects. */
  async ask(thread: Thread): Promise<Ask> {
    const fromSeq = this.fake.lastSeq();
    const at = this.fake.clock.now();
    let answer: Ask;
    try {
      const res = await fetch(this.#path(thread, '/request'), {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      answer = { outcome: res.status, reason: reasonOf(text) };
    } catch {
      answer = { outcome: 'failed', reason: null };
    }
    this.requestCalls.push({ thread, at, fromSeq, toSeq: this.fake.lastSeq() });
    this.outcomes.set(answer.outcome, (this.outcomes.get(answer.outcome) ?? 0) + 1);
    return answer;
  }

  /**
   * Asks once for every thread not settled yet, all at once; for a thread
   * `twice(thread)` picks, a second ask races the first (a client's retry on
   * another host).
   */
  async askUnsettled(threads: readonly Thread[], twice: (thread: Thread) => boolean = () => false): Promise<void> {
    const asks = threads.filter((t) => !this.settled.has(threadKey(t))).flatMap((t) => (twice(t) ? [t, t] : [t]));
    await Promise.all(asks.map(async (t) => {
      if ((await this.ask(t)).reason === 'already_permitted') this.settled.add(threadKey(t));
    }));
  }
}
