import type { Decision } from '../decide.js';
import type { AdmissionLimits } from '../codecs/admitEvents.js';
import type { RefusalCounts } from '../codecs/DecodeReport.js';
import type { DecisionReason } from '../machine/DecisionReason.js';
import type { PermissionEvent } from '../machine/PermissionEvent.js';
import type { Policy, ResolvedPolicy } from '../policy.js';
import type { Clock } from '../ports/Clock.js';
import type { AcceptedCall, GraphApi, GraphFailure, PageCallingStatus, SentOptIn } from '../ports/GraphApi.js';
import type { CallControlError, CallOffer, StartCallError, StartedCall } from './callControl.js';
import type { CasResult, HistoryQuery, PermissionStore } from '../ports/PermissionStore.js';
import type { Result } from '../result.js';
import type { HistoryEntry } from '../store/HistoryEntry.js';
import type { Thread } from '../thread.js';
import type { WebhookEvent } from '../webhookEvent.js';
import type { InboxTicket } from './inbox.js';
import type { MovedAsideEntry } from './inboxAside.js';
import type { PageCallingOff } from './pageCalling.js';
import type { PageStatus } from './pageStatus.js';
import type { SweepOptions, SweepReport } from './sweep.js';
import type { TransitionNotice } from './TransitionNotice.js';
import type { CallpermLogger } from '../telemetry/CallpermLogger.js';

/** Options of {@link createCallPermissions}. */
export interface CallPermissionsOptions {
  readonly graph: GraphApi;
  readonly store: PermissionStore;
  readonly clock?: Clock;
  /** The policy Messenger threads are judged by (default `messengerPolicy`). */
  readonly policy?: Policy;
  /** The policy WhatsApp threads (`channel: 'whatsapp'`) are judged by (default `whatsappPolicy`). */
  readonly whatsappPolicy?: Policy;
  /** Hears every committed transition. Errors it throws are swallowed: observers cannot break a command. */
  readonly onTransition?: (notice: TransitionNotice) => void;
  /** Compare-and-set attempts per command before giving up with `ContentionError` (default 32). */
  readonly maxAttempts?: number;
  /**
   * How long a delivery recorded in the inbox is left to the host that received it
   * before any host's `sweep` applies it (ms, default 30 000).
   */
  readonly inboxGraceMs?: number;
  /**
   * How long a call's trace (what its `calls` webhooks said so far) is kept after
   * its last change, so items of one call that reach different hosts, or arrive
   * across a restart, are correlated (ms, default `DEFAULT_CALL_TRACE_TTL_MS`, 2 days).
   */
  readonly callTraceTtlMs?: number;
  /**
   * What `ingest` admits from one call (one delivery): events whose instant lies in
   * [now − `horizonMs`, now + `skewMs`], at most `maxEventsPerDelivery` events over at
   * most `maxThreadsPerDelivery` threads, with bounded, well-formed ids. Default
   * {@link admissionDefaults}: 7 days, 5 minutes, 2000 and 2000.
   */
  readonly admission?: Partial<AdmissionLimits>;
  /**
   * How long a Page's calling fact read from the store is reused before it is read
   * again (ms, default 5 000): what another host learned shows here within this.
   */
  readonly pageCacheMs?: number;
  /**
   * A pino-style logger for the service's notable events: an opt-in Meta refused
   * (`optin_refused`), a Page's calling found off (`page_calling_off`), sweep
   * failures (`sweep_failed`, `sweep_inbox_failed`, `sweep_inbox_moved_aside`,
   * `sweep_report`). Never a token, secret or full PSID. Metrics and spans need no
   * option: they go to the host's registered OpenTelemetry providers, if any.
   */
  readonly logger?: CallpermLogger;
}

/** A thread's decision now, with the stored version it was read at (0 = nothing stored). */
export type ThreadStatus = Decision & { readonly thread: Thread; readonly version: number };

/** Why `request` sent nothing, or what became of what it sent. */
export type RequestError =
  | { readonly reason: DecisionReason; readonly decision: Decision }
  /** Meta refused the opt-in and did not process it: the quota slot was given back. */
  | { readonly reason: 'send_failed'; readonly failure: GraphFailure; readonly decision: Decision }
  /** Meta may or may not have processed it: the slot stays spent until `refresh` reconciles. */
  | { readonly reason: 'send_ambiguous'; readonly failure: GraphFailure; readonly decision: Decision }
  /** The permission check taken first (no check newer than `preflightMaxAge`) failed: nothing was sent. */
  | { readonly reason: 'check_failed'; readonly failure: GraphFailure; readonly decision: Decision };

/**
 * Counts of what `ingest` did. A `calls` item counts as applied (or unchanged) when
 * its call, with what was stored of it before, implies a grant; otherwise ignored.
 */
export interface IngestReport {
  /** Events that changed their thread. */
  readonly applied: number;
  /** Events already reflected (stale, or replays Meta sent again). */
  readonly unchanged: number;
  /** Event ids this store had already processed. */
  readonly duplicates: number;
  /** Events with no permission meaning (yet): call items that imply no grant, `media_update`. */
  readonly ignored: number;
  /**
   * Events refused before anything was stored, by reason: ids too long or not
   * well-formed, instants outside [now − horizon, now + skew], past the
   * per-delivery caps. The rest of the call was applied.
   */
  readonly refused: RefusalCounts;
}

