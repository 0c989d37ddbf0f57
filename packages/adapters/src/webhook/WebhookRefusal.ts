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
  /** No `X-Hub-Signature-256` header. */
  missing_signature: 401,
  /** The signature is malformed or made with none of the app secrets. */
  invalid_signature: 401,
  /** Signed, but not JSON. */
  invalid_json: 400,
  /** Signed JSON that is not a Page webhook (`{object: "page", entry: [...]}`). */
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
