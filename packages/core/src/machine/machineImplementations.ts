import type { ResolvedPolicy } from '../policy.js';
import * as G from './guards.js';
import type { LifecycleState } from './LifecycleState.js';
import type { PermissionEvent } from './PermissionEvent.js';
import type { PermissionRecord } from './PermissionRecord.js';
import * as U from './updates.js';

/** A guard as a plain predicate over the record, the event and the policy. */
export type PlainGuard = (record: PermissionRecord, event: PermissionEvent, policy: ResolvedPolicy) => boolean;

/** A context update as a plain function; it runs only for the event types it lists. */
export interface PlainUpdate {
  readonly events: readonly PermissionEvent['type'][];
  readonly apply: (record: PermissionRecord, event: PermissionEvent, policy: ResolvedPolicy) => PermissionRecord;
}

type AnyUpdate = PlainUpdate['apply'];

/**
 * Every guard the machine names, by the name `setup` gives it. The XState machine
 * and the compiled stepper both take their guards from here, so a name always
 * means the same function on both paths.
 *
 * @example
 * machineGuards.isNewerInbound(emptyRecord(), { type: 'USER_MESSAGE', at: 1 }, policy); // true
 */
export const machineGuards = {
  mayRequest: G.mayRequest,
  isNewerApproval: G.isNewerApproval,
  isNewerRejection: G.isNewerRejection,
  answersPendingRequest: G.answersPendingRequest,
  declineAnswersPastDenial: G.declineAnswersPastDenial,
  isNewerImplicitGrant: G.isNewerImplicitGrant,
  isNewerSyncGrant: G.isNewerSyncGrant,
  isNewerSyncDenial: G.isNewerSyncDenial,
  hasLapsed: G.hasLapsed,
  isNewerRemoteView: G.isNewerRemoteView,
  isDefiniteFailure: G.isDefiniteFailure,
  isAmbiguousFailure: G.isAmbiguousFailure,
  failureMatchesPending: G.failureMatchesPending,
  sentMatchesPending: G.sentMatchesPending,
  priorWasRejected: G.priorWasRejected,
  pendingIsReminder: G.pendingIsReminder,
  priorWasExpired: G.priorWasExpired,
  holdsFailedSlot: G.holdsFailedSlot,
  isNewerInbound: G.isNewerInbound,
  repliesNews: G.repliesNews,
  sendNotDelivered: G.sendNotDelivered,
  mayStartCall: G.mayStartCall,
  isNewerCallDenial: G.isNewerCallDenial,
  callFailureNews: G.callFailureNews,
  resetsRequestQuota: G.resetsRequestQuota,
} as const satisfies Record<string, PlainGuard>;

/**
 * Every context update the machine names, with the event types it applies to.
 * `permissionMachine` wraps each as a named `assign`; the compiled stepper calls
 * `apply` directly.
 *
 * @example
 * machineUpdates.noteInbound.apply(emptyRecord(), { type: 'USER_MESSAGE', at: 5 }, policy).lastInboundAt; // 5
 */
export const machineUpdates = {
  reserveRequest: { events: ['REQUEST'], apply: U.reserveRequest as AnyUpdate },
  markSent: { events: ['REQUEST_SENT'], apply: U.markSent as AnyUpdate },
  releaseRequest: { events: ['REQUEST_FAILED'], apply: U.releaseRequest as AnyUpdate },
  markAmbiguous: { events: ['REQUEST_FAILED'], apply: U.markAmbiguous as AnyUpdate },
  applyApproval: { events: ['REPLY_APPROVE'], apply: U.applyApproval as AnyUpdate },
  applyRejection: { events: ['REPLY_REJECT'], apply: U.applyRejection as AnyUpdate },
  noteStaleRejection: { events: ['REPLY_REJECT'], apply: U.noteStaleRejection as AnyUpdate },
  applyOlderDecline: { events: ['REPLY_REJECT'], apply: U.applyOlderDecline as AnyUpdate },
  applyImplicitGrant: { events: ['CALL_CONNECTED', 'CONSUMER_CALL_MISSED'], apply: U.applyImplicitGrant as AnyUpdate },
  applySync: { events: ['REMOTE_SYNC'], apply: U.applySync as AnyUpdate },
  noteRemoteView: { events: ['REMOTE_SYNC'], apply: U.noteRemoteView as AnyUpdate },
  noteInbound: { events: ['USER_MESSAGE'], apply: U.noteInbound as AnyUpdate },
  noteReply: { events: ['REPLY_APPROVE', 'REPLY_REJECT'], apply: U.noteReply as AnyUpdate },
  releaseUndelivered: { events: ['REMOTE_SYNC'], apply: U.releaseUndelivered as AnyUpdate },
  markExpired: { events: ['TICK'], apply: U.markExpired as AnyUpdate },
  reserveCall: { events: ['CALL_START'], apply: U.reserveCall as AnyUpdate },
  logCall: { events: ['CALL_PLACED'], apply: U.logCall as AnyUpdate },
  releaseCall: { events: ['CALL_FAILED'], apply: U.releaseCall as AnyUpdate },
  resetRequestQuota: { events: ['CALL_ANSWERED'], apply: U.resetRequestQuota as AnyUpdate },
} as const satisfies Record<string, PlainUpdate>;

/**
 * Actions that change nothing in the record and ask the service for work once the
 * step is stored (an effect marker per name).
 *
 * @example
 * machineEffects.includes('sendOptIn'); // true
 */
export const machineEffects = ['sendOptIn', 'connectCall'] as const;

/**
 * The entry action of every state (`settleState` in `setup`): the record names the
 * state it is in. Returns the same record when it already does.
 *
 * @example
 * settleState(emptyRecord(), 'requested').state; // 'requested'
 */
export const settleState = (record: PermissionRecord, state: LifecycleState): PermissionRecord =>
  record.state === state ? record : { ...record, state };
