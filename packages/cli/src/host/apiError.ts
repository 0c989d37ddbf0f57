import type { ServerResponse } from 'node:http';

/** Why the JSON API refused or failed a request: the `error` field of its JSON answer. */
export type ApiErrorCode =
  | 'not_found' // no such path
  | 'api_disabled' // CALLPERM_API_TOKEN is unset: the API is off
  | 'host_not_allowed' // the Host header names no host of the allow-list (DNS rebinding)
  | 'origin_not_allowed' // the request came from a web page (an Origin header)
  | 'unauthorized' // no or a wrong `Authorization: Bearer` token
  | 'bad_thread' // the path's Page id or PSID is not a Meta id
  | 'bad_call' // the path's Page id or call id is not a Meta id
  | 'bad_body' // the JSON body is missing, not JSON, or lacks what the route needs (`{"sdp": "..."}`)
  | 'body_too_large' // the body is over the route's limit
  | 'method_not_allowed'
  | 'unsupported_media_type' // a POST without `Content-Type: application/json`
  | 'rate_limited' // too many requests or refreshes for this Page; see Retry-After
  | 'unavailable' // the store is busy, closed or down; retry (after Retry-After)
  | 'internal'; // anything else: logged by its code

/**
 * Answers `status` with `body` as one line of JSON.
 *
 * @example
 * sendJson(res, 200, { ok: true });
 */
export const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void => {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
};

/**
 * Answers a typed API error: `{"error": code}` with `status`.
 *
 * @example
 * sendApiError(res, 429, 'rate_limited', { 'retry-after': '3' });
 */
export const sendApiError = (res: ServerResponse, status: number, code: ApiErrorCode, headers: Readonly<Record<string, string>> = {}): void => {
  sendJson(res, status, { error: code }, headers);
};
