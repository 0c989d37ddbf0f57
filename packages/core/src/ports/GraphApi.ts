import type { RemotePermission } from '../remotePermission.js';
import type { Result } from '../result.js';
import type { Thread } from '../thread.js';
import type { RequestMessage } from '../machine/requestMessage.js';

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
  | 'no_call_permission' // a connect refused: the person has not given permission to call (Meta's word at that instant)
  | 'call_limit' // a connect refused: the call rate limit (connected-call quota) is used up
  | 'call_gone' // the call id is unknown, ended or failed, or the Page is not on it (2018390, 2018393, 2018395, 2018396)
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

/**
 * How to send one permission request: `standard` is the channel's own message
 * (Messenger's `calling_optin`, WhatsApp's interactive `call_permission_request`);
 * `template` is WhatsApp's approved template, for outside the messaging window
 * (`Policy.templateOutsideWindow`). A client without a template refuses it with an
 * `invalid` failure, nothing sent.
 */
export interface PermissionRequestMessage {
  readonly message: RequestMessage;
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
 * Meta's answer to a business-initiated connect (`POST /{page-id}/calls`,
 * `action: connect`): the new call's id and the SDP answer to the host's offer.
 */
export interface ConnectedCall {
  readonly callId: string;
  /** `session.sdp_response.sdp`; null where Meta sends the answer in the call's `connect` webhook instead (WhatsApp). */
  readonly sdpAnswer: string | null;
}

/** Meta's answer to accepting a person's call (`action: accept`). */
export interface AcceptedCall {
  /** `session.sdp_response.sdp`, when Meta sent one. */
  readonly sdpAnswer: string | null;
}

/**
 * A Page's Messenger call settings (`GET /{page-id}/messenger_call_settings`), as
 * far as Meta documents them: whether audio calling is on, and where a person's
 * calls ring (`PARTNERS`: this app; `META`: Meta's own apps). Null when absent.
 */
export interface PageCallSettings {
  readonly audioEnabled: boolean | null;
  readonly videoEnabled: boolean | null;
  readonly ringTarget: string | null;
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
  /**
   * `POST /{page-id}/messages` with the `calling_optin` template (WhatsApp: the
   * interactive request, or the template one when `request.message` says so). Never retried blindly.
   */
  sendPermissionRequest(thread: Thread, request?: PermissionRequestMessage): Promise<Result<SentOptIn, GraphFailure>>;
  /** `POST /{page-id}/business_messaging_feature_status` for `messenger_api_calling`: may this Page call at all. */
  checkPageCalling(pageId: string): Promise<Result<PageCallingStatus, GraphFailure>>;
  /** `GET /{page-id}/messenger_call_settings`. */
  checkCallSettings(pageId: string): Promise<Result<PageCallSettings, GraphFailure>>;
  /**
   * `POST /{page-id}/calls` with `action: connect` and the host's SDP offer: rings
   * the person. A side effect, so retried only where Meta says it was not processed.
   */
  connectCall(thread: Thread, sdpOffer: string): Promise<Result<ConnectedCall, GraphFailure>>;
  /** `POST /{page-id}/calls` with `action: terminate`: ends a call. */
  terminateCall(pageId: string, callId: string): Promise<Result<null, GraphFailure>>;
  /** `POST /{page-id}/calls` with `action: accept` and the host's SDP: picks up a person's call (within 60 s). */
  acceptCall(pageId: string, callId: string, sdpOffer: string): Promise<Result<AcceptedCall, GraphFailure>>;
  /** `POST /{page-id}/calls` with `action: reject`: declines a person's call. */
  rejectCall(pageId: string, callId: string): Promise<Result<null, GraphFailure>>;
}
