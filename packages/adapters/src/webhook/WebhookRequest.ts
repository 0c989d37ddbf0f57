import type { WebhookRefusalReason } from './WebhookRefusal.js';

/**
 * The body of a request as a face could read it: the raw bytes, or why not —
 * `too_large` (over the limit), `timed_out` (not all there within `bodyTimeoutMs`:
 * the face stopped reading and dropped what it had), `aborted` (the client went away).
 */
export type RawBody = Uint8Array | 'too_large' | 'timed_out' | 'aborted';

/**
 * The receiver's body read timer, one for all requests: `add(late)` calls `late`
 * once `bodyTimeoutMs` have passed unless the returned deadline is cancelled first.
 * Faces start it when they begin reading a body and cancel it when the body is in.
 *
 * @example
 * const deadline = timer.add(() => { stream.destroy(); resolve('timed_out'); });
 * stream.once('end', () => deadline.cancel());
 */
export interface BodyTimer {
  add(late: () => void): { cancel(): void };
}

/**
 * A request as the framework-neutral webhook core sees it. Each face (node:http,
 * Fetch, Express, Fastify) builds one of these; the body is read only when the
 * core asks, after the method and content type have passed, and never past `limit`.
 *
 * @example
 * const req: WebhookRequest = {
 *   method: 'POST', url: '/webhook',
 *   header: (name) => headers[name],
 *   readBody: async () => new TextEncoder().encode('{"object":"page","entry":[]}'),
 * };
 */
export interface WebhookRequest {
  readonly method: string;
  /** Path and query, e.g. `/webhook?hub.mode=subscribe&...`. */
  readonly url: string;
  /** A header by its lower-case name; the first value when sent several times. */
  header(name: string): string | undefined;
  /**
   * Reads the raw body: at most `limit` bytes, or `'too_large'`; a face that reads
   * from the network gives up at `timer`'s deadline with `'timed_out'`.
   */
  readBody(limit: number, timer: BodyTimer): Promise<RawBody>;
}

/**
 * What the core answers: a status, headers, a text body, and the typed reason of
 * a refusal (null for a 200) so faces, logs and tests need not parse the body.
 *
 * @example
 * const res: WebhookResponse = { status: 200, headers: { 'content-type': 'text/plain' }, body: 'EVENT_RECEIVED', reason: null };
 */
export interface WebhookResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly reason: WebhookRefusalReason | null;
}
