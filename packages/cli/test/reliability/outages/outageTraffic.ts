import { setTimeout as delay } from 'node:timers/promises';
import type { Instant, Thread } from '@callperm/core';
import { inboundMessageEntry, metaSeconds, pageWebhook, permissionReplyEntry, signWebhook, type FakeGraphApi } from '@callperm/testing';
import type { SeededRandom } from '../../../src/simulate/seededRandom.js';
import { rawRequest } from '../../support/rawRequest.js';

/** Meta gives up on an answer after 5 s; so does the simulated Meta (and the operator's client). */
const ANSWER_WITHIN_MS = 5_000;
/** The pause before the simulated Meta (or the operator) tries a refused exchange again. */
const RETRY_PAUSE_MS = 100;
/** The pause between two status reads of one reader. */
const READ_PAUSE_MS = 40;
const DAY_MS = 86_400_000;

/** One HTTP exchange with a host: a webhook POST by the simulated Meta, or a JSON API call by the operator. */
export interface Attempt {
  readonly kind: 'webhook' | 'api';
  /** `inbound`, `reply` (webhooks), `status`, `request` (API). */
  readonly what: 'inbound' | 'reply' | 'status' | 'request';
  readonly host: number;
  /** performance.now() when it was sent and when it was answered (or given up). */
  readonly sentAt: number;
  readonly answeredAt: number;
  /** The HTTP status, or `no_answer` (a connection error, or no answer within 5 s). */
  readonly status: number | 'no_answer';
  /** The API's `error` or the webhook refusal's `reason`, when the body has one. */
  readonly code: string | null;
  /** A webhook's delivery number and try (1 = first). */
  readonly delivery?: { readonly n: number; readonly try: number };
}

/** A webhook delivery: posted until a host acknowledges it with a 2xx. */
export interface Delivery {
  readonly n: number;
  readonly what: 'inbound' | 'reply';
  readonly thread: Thread;
  readonly body: string;
  /** For a reply: the expiry it carries. */
  readonly expiresAt: Instant | null;
  /** performance.now() of the 2xx, or null while none came. */
  ackedAt: number | null;
  tries: number;
}

/**
 * What one thread goes through: `ask` (the person writes, the operator asks for
 * permission over the API, the person approves the opt-in Meta delivered),
 * `reply` (an approval Meta delivers unprompted) or `inbound` (the person writes).
 */
export interface Flow {
  readonly kind: 'ask' | 'reply' | 'inbound';
  readonly thread: Thread;
  readonly deliveries: Delivery[];
  /** For `ask`: how the request ended (200 sent, or 409 with its reason after a retry), and whether Meta got an opt-in. */
  request: { readonly status: 200 | 409; readonly reason: string | null; readonly optIn: boolean } | null;
  done: boolean;
}

/** Options of {@link OutageTraffic}. */
export interface OutageTrafficOptions {
  readonly hosts: readonly string[];
  readonly appSecret: string;
  readonly apiToken: string;
  readonly fake: FakeGraphApi;
  readonly random: SeededRandom;
  /** A flow step that is still refused this long after it began fails the run. */
  readonly stepDeadlineMs: number;
  /** Thread ids start here (one Page per thread, so no Page's rate limit is met). */
  readonly firstId: number;
}

/** The answer's `error` (API) or `reason` (webhook refusal), if its body is JSON with one. */
const codeOf = (body: string): string | null => {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; reason?: unknown };
    const code = parsed.error ?? parsed.reason;
    return typeof code === 'string' ? code : null;
  } catch {
    return null;
  }
};

const ok = (status: number | 'no_answer'): boolean => typeof status === 'number' && status >= 200 && status < 300;

/**
 * Traffic against running `serve` hosts that keeps flowing through a store
 * outage: workers run {@link Flow}s one after another, each step retried (with a
 * short pause) until a host accepts it, the way Meta retries a refused webhook
 * and an operator retries a 503; readers poll thread status. Every exchange is
 * recorded as an {@link Attempt} with its instants, so a test can tell which
 * answers came while the store was down.
 *
 * @example
 * const traffic = new OutageTraffic({ hosts, appSecret, apiToken, fake, random, stepDeadlineMs: 60_000, firstId: 1 });
 * traffic.run(4, 2);
 * await traffic.stop();
 */