/**
 * A durable inbox for webhook deliveries that cannot be applied inside Meta's
 * deadline: record, answer 200, apply, then mark done. Anything recorded and not
 * marked done is applied by `sweep` (on any host) after `inboxGraceMs`.
 */
export interface WebhookInbox {
  /** Records the events in the store; resolves once they are durable. */
  put(events: readonly WebhookEvent[]): Promise<InboxTicket>;
  /** Marks a recorded delivery applied: its inbox document is deleted. */
  done(ticket: InboxTicket): Promise<void>;
}

/** The inbox deliveries `sweep` moved aside after `inboxMaxAttempts` failures: kept until replayed. */
export interface InboxAside {
  /** What was moved aside, oldest first (default at most 100). */
  list(limit?: number): Promise<MovedAsideEntry[]>;
  /** Applies a delivery moved aside (by its `inbox_aside` key) and deletes it; false when it is gone already. */
  replay(asideKey: string): Promise<boolean>;
}

/** The service a host embeds. Every method resolves; none rejects for a domain outcome or a Graph error. */
export interface CallPermissions {
  readonly policy: ResolvedPolicy;
  /** The decision for a thread now, from the store alone (no Graph call). */
  status(thread: Thread): Promise<ThreadStatus>;
  /** Whether the Page may call now, and why not. */
  canStartCall(thread: Thread): Promise<{ readonly allowed: boolean; readonly reason: DecisionReason | null; readonly decision: Decision }>;
  /** Reads Meta's view and makes it the truth for status, expiry and quota usage. */
  refresh(thread: Thread): Promise<Result<Decision, { readonly reason: 'graph_failure'; readonly failure: GraphFailure; readonly decision: Decision }>>;
  /**
   * Sends the opt-in if, and only if, the decision allows it; at most once per
   * reserved slot. Without a check newer than `preflightMaxAge` it checks first.
   * A refusal from Meta teaches the thread (or the Page) why, so the next
   * decision says it instead of asking Meta again.
   */
  request(thread: Thread): Promise<Result<SentOptIn & { readonly decision: Decision }, RequestError>>;
  /**
   * Places a business-initiated call if, and only if, the decision allows it:
   * refused locally with the decision's reason (no Graph call) when the permission,
   * the connected-call quota, Meta's `start_call` verdict or the Page's calling do
   * not allow it; otherwise a connected-call slot is reserved and the call connects
   * (`POST /{page-id}/calls`, never retried blindly), answering the call id and SDP
   * answer. A refusal from Meta teaches the thread: no permission ends the
   * permission (until a newer grant), the rate limit fills the quota for its
   * period, a Page not allowed to call is remembered for every thread of the Page.
   */
  startCall(thread: Thread, offer: CallOffer): Promise<Result<StartedCall, StartCallError>>;
  /** Ends a call (`action: terminate`). */
  endCall(pageId: string, callId: string): Promise<Result<null, CallControlError>>;
  /** Picks up a person's call within Meta's 60 s (`action: accept`) with the host's SDP. */
  acceptCall(pageId: string, callId: string, offer: CallOffer): Promise<Result<AcceptedCall, CallControlError>>;
  /** Declines a person's call (`action: reject`). */
  rejectCall(pageId: string, callId: string): Promise<Result<null, CallControlError>>;
  /** Checks the Page's calling (`business_messaging_feature_status`) now and stores the answer. */
  refreshPage(pageId: string): Promise<Result<PageCallingStatus, GraphFailure>>;
  /** What is known of the Page's calling being off (null: nothing known against it). */
  pageCalling(pageId: string): Promise<PageCallingOff | null>;
  /**
   * The Page's feature status and call settings with when Meta was asked, and the
   * calling fact its threads' decisions read. Asks Meta first when the stored check
   * is older than `pageRecheckAfter`, or stale after a `call_settings_update` webhook.
   */
  pageStatus(pageId: string): Promise<PageStatus>;
  /** Applies decoded webhook events (any order, any number of times). */
  ingest(events: readonly WebhookEvent[]): Promise<IngestReport>;
  /** Applies machine events to one thread directly (simulations, hosts with their own inputs). */
  apply(thread: Thread, events: readonly PermissionEvent[]): Promise<ThreadStatus>;
  /**
   * Runs the follow-ups that have fallen due (remote checks after implicit grants
   * and ambiguous sends, expiry announcements, stranded inbox deliveries), in a
   * bounded batch. Call it on an interval; several hosts may run it at once.
   */
  sweep(options?: SweepOptions): Promise<SweepReport>;
  /**
   * The thread's consent history, newest first: every committed step that changed
   * the permission, with its source (webhook event id, opt-in message id, remote
   * check's `fbtrace_id`, the call behind an implicit grant), the expiry after it
   * and the decision's reason. Kept `policy.historyRetention` after each entry.
   */
  history(thread: Thread, query?: HistoryQuery): Promise<HistoryEntry[]>;
  /**
   * Replaces a thread's row that no longer decodes (a `CorruptRecordError` names
   * its `version`) with an empty record, leaving every other thread as it is;
   * a `refresh` then rebuilds the permission from Meta. A `RESET` entry joins the history.
   */
  reset(thread: Thread, version: number): Promise<CasResult>;
  readonly inbox: WebhookInbox;
  /** Inbox deliveries moved aside by `sweep`: list them, replay them (`callperm inbox list|replay`). */
  readonly inboxAside: InboxAside;
}
