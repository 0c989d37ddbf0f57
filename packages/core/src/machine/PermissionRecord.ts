import * as t from 'io-ts';
import type { Instant } from '../thread.js';
import { lifecycleStates, type LifecycleState } from './LifecycleState.js';

/**
 * The record's format version. Every stored form carries it (JSON: `schema`;
 * packed bytes: a header byte) and a store upgrades older ones on read through
 * `recordUpgrades` (`@callperm/core/store`). Bump it with an upgrade step when a
 * field is added or changes meaning. 1: release 0.1.0 (packed bytes without a
 * header); 2: every form carries its version; 3: `declinedAt`, `refusal` and
 * `remote.permitted` (what Meta's answers teach the record); 4: `calls` and
 * `callLimitAt` (the connected-call quota); 5: a reported limit's `freesAt`
 * (WhatsApp's `limit_expiration_time`); 6: a pending reminder's `reminds` (the
 * opt-in still awaited if the reminder never reaches Meta).
 */
export const RECORD_SCHEMA = 6 as const;

/**
 * The newest evidence about the permission itself (a reply, a sync, an implicit
 * grant). Later evidence wins, compared as `(at, rank, weight)`, so the outcome
 * does not depend on the order Meta delivers events in.
 */
export interface Evidence {
  readonly at: Instant;
  /** Tie-break at equal instants: reject 1 < implicit grant 2 < approve 3 < remote sync 4. */
  readonly rank: number;
  /** Last tie-break: a grant's expiry (no expiry = Number.MAX_SAFE_INTEGER), -1 for a denial. */
  readonly weight: number;
}

/** A request that was reserved and not yet answered. */
export interface PendingRequest {
  /** When the quota slot was reserved (also the key of its entry in `requests`). */
  readonly at: Instant;
  /** Meta's message id once the send succeeded. */
  readonly messageId: string | null;
  /** The send failed in a way that does not say whether Meta processed it: reconcile with a remote check. */
  readonly ambiguous: boolean;
  /** The state to return to if the send definitely failed. */
  readonly prior: LifecycleState;
  /**
   * A reminder's reminded opt-in: the one pending when the reminder was reserved,
   * pending again if the reminder never reaches Meta (it is still unanswered).
   * Null for a first opt-in, and once the reminder went out.
   */
  readonly reminds: RemindedRequest | null;
}

/** The opt-in a reminder reminds of: its reservation instant and Meta's message id (if known). */
export interface RemindedRequest {
  readonly at: Instant;
  readonly messageId: string | null;
}

/** Why Meta refused an opt-in in a way that teaches the thread something (its failure kind). */
export type RefusalKind = 'outside_window' | 'request_limit' | 'person_unavailable';

/**
 * Meta's last definite refusal of an opt-in that says something about the thread:
 * the person is outside the messaging window or cannot be messaged (both until
 * they write after `at`), or the thread's opt-in quota is used up at Meta (the
 * quota counts as full at `at`).
 */
export interface Refusal {
  /** The refused send's reservation instant (Meta judged it then). */
  readonly at: Instant;
  readonly kind: RefusalKind;
}

/** One quota as the last check reported it: `used` of `max` in a rolling period. */
export interface ReportedLimit {
  readonly periodMs: number;
  readonly max: number;
  readonly used: number;
  /** When Meta said the used-up limit frees (WhatsApp's `limit_expiration_time`), or null when it did not say. */
  readonly freesAt: Instant | null;
}

/** What the last remote check said that the local record cannot know by itself. */
export interface RemoteView {
  readonly at: Instant;
  /**
   * The check reported a live permission: its `send_call_permission_request` refusal
   * is then explained by that permission and ends with it.
   */
  readonly permitted: boolean;
  /** `send_call_permission_request.can_perform`, null when not reported. */
  readonly canRequest: boolean | null;
  /** Request quota usage as Meta counted it at `at`. */
  readonly requestLimits: readonly ReportedLimit[];
  /** `start_call.can_perform`, null when not reported. */
  readonly canStartCall: boolean | null;
  /** Connected-call quota as reported, for telling when a denial may lift. */
  readonly startCallLimits: readonly ReportedLimit[];
}

