import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { Delays } from 'got';
import {
  err, parseSendResponse,
  type AcceptedCall, type Clock, type ConnectedCall, type GraphApi, type GraphFailure, type PageCallingStatus, type PageCallSettings,
  type RemotePermission, type Result, type SentOptIn, type Thread,
} from '@callperm/core';
import { checkMany, type CheckManyItem } from './batch.js';
import type { GraphOperation } from './classifyMetaError.js';
import type { GraphLogger } from './GraphLogEntry.js';
import { graphClientBasics } from './graphClientBasics.js';
import { sdpConcealed } from './sdpConcealed.js';
import { CALLING_FEATURE, parsePageCallingStatus } from './parsePageCallingStatus.js';
import { readAcknowledged, readAnswer, readPermissionCheck } from './readAnswer.js';
import { parseAcceptedCall, parseConnectedCall } from './parseCallResponse.js';
import { CALL_SETTINGS_FIELDS, parseCallSettings } from './parseCallSettings.js';
import { type RetryPolicy } from './retryDecision.js';

export { DEFAULT_GRAPH_URL, DEFAULT_GRAPH_VERSION, DEFAULT_MAX_RESPONSE_BYTES, defaultGraphTimeouts } from './graphDefaults.js';

/** How to reach the Graph API. Only `accessToken` is required. */
export interface GraphApiOptions {
  /** A Page access token, or one per Page (sync or async). Sent only in `Authorization: Bearer`. */
  readonly accessToken: string | ((pageId: string) => string | Promise<string>);
  /** When given, every request carries `appsecret_proof` = HMAC-SHA256(token, appSecret). */
  readonly appSecret?: string;
  /** Default `v26.0`. */
  readonly apiVersion?: string;
  /**
   * Default `https://graph.facebook.com`; the fake Graph API's `url` in tests. Must be
   * `https:`; plain `http:` only for a loopback host (127.0.0.0/8, `::1`, `localhost`).
   */
  readonly baseUrl?: string;
  /** Adds `messaging_type` to the opt-in; Meta's calling examples omit it, so by default it is not sent. */
  readonly messagingType?: 'RESPONSE' | 'UPDATE';
  /** Per-phase timeouts in ms, merged over `defaultGraphTimeouts`. */
  readonly timeouts?: Delays;
  readonly retry?: Partial<RetryPolicy>;
  /** Your own keep-alive agents (you close them); by default the client makes and closes its own. */
  readonly agent?: { readonly http: HttpAgent; readonly https: HttpsAgent };
  /** Time for throttle bookkeeping; default the system clock. */
  readonly clock?: Clock;
  /**
   * When Meta throttles without saying for how long: the first wait of the throttled
   * scope (the app, the user, the Page or its business), in ms, default 60 s. Each
   * further throttle of that scope doubles it, up to `throttleMaxMs`; a success
   * starts it over. 368 (blocked for policy violations) waits at least 1 h.
   */
  readonly throttleFallbackMs?: number;
  /** The longest backoff wait of a throttled scope, in ms (default 1 h). */
  readonly throttleMaxMs?: number;
  /** Items per batch request (at most 50) and rounds of retry for `null` items (default 50 and 2). */
  readonly batch?: { readonly size?: number; readonly nullRetries?: number };
  /** Receives one entry per response, retry, failure and local throttle; never a secret. */
  readonly log?: GraphLogger;
  /** The jitter source for backoff (default `Math.random`). */
  readonly random?: () => number;
  /**
   * The largest response body read, in bytes (default 1 MiB). A bigger answer is cut
   * off and fails as an `UnknownGraphError` with `transportCode: 'ERR_RESPONSE_TOO_LARGE'`.
   */
  readonly maxResponseBytes?: number;
}

