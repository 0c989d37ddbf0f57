import { addRefusals, noRefusals, refusedTotal, type RefusalCounts } from '@callperm/core';
import type { WebhookResponse } from './WebhookRequest.js';

/**
 * Every way the receiver refuses a request, with its HTTP status. Meta retries
 * anything that is not a 2xx, so only a fault on our side (5xx) invites a retry
 * that may succeed; bad input is a 4xx.
 *
 * @example
 * webhookRefusals.payload_too_large; // 413
 */
export const webhookRefusals = {
  /** A `path` was configured and the request is for another one. */
  not_found: 404,
  /** Only GET (the handshake) and POST (events) are served. */
  method_not_allowed: 405,
  /** The handshake's mode or verify token did not match. */
  handshake_refused: 403,
  /** POST bodies must be `application/json`. */
  unsupported_media_type: 415,
  /** The body is over `maxBodyBytes`. */
  payload_too_large: 413,
  /** The body was not all there within `bodyTimeoutMs`: dropped, and the connection closed. */
  body_timeout: 408,
  /** `maxPendingBodies` bodies are already being read: refused before reading, with `Retry-After` (Meta retries). */
  too_many_pending_bodies: 503,
  /** The client went away mid-body: nothing is written (499 is never sent) and it is no fault. */
  client_aborted: 499,
  /** No `X-Hub-Signature-256` header. */
  missing_signature: 401,
  /** The signature is malformed or made with none of the app secrets. */
  invalid_signature: 401,
  /** Signed, but not JSON. */
  invalid_json: 400,
  /**
   * Signed JSON that is not a Page webhook (`{object: "page", entry: [...]}`) nor
   * another product's (a plain `object` name); or another product's body when
   * `refuseOtherObjects` is set (by default it is answered 200 and ignored).
   */
  not_a_page_webhook: 400,
  /** The store failed before the events were applied or recorded: Meta will retry. */
  store_unavailable: 503,
  /** The framework consumed the body before the receiver could read its raw bytes (mount it before body parsers). */
  raw_body_unavailable: 500,
  /** A fault in the receiver itself (reported through `onError`). */
  internal_error: 500,
} as const;

/** A typed refusal reason: what tests and logs read. */
export type WebhookRefusalReason = keyof typeof webhookRefusals;

/**
 * The response for a refusal: its status and `{"reason": "..."}` as JSON.
 *
 * @example
 * refuse('invalid_signature'); // { status: 401, body: '{"reason":"invalid_signature"}', reason: 'invalid_signature', ... }
 */
export const refuse = (reason: WebhookRefusalReason, headers: Readonly<Record<string, string>> = {}): WebhookResponse => ({
  status: webhookRefusals[reason],
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify({ reason }),
  reason,
});

/**
 * The 200 of a delivery some of whose items were refused (hostile or malformed
 * ids, implausible instants, past the per-delivery caps): the rest was applied,
 * and a retry of the same body would be refused the same way, so Meta is answered
 * 200 and does not retry garbage for hours (or unsubscribe the app). `refused`
 * counts them by reason, for logs and tests; it is not sent to Meta. A body of
 * another Meta product, ignored whole, carries its `object` in `ignoredObject`.
 */
export type ReceivedResponse = WebhookResponse & { readonly refused: RefusalCounts; readonly ignoredObject?: string };

const RECEIVED_HEADERS = { 'content-type': 'text/plain; charset=utf-8' } as const;

/**
 * The 200 answer of a delivery, with what its decoding and its `ingest` refused
 * (the `ingest` part is absent when the delivery was deferred to the inbox).
 *
 * @example
 * received(decoded.refused, report.refused).refused.id_malformed; // decode + ingest counts
 */
export const received = (decoded: RefusalCounts, ingested?: RefusalCounts): ReceivedResponse => {
  const refused = ingested === undefined || refusedTotal(ingested) === 0 ? decoded : addRefusals(decoded, ingested);
  return { status: 200, headers: RECEIVED_HEADERS, body: 'EVENT_RECEIVED', reason: null, refused };
};

/**
 * The 200 answer of a signed body of another Meta product sharing the callback
 * URL (`object` is e.g. `instagram`): nothing in it was applied, nothing refused,
 * and `ignoredObject` names it, for logs and tests; it is not sent to Meta.
 *
 * @example
 * ignoredObject('instagram').ignoredObject; // 'instagram'
 */
export const ignoredObject = (object: string): ReceivedResponse => ({
  status: 200, headers: RECEIVED_HEADERS, body: 'EVENT_RECEIVED', reason: null, refused: noRefusals, ignoredObject: object,
});
