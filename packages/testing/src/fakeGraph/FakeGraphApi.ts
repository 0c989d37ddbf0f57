import type { Instant, Thread } from '@callperm/core';
import type { VirtualClock } from '../VirtualClock.js';
import type { FakeCall, FakeCallEnd, FakeCallEndCause, FakeCallSettings } from './FakeCall.js';
import type { FakeConnect } from './FakeConnect.js';
import type { FakeOptIn } from './FakeGraphCore.js';
import type { FakeInbound, FakeReply, FakeReplyInput } from './FakePersonEvent.js';
import type { FakeSend } from './FakeSend.js';
import type { FakeCallQuota, FakeRules, FakeThreadBook } from './FakeThreadBook.js';
import type { FakeThrottleSpec } from './FakeThrottle.js';
import type { FakeWhatsAppDesk, FakeWhatsAppRules } from './FakeWhatsAppDesk.js';
import type { FakeEndpoint, FakeFault } from './FaultPlan.js';
import type { FakeRequest } from './readRequest.js';
import type { PermissionCheckVariant } from './renderPermissionCheck.js';

/** How the fake behaves; every field is optional. */
export interface FakeGraphApiOptions {
  /** The clock shared with the test and the service (a new one by default). */
  readonly clock?: VirtualClock;
  /** The version the client is expected to use; any `vN.N` prefix is served. Default `v26.0`. */
  readonly apiVersion?: string;
  /** The permission-check response shape (default `flat`). */
  readonly variant?: PermissionCheckVariant;
  /** Require this token (or this token per Page id); absent = any non-empty token. */
  readonly accessTokens?: string | Readonly<Record<string, string>>;
  /** Answer Meta's 104 to a request that carries no token (default true). */
  readonly requireToken?: boolean;
  /** Pages whose calling is off from the start (`business_messaging_feature_status` says `disabled`). */
  readonly callingOff?: readonly string[];
  /** Require `appsecret_proof` = HMAC-SHA256(token, appSecret). */
  readonly appSecret?: string;
  readonly rules?: Partial<FakeRules>;
  /** The business id each Page reports in `X-Business-Use-Case-Usage` (default: the Page id). */
  readonly businessIds?: Readonly<Record<string, string>>;
  /** Called after each opt-in is recorded (for a consumer simulator). */
  readonly onOptIn?: (optIn: FakeOptIn) => void;
  /**
   * The connected-call quota per thread: a connect is refused ("Call rate limit
   * exceeded") while, for any entry, `max` connects Meta accepted fall in the
   * rolling `periodMs` before now, and `start_call` says `can_perform: false`.
   * Messenger says the quota exists but publishes no number; the default, 5 per
   * rolling 24 h, is the `start_call` limit in the sample of WhatsApp's equivalent
   * page. Default: `rules.connectedCallQuota` (5 per `PT24H`).
   */
  readonly callQuota?: readonly FakeCallQuota[];
  /** Call settings per Page id from the start (default audio on, video off, `PARTNERS`). */
  readonly callSettings?: Readonly<Record<string, Partial<FakeCallSettings>>>;
  /** Give `start_call` in the permission check a `limits` entry per call quota (default false, as Messenger's samples). */
  readonly startCallLimits?: boolean;
  /** Called after each call the fake placed for a connect is recorded (for a consumer simulator). */
  readonly onConnect?: (call: FakeCall) => void;
  /**
   * WhatsApp business phone-number ids: requests on these ids are WhatsApp's
   * (`GET /{id}/call_permissions`, `POST /{id}/messages` with a `call_permission_request`,
   * `POST /{id}/calls`), on threads `{ channel: 'whatsapp', pageId: id, psid: wa_id }`.
   * Default none.
   */
  readonly whatsappNumbers?: readonly string[];
  /** WhatsApp's limits (default {@link defaultFakeWhatsAppRules}: requests 1 / 24 h and 2 / 7 days, 100 connected calls / 24 h). */
  readonly whatsappRules?: Partial<FakeWhatsAppRules>;
}