/** The `GraphApi` port plus what only this adapter offers. */
export interface GraphApiClient extends GraphApi {
  /** Checks many threads through the batch API; results in the order given. */
  checkMany(threads: readonly Thread[]): Promise<readonly CheckManyItem[]>;
  /** When calls for a Page may resume, if Meta is throttling the app, the user, the Page or its business. */
  throttledUntil(pageId: string): number | undefined;
  /** Closes the keep-alive sockets (only the agents the client made itself). */
  close(): void;
}

const OPT_IN_MESSAGE = { attachment: { type: 'template', payload: { template_type: 'calling_optin' } } } as const;
const FEATURE_STATUS_QUERY = { features: [{ feature: CALLING_FEATURE }] } as const;


/**
 * The `GraphApi` port on got 14: checks a thread's calling permission, sends the
 * `calling_optin` opt-in, checks whether a Page may call at all and its call
 * settings, and places, accepts, rejects and ends calls, one Page access token per
 * Page, with timeouts, keep-alive, safe retries, typed errors and throttling per
 * scope (app, user, Page, business: a throttled scope gets no request until Meta's
 * wait or the backoff is over). Every method resolves to a `Result`; none rejects. Bad options (a number that is `NaN`,
 * negative or out of range; an `http:` base URL off loopback) throw a
 * `GraphConfigError` here, at construction.
 *
 * @example
 * const graph = graphApi({ accessToken: (pageId) => tokens.get(pageId), appSecret: process.env.META_APP_SECRET });
 * const r = await graph.checkPermission({ pageId: '1234', psid: '5678' });
 * if (r.ok) console.log(r.value.status); else console.log(r.error.kind);
 * const calling = await graph.checkPageCalling('1234'); // { ok: true, value: { enabled: true, status: 'enabled' } }
 * const call = await graph.connectCall({ pageId: '1234', psid: '5678' }, offer); // { ok: true, value: { callId: 'c_…', sdpAnswer: 'v=0…' } }
 * if (call.ok) await graph.terminateCall('1234', call.value.callId);
 * graph.close();
 */