/**
 * Everything callperm remembers about one thread: small, plain and JSON-safe.
 * Stores keep it next to a version number used for compare-and-set.
 *
 * @example
 * const fresh: PermissionRecord = emptyRecord();
 * JSON.parse(JSON.stringify(fresh)); // round-trips unchanged
 */
export interface PermissionRecord {
  readonly schema: typeof RECORD_SCHEMA;
  readonly state: LifecycleState;
  /** When the permission ends (epoch ms); null when none is held or no expiry is known. */
  readonly expiresAt: Instant | null;
  /** Granted by inference (a call), not yet confirmed by a remote check. */
  readonly provisional: boolean;
  /** The newest permission evidence applied, or null before any. */
  readonly evidence: Evidence | null;
  /** Instants of reserved permission requests inside the longest quota window, ascending. */
  readonly requests: readonly Instant[];
  readonly pending: PendingRequest | null;
  /** The person's last interaction with the thread (a message, a postback, a reply), when known. */
  readonly lastInboundAt: Instant | null;
  /** When the person last declined (a reject that moved the thread to `rejected`); null when never. */
  readonly declinedAt: Instant | null;
  /** Meta's last refusal of an opt-in that teaches the thread something, or null. */
  readonly refusal: Refusal | null;
  readonly remote: RemoteView | null;
  /**
   * Instants of business-initiated calls Meta took or may have taken (connects,
   * reserved before they are sent), inside the longest call-quota window, ascending.
   */
  readonly calls: readonly Instant[];
  /** When Meta last refused a connect for its call rate limit: the connected-call quota counts as full then. */
  readonly callLimitAt: Instant | null;
  /** The newest instant of any event applied to this record. */
  readonly lastEventAt: Instant | null;
  /** When follow-up work is due (a reconcile, an expiry), for `PermissionStore.due`. Derived on every step. */
  readonly dueAt: Instant | null;
}

/**
 * The record of a thread nothing is known about yet.
 *
 * @example
 * emptyRecord().state; // 'none'
 */
export const emptyRecord = (): PermissionRecord => ({
  schema: RECORD_SCHEMA,
  state: 'none',
  expiresAt: null,
  provisional: false,
  evidence: null,
  requests: [],
  pending: null,
  lastInboundAt: null,
  declinedAt: null,
  refusal: null,
  remote: null,
  calls: [],
  callLimitAt: null,
  lastEventAt: null,
  dueAt: null,
});

// ---------------------------------------------------------------------------
// codec: what a store reads back is checked, so a corrupted row is a typed error
// ---------------------------------------------------------------------------

const nullable = <C extends t.Mixed>(c: C) => t.union([c, t.null]);
const stateCodec = t.keyof(Object.fromEntries(lifecycleStates.map((s) => [s, null])) as Record<LifecycleState, null>);
const limitCodec = t.readonly(t.type({ periodMs: t.number, max: t.number, used: t.number, freesAt: nullable(t.number) }));

/** io-ts codec of {@link PermissionRecord}; stores decode with it. */
export const PermissionRecordCodec: t.Type<PermissionRecord, PermissionRecord, unknown> = t.readonly(t.type({
  schema: t.literal(RECORD_SCHEMA),
  state: stateCodec,
  expiresAt: nullable(t.number),
  provisional: t.boolean,
  evidence: nullable(t.readonly(t.type({ at: t.number, rank: t.number, weight: t.number }))),
  requests: t.readonlyArray(t.number),
  pending: nullable(t.readonly(t.type({
    at: t.number, messageId: nullable(t.string), ambiguous: t.boolean, prior: stateCodec,
    reminds: nullable(t.readonly(t.type({ at: t.number, messageId: nullable(t.string) }))),
  }))),
  lastInboundAt: nullable(t.number),
  declinedAt: nullable(t.number),
  refusal: nullable(t.readonly(t.type({
    at: t.number,
    kind: t.keyof({ outside_window: null, request_limit: null, person_unavailable: null }),
  }))),
  remote: nullable(t.readonly(t.type({
    at: t.number,
    permitted: t.boolean,
    canRequest: nullable(t.boolean),
    requestLimits: t.readonlyArray(limitCodec),
    canStartCall: nullable(t.boolean),
    startCallLimits: t.readonlyArray(limitCodec),
  }))),
  calls: t.readonlyArray(t.number),
  callLimitAt: nullable(t.number),
  lastEventAt: nullable(t.number),
  dueAt: nullable(t.number),
}));