/** A running fake Graph API on loopback. */
export interface FakeGraphApi {
  /** The base URL to give the client (`http://127.0.0.1:<port>`). */
  readonly url: string;
  readonly apiVersion: string;
  readonly clock: VirtualClock;
  /** Every request received, in order. */
  readonly requests: readonly FakeRequest[];
  /** Every opt-in accepted, in order. */
  readonly optIns: readonly FakeOptIn[];
  /** Every opt-in send, accepted, refused or faulted, with its instant and outcome. */
  readonly sends: readonly FakeSend[];
  /** Every message the person wrote to the Page (`inbound`). */
  readonly inbounds: readonly FakeInbound[];
  /** Every Accept or Decline the person gave (`reply`). */
  readonly replies: readonly FakeReply[];
  /** Every connect request, placed, refused or faulted, with the facts at its instant. */
  readonly connects: readonly FakeConnect[];
  /** Every call's end, in order. */
  readonly callEnds: readonly FakeCallEnd[];
  /** Every call, placed by a connect or dialled by the person, as it stands now. */
  readonly calls: readonly FakeCall[];
  /**
   * The `seq` of the latest send, message, reply, connect or call end recorded: note it before and
   * after an action to tell which records the action caused.
   */
  lastSeq(): number;
  /** Errors thrown by `onOptIn`, `onConnect`, `onCallAnswer` and `onCallEnd` listeners (they never break an answer). */
  readonly listenerErrors: readonly unknown[];
  readonly threads: FakeThreadBook;
  /** The WhatsApp business phone-number ids (`whatsappNumbers`). */
  readonly whatsappNumbers: readonly string[];
  /** The WhatsApp side: its rules, and each pair's permission and limits as `call_permissions` reports them. */
  readonly whatsapp: FakeWhatsAppDesk;
  grant(thread: Thread, expiresAt?: Instant | null): void;
  revoke(thread: Thread): void;
  expire(thread: Thread): void;
  /** The person wrote to the Page (now, or at `at`): the window opens, and it is recorded. */
  inbound(thread: Thread, at?: Instant): void;
  /** The person answered an opt-in: recorded, and the permission granted or ended. */
  reply(thread: Thread, answer: FakeReplyInput): void;
  /** Opt-ins to this person are refused with 551/1545041 until marked available again. */
  markUnavailable(thread: Thread, unavailable?: boolean): void;
  /** Switches calling on or off for a Page: the feature status says so, and opt-ins are refused while off. */
  setPageCalling(pageId: string, enabled: boolean): void;
  /** Changes a Page's call settings (the fields given): audio off refuses connects; all of it is what `messenger_call_settings` says. */
  setCallSettings(pageId: string, settings: Partial<FakeCallSettings>): void;
  /** Counts a business-initiated call against the thread's connected-call quota without a connect request (no call is opened). */
  connectCall(thread: Thread, at?: Instant): void;
  /** A call by id, as it stands now (a person's call past its 60 s has rung out). */
  call(callId: string): FakeCall | undefined;
  /** The person calls the Page (now, or at `at`): a `user_initiated` call the host may accept or reject within 60 s. */
  incomingCall(thread: Thread, options?: { readonly at?: Instant; readonly callId?: string }): FakeCall;
  /** The call is picked up (the person answers the Page's call, or stands in for the host): false if it no longer rings. */
  answerCall(callId: string, at?: Instant): boolean;
  /** Ends a live call (the person hangs up or declines, it rings out, it fails); the end recorded, or undefined if it was over. */
  endCall(callId: string, cause: FakeCallEndCause, at?: Instant): FakeCallEnd | undefined;
  setVariant(variant: PermissionCheckVariant): void;
  inject(endpoint: FakeEndpoint, ...faults: readonly FakeFault[]): void;
  throttle(spec: FakeThrottleSpec): void;
  unthrottle(): void;
  onOptIn(listener: (optIn: FakeOptIn) => void): () => void;
  /** Called for every call placed by a connect (also one whose answer a fault swallowed); returns an unsubscribe function. */
  onConnect(listener: (call: FakeCall) => void): () => void;
  /** Called when a call is picked up (the host's accept, or `answerCall`); returns an unsubscribe function. */
  onCallAnswer(listener: (call: FakeCall) => void): () => void;
  /** Called for every call's end, once; returns an unsubscribe function. */
  onCallEnd(listener: (end: FakeCallEnd) => void): () => void;
  /** Stops the server and ends hanging requests; calling it again waits for the same close. */
  close(): Promise<void>;
}