export class OutageTraffic {
  readonly attempts: Attempt[] = [];
  readonly flows: Flow[] = [];
  readonly deliveries: Delivery[] = [];
  /** Failures of the traffic itself (a step refused past its deadline, an answer no rule allows). */
  readonly failures: string[] = [];
  #running = false;
  #work: Promise<void>[] = [];
  #nextId: number;

  constructor(private readonly options: OutageTrafficOptions) {
    this.#nextId = options.firstId;
  }

  /** Flows finished so far. */
  get finished(): number {
    return this.flows.filter((f) => f.done).length;
  }

  /** Starts `workers` flow workers (at least 2) and `readers` status readers; they run until {@link stop}. */
  run(workers: number, readers: number): void {
    this.#running = true;
    // Even workers ask for permission, odd ones only carry Meta's deliveries: webhooks keep coming while every asker waits on a 503.
    for (let w = 0; w < workers; w += 1) this.#work.push(this.#worker(w % 2 === 0));
    for (let r = 0; r < readers; r += 1) this.#work.push(this.#reader(r));
  }

  /** No new flow starts; resolves once the flows under way have finished (or failed). */
  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#work);
  }

  async #worker(asks: boolean): Promise<void> {
    const { random } = this.options;
    while (this.#running) {
      const flow: Flow = {
        kind: asks ? 'ask' : random.chance(0.6) ? 'reply' : 'inbound',
        thread: this.#newThread(), deliveries: [], request: null, done: false,
      };
      this.flows.push(flow);
      try {
        await this.#runFlow(flow);
        flow.done = true;
      } catch (e) {
        this.failures.push(`${flow.kind} ${flow.thread.pageId}/${flow.thread.psid}: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
    }
  }

  #newThread(): Thread {
    const id = (this.#nextId += 1);
    return { pageId: String(7_000_000_000 + id), psid: String(9_000_000_000 + id) };
  }

  async #runFlow(flow: Flow): Promise<void> {
    const { thread } = flow;
    const now = Date.now();
    if (flow.kind === 'reply') return this.#deliver(flow, 'reply', this.#replyBody(thread, now, this.#expiry(now)));
    this.options.fake.inbound(thread, now); // the person wrote: Meta's window opens, and Meta tells the host
    await this.#deliver(flow, 'inbound', JSON.stringify(pageWebhook([inboundMessageEntry({ ...thread, at: now, text: 'hi' })])));
    if (flow.kind === 'inbound') return;
    const asked = await this.#request(thread);
    const optIn = this.options.fake.optIns.findLast((o) => o.thread.pageId === thread.pageId && o.thread.psid === thread.psid);
    flow.request = { ...asked, optIn: optIn !== undefined };
    if (optIn === undefined) return; // reserved, but the send never reached Meta (a store fault between the two)
    // Meta's reply carries whole seconds: the person answers in a later second than the opt-in's (see the report on same-second replies).
    const at = (Math.floor(optIn.at / 1000) + 1) * 1000;
    const expiresAt = this.#expiry(at);
    this.options.fake.reply(thread, { response: 'approve', at, optInMessageId: optIn.messageId, expiresAt });
    await this.#deliver(flow, 'reply', this.#replyBody(thread, at, expiresAt));
  }

  /** A week and a random number of minutes from `at`, in Meta's whole seconds: each reply's expiry tells it apart. */
  #expiry(at: Instant): Instant {
    return metaSeconds(at + 7 * DAY_MS + this.options.random.int(1, 10_000) * 60_000) * 1000;
  }

  #replyBody(thread: Thread, at: Instant, expiresAt: Instant): string {
    return JSON.stringify(pageWebhook([permissionReplyEntry({ ...thread, at, response: 'approve', expiresAt })]));
  }

  /** Posts a delivery to the hosts in turn until one answers 2xx. */
  async #deliver(flow: Flow, what: Delivery['what'], body: string): Promise<void> {
    const delivery: Delivery = {
      n: this.deliveries.length + 1, what, thread: flow.thread, body, ackedAt: null, tries: 0,
      expiresAt: what === 'reply' ? this.#expiryOf(body) : null,
    };
    this.deliveries.push(delivery);
    flow.deliveries.push(delivery);
    const signature = signWebhook(this.options.appSecret, body);
    await this.#untilAccepted(`delivery ${delivery.n} (${what})`, async () => {
      const host = (delivery.n + delivery.tries) % this.options.hosts.length;
      delivery.tries += 1;
      const a = await this.#exchange('webhook', what, host, {
        method: 'POST', path: '/webhook', body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
      }, { n: delivery.n, try: delivery.tries });
      if (ok(a.status)) delivery.ackedAt = a.answeredAt;
      return ok(a.status);
    });
  }

  #expiryOf(body: string): Instant {
    const parsed = JSON.parse(body) as { entry: { call_permission_reply: { expiration_timestamp: string } }[] };
    return Number(parsed.entry[0]!.call_permission_reply.expiration_timestamp) * 1000;
  }

  /** Asks for permission over the API until a host answers 200 (sent) or 409 (refused: a reservation already stands). */
  async #request(thread: Thread): Promise<{ readonly status: 200 | 409; readonly reason: string | null }> {
    let outcome: { status: 200 | 409; reason: string | null } | null = null;
    let tries = 0;
    await this.#untilAccepted(`request ${thread.pageId}/${thread.psid}`, async () => {
      const host = (tries += 1) % this.options.hosts.length;
      const a = await this.#exchange('api', 'request', host, { method: 'POST', path: `/threads/${thread.pageId}/${thread.psid}/request`, body: '{}' });
      if (a.status === 200 || a.status === 409) outcome = { status: a.status, reason: a.code };
      return outcome !== null;
    });
    return outcome!;
  }

  /** Reads the status of recent threads, over and over. */
  async #reader(index: number): Promise<void> {
    let host = index;
    while (this.#running) {
      const flow = this.flows[this.options.random.int(Math.max(0, this.flows.length - 20), Math.max(0, this.flows.length - 1))];
      if (flow !== undefined) {
        host = (host + 1) % this.options.hosts.length;
        await this.#exchange('api', 'status', host, { method: 'GET', path: `/threads/${flow.thread.pageId}/${flow.thread.psid}` });
      }
      await delay(READ_PAUSE_MS);
    }
  }

  async #untilAccepted(what: string, attempt: () => Promise<boolean>): Promise<void> {
    const deadline = performance.now() + this.options.stepDeadlineMs;
    while (!(await attempt())) {
      if (performance.now() > deadline) throw new Error(`${what} still refused after ${this.options.stepDeadlineMs} ms`);
      await delay(RETRY_PAUSE_MS);
    }
  }

  async #exchange(kind: Attempt['kind'], what: Attempt['what'], host: number, request: {
    readonly method: string; readonly path: string; readonly body?: string; readonly headers?: Record<string, string>;
  }, delivery?: Attempt['delivery']): Promise<Attempt> {
    const headers = kind === 'api'
      ? { authorization: `Bearer ${this.options.apiToken}`, ...(request.method === 'POST' ? { 'content-type': 'application/json' } : {}) }
      : request.headers ?? {};
    const sentAt = performance.now();
    let status: Attempt['status'] = 'no_answer';
    let code: string | null = null;
    try {
      const answer = await rawRequest(this.options.hosts[host]!, { ...request, headers, timeoutMs: ANSWER_WITHIN_MS });
      status = answer.status;
      code = codeOf(answer.body);
    } catch {
      // no answer within Meta's 5 s, or the connection failed
    }
    const a: Attempt = { kind, what, host, sentAt, answeredAt: performance.now(), status, code, ...(delivery ? { delivery } : {}) };
    this.attempts.push(a);
    return a;
  }
}