export const graphApi = (options: GraphApiOptions): GraphApiClient => {
  const { apiVersion, gate, transport, unforeseen } = graphClientBasics(options, options.accessToken);
  const page = (thread: Thread): string => encodeURIComponent(thread.pageId);
  /**
   * This client speaks Messenger's endpoints: a WhatsApp thread is refused before
   * anything is sent (a phone-number id is no Page), never sent to the wrong API.
   */
  const notMessenger = (thread: Thread): Result<never, GraphFailure> | null =>
    (thread.channel === 'whatsapp'
      ? err({ kind: 'invalid', processed: 'no', message: 'This Graph client speaks Messenger; a WhatsApp thread needs the WhatsApp Cloud API endpoints.' })
      : null);
  /**
   * One action on `POST /{page-id}/calls`. `effect` says whether a repeat may be sent
   * after a failure that leaves open whether Meta acted (see each method).
   */
  const callAction = (pageId: string, operation: GraphOperation, effect: 'read' | 'write', json: object, conceal: readonly string[] = []) =>
    transport.request({ pageId, operation, method: 'POST', effect, path: `${encodeURIComponent(pageId)}/calls`, json, conceal });

  return {
    checkPermission: (thread) => (async (): Promise<Result<RemotePermission, GraphFailure>> => {
      const refused = notMessenger(thread);
      if (refused !== null) return refused;
      return readPermissionCheck(await transport.request({
        pageId: thread.pageId, operation: 'check', method: 'GET', path: `${page(thread)}/messenger_call_permissions`, searchParams: { psid: thread.psid },
      }));
    })().catch(unforeseen),

    sendPermissionRequest: (thread, request) => (async (): Promise<Result<SentOptIn, GraphFailure>> => {
      const refused = notMessenger(thread);
      if (refused !== null) return refused;
      if (request?.message === 'template') {
        return err({ kind: 'invalid', processed: 'no', message: 'Messenger has no template form of the calling opt-in: leave templateOutsideWindow off in the Messenger policy.' });
      }
      const json = {
        ...(options.messagingType === undefined ? {} : { messaging_type: options.messagingType }),
        recipient: { id: thread.psid }, message: OPT_IN_MESSAGE,
      };
      const reply = await transport.request({ pageId: thread.pageId, operation: 'opt_in', method: 'POST', path: `${page(thread)}/messages`, json });
      if (!reply.ok) return reply;
      const decoded = parseSendResponse(reply.value.json);
      // A 2xx we cannot read: Meta probably sent it, so the failure says `processed: 'unknown'`.
      return decoded.ok ? decoded : err(reply.value.fail({ from: 'response', httpStatus: reply.value.status, problem: 'unexpected_shape' }));
    })().catch(unforeseen),

    checkPageCalling: (pageId) => (async (): Promise<Result<PageCallingStatus, GraphFailure>> => {
      // A POST that only reads: repeating it changes nothing, so it is retried like a check.
      return readAnswer(await transport.request({
        pageId, operation: 'page_status', method: 'POST', effect: 'read',
        path: `${encodeURIComponent(pageId)}/business_messaging_feature_status`, json: FEATURE_STATUS_QUERY,
      }), parsePageCallingStatus);
    })().catch(unforeseen),

    checkCallSettings: (pageId) => (async (): Promise<Result<PageCallSettings, GraphFailure>> => {
      return readAnswer(await transport.request({
        pageId, operation: 'call_settings', method: 'GET', path: `${encodeURIComponent(pageId)}/messenger_call_settings`,
        searchParams: { fields: CALL_SETTINGS_FIELDS },
      }), parseCallSettings);
    })().catch(unforeseen),

    connectCall: (thread, sdpOffer) => (async (): Promise<Result<ConnectedCall, GraphFailure>> => {
      const refused = notMessenger(thread);
      if (refused !== null) return refused;
      // Rings a person: a write, sent again only where the failure proves Meta did not act (as the opt-in).
      const json = { platform: 'messenger', to: thread.psid, action: 'connect', session: { sdp_type: 'offer', sdp: sdpOffer } };
      return readAnswer(await callAction(thread.pageId, 'call_connect', 'write', json, sdpConcealed(sdpOffer)), parseConnectedCall);
    })().catch(unforeseen),

    terminateCall: (pageId, callId) => (async (): Promise<Result<null, GraphFailure>> => {
      // Ending a call twice ends nothing more ("call already terminated" -> call_gone): retried like a read.
      return readAcknowledged(await callAction(pageId, 'call_terminate', 'read', { platform: 'messenger', call_id: callId, action: 'terminate' }));
    })().catch(unforeseen),

    acceptCall: (pageId, callId, sdpOffer) => (async (): Promise<Result<AcceptedCall, GraphFailure>> => {
      // Picks up a person's call with our media: a write, at most once unless Meta proves it did not act.
      const json = { platform: 'messenger', call_id: callId, action: 'accept', session: { sdp_type: 'offer', sdp: sdpOffer } };
      return readAnswer(await callAction(pageId, 'call_accept', 'write', json, sdpConcealed(sdpOffer)), parseAcceptedCall);
    })().catch(unforeseen),

    rejectCall: (pageId, callId) => (async (): Promise<Result<null, GraphFailure>> => {
      // Declining twice declines nothing more (the call is over: call_gone): retried like a read, as terminate.
      return readAcknowledged(await callAction(pageId, 'call_reject', 'read', { platform: 'messenger', call_id: callId, action: 'reject' }));
    })().catch(unforeseen),

    checkMany: (threads) => checkMany(transport, threads, {
      apiVersion, size: options.batch?.size ?? 50, nullRetries: options.batch?.nullRetries ?? 2,
    }).catch((e: unknown) => threads.map((thread) => ({ thread, result: unforeseen(e) }))),
    throttledUntil: (pageId) => gate.blockedUntil(pageId),
    close: () => transport.close(),
  };
};

