import type { MetaErrorBody } from './fakeMetaErrors.js';

/**
 * The fake's endpoints, for fault injection and for the request log. `connect` is
 * `POST /{page-id}/calls` with `action: connect`; `call_action` the same edge with
 * any other action (terminate, accept, reject); `call_settings` is
 * `GET /{page-id}/messenger_call_settings`.
 */
export type FakeEndpoint = 'check' | 'send' | 'feature_status' | 'batch' | 'connect' | 'call_action' | 'call_settings';

/**
 * A fault the fake applies to one request. With `after: true` the fake first does
 * the work (records the opt-in, places the call) and then fails: the client cannot
 * tell it was done.
 * - `status`: an HTTP error status (5xx) with an optional raw body.
 * - `reset`: the connection is destroyed without an answer.
 * - `hang`: no answer at all until the client gives up (set a short client timeout).
 * - `malformed`: 200 with a body that is not JSON.
 * - `delay`: a real delay in ms before a normal answer.
 * - `error`: a Meta error body (the work is not done).
 * - `nulls`: batch only: the last `count` items come back `null`, as on a Meta timeout.
 */
export type FakeFault =
  | { readonly kind: 'status'; readonly status: number; readonly body?: string; readonly after?: boolean }
  | { readonly kind: 'reset'; readonly after?: boolean }
  | { readonly kind: 'hang'; readonly after?: boolean }
  | { readonly kind: 'malformed'; readonly after?: boolean }
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'error'; readonly body: MetaErrorBody; readonly status?: number }
  | { readonly kind: 'nulls'; readonly count: number };

/**
 * Faults queued per endpoint, each used by exactly one request, in order.
 *
 * @example
 * plan.inject('send', { kind: 'reset', after: true }, { kind: 'status', status: 503 });
 * plan.next('send'); // the reset
 */
export class FaultPlan {
  readonly #queues = new Map<FakeEndpoint, FakeFault[]>();

  inject(endpoint: FakeEndpoint, ...faults: readonly FakeFault[]): void {
    const q = this.#queues.get(endpoint) ?? [];
    q.push(...faults);
    this.#queues.set(endpoint, q);
  }

  /** The fault for the next request to `endpoint`, if one is queued. */
  next(endpoint: FakeEndpoint): FakeFault | undefined {
    return this.#queues.get(endpoint)?.shift();
  }

  /** How many faults are still waiting for `endpoint`. */
  pending(endpoint: FakeEndpoint): number {
    return this.#queues.get(endpoint)?.length ?? 0;
  }

  clear(): void {
    this.#queues.clear();
  }
}
