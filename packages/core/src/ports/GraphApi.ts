import type { RemotePermission } from '../remotePermission.js';
import type { Result } from '../result.js';
import type { Thread } from '../thread.js';

/**
 * What the caller should do about a failed Graph call. Adapters map Meta's error
 * codes and transport faults onto these.
 */
export type GraphFailureKind =
  | 'throttled' // wait (see retryAfterMs) and try again
  | 'request_limit' // the opt-in quota of this thread is used up at Meta (613 on the opt-in): never retried
  | 'auth' // the access token is invalid or expired: get a new one
  | 'permission' // the app or Page lacks a permission or a role
  | 'outside_window' // the person has not written in the last 24 h
  | 'person_unavailable' // the person cannot be messaged (blocked, deactivated)
  | 'invalid' // a bad parameter: wrong Page id or PSID
  | 'calling_not_enabled' // calling is off or not allowed for this Page
  | 'transient' // a passing fault on Meta's side or in transport
  | 'unknown';

/**
 * A failed Graph call, as a value. Adapter error classes implement this shape.
 *
 * @example
 * const f: GraphFailure = { kind: 'outside_window', code: 10, subcode: 2018278, processed: 'no', message: 'Outside the 24 h window' };
 */
export interface GraphFailure {
  readonly kind: GraphFailureKind;
  /** Meta's error code and subcode, when Meta answered. */
  readonly code?: number | undefined;
  readonly subcode?: number | undefined;
  /**
   * Whether Meta acted on the request: `no` when the failure proves it did not
   * (an error answer, a refused connection), `unknown` when it cannot tell
   * (a timeout, a 5xx, a dropped connection after sending).
   */
  readonly processed: 'no' | 'unknown';
  /** For throttling: how long to wait, when Meta said. */
  readonly retryAfterMs?: number | undefined;
  readonly message: string;
}

/** Meta's acknowledgement of an opt-in. */
export interface SentOptIn {
  readonly messageId: string;
}

/**
 * Whether calling is on for a Page: `POST /{page-id}/business_messaging_feature_status`
 * for `messenger_api_calling` (facts §1.1). `status` is Meta's word as sent
 * (`enabled`, `ENABLED`, or anything else); `enabled` compares it case-insensitively.
 */
export interface PageCallingStatus {
  readonly enabled: boolean;
  readonly status: string;
}

/**
 * The Graph API as callperm needs it. `@callperm/adapters` implements it on got;
 * `@callperm/testing` has a fake. Methods resolve to results and never reject for
 * an answer from Meta.
 *
 * @example
 * const graph: GraphApi = {
 *   checkPermission: async () => ({ ok: false, error: { kind: 'transient', processed: 'no', message: 'offline' } }),
 *   sendPermissionRequest: async () => ({ ok: true, value: { messageId: 'm_1' } }),
 *   checkPageCalling: async () => ({ ok: true, value: { enabled: true, status: 'enabled' } }),
 * };
 */
export interface GraphApi {
  /** `GET /{page-id}/messenger_call_permissions?psid=`. */
  checkPermission(thread: Thread): Promise<Result<RemotePermission, GraphFailure>>;
  /** `POST /{page-id}/messages` with the `calling_optin` template. Never retried blindly. */
  sendPermissionRequest(thread: Thread): Promise<Result<SentOptIn, GraphFailure>>;
  /** `POST /{page-id}/business_messaging_feature_status` for `messenger_api_calling`: may this Page call at all. */
  checkPageCalling(pageId: string): Promise<Result<PageCallingStatus, GraphFailure>>;
}
