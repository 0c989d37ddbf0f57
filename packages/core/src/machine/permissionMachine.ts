import { and, assign, setup } from 'xstate';
import { messengerPolicy, resolvePolicy, type ResolvedPolicy } from '../policy.js';
import type { PermissionEvent } from './PermissionEvent.js';
import type { LifecycleState } from './LifecycleState.js';
import { emptyRecord, type PermissionRecord } from './PermissionRecord.js';
import { machineGuards, machineUpdates, settleState, type PlainGuard, type PlainUpdate } from './machineImplementations.js';

/** The machine's context: the persisted record plus the policy it is judged by (never persisted). */
export interface PermissionContext {
  readonly record: PermissionRecord;
  readonly policy: ResolvedPolicy;
}

type Ev = PermissionEvent;

/** Wraps a plain update as a named XState assign action that only runs for its event types. */
const update = ({ events, apply }: PlainUpdate) =>
  assign<PermissionContext, Ev, undefined, Ev, never>(({ context, event }) =>
    events.includes(event.type) ? { record: apply(context.record, event, context.policy) } : {});

/** Wraps a plain guard for `setup`. */
const guard = (fn: PlainGuard) =>
  ({ context, event }: { context: PermissionContext; event: Ev }) => fn(context.record, event, context.policy);

/** Maps a table of plain functions to XState implementations under the same names. */
const wrapAll = <T extends Record<string, V>, V, W>(table: T, wrap: (v: V) => W): { [K in keyof T]: W } =>
  Object.fromEntries(Object.entries(table).map(([name, v]) => [name, wrap(v)])) as { [K in keyof T]: W };

// Names come from machineImplementations.ts, which the compiled stepper reads too.
const machineSetup = setup({
  types: {
    context: {} as PermissionContext,
    events: {} as PermissionEvent,
    input: {} as PermissionContext | undefined,
  },
  guards: wrapAll(machineGuards, guard),
  actions: {
    ...wrapAll(machineUpdates, update),
    /** Effect marker: the service sends the opt-in after the write that reserved its slot succeeded. */
    sendOptIn: () => undefined,
    /** Effect marker: the service connects the call after the write that reserved its slot succeeded. */
    connectCall: () => undefined,
    /** Entry action of every state: the record names the state it is in. */
    settleState: assign<PermissionContext, Ev, { state: LifecycleState }, Ev, never>(({ context }, params) => {
      const record = settleState(context.record, params.state);
      return record === context.record ? {} : { record };
    }),
  },
});

// Transitions every state shares. Written out per state below so the exported chart shows each edge.
/** A reply that changes no permission may still say the person interacted (or declined again). */
const replyNote = { guard: 'repliesNews', actions: 'noteReply' } as const;
const grants = {
  REPLY_APPROVE: [{ guard: 'isNewerApproval', target: 'approved', actions: 'applyApproval' }, replyNote],
  CALL_CONNECTED: { guard: 'isNewerImplicitGrant', target: 'approved', actions: 'applyImplicitGrant' },
  CONSUMER_CALL_MISSED: { guard: 'isNewerImplicitGrant', target: 'approved', actions: 'applyImplicitGrant' },
  USER_MESSAGE: { guard: 'isNewerInbound', actions: 'noteInbound' },
  REQUEST: { guard: 'mayRequest', target: 'requested', actions: ['reserveRequest', 'sendOptIn'] },
  REQUEST_SENT: { guard: 'sentMatchesPending', actions: 'markSent' },
  CALL_PLACED: { actions: 'logCall' },
  CALL_ANSWERED: { guard: 'resetsRequestQuota', actions: 'resetRequestQuota' },
} as const;
/** A failed connect outside `approved`: its slot back, and what Meta's refusal teaches; the state stays. */
const callFailureNote = { guard: 'callFailureNews', actions: 'releaseCall' } as const;
const syncGrant = { guard: 'isNewerSyncGrant', target: 'approved', actions: 'applySync' } as const;
const syncView = { guard: 'isNewerRemoteView', actions: 'noteRemoteView' } as const;
const rejectHere = { guard: 'isNewerRejection', target: 'rejected', actions: 'applyRejection' } as const;
const releaseLateFailure = { guard: 'holdsFailedSlot', actions: 'releaseRequest' } as const;
/** A Decline behind a newer denial that agrees with it: the thread is declined, the denial stays the evidence. */
const olderDecline = { guard: 'declineAnswersPastDenial', target: 'rejected', actions: 'applyOlderDecline' } as const;

/** A state with no live permission: syncs that deny keep it where it is. */
const idle = (state: 'none' | 'rejected' | 'expired') => ({
  entry: { type: 'settleState', params: { state } },
  on: {
    ...grants,
    REPLY_REJECT: [rejectHere, olderDecline, replyNote],
    REQUEST_FAILED: releaseLateFailure,
    REMOTE_SYNC: [syncGrant, { guard: 'isNewerSyncDenial', actions: 'applySync' }, syncView],
    CALL_FAILED: callFailureNote,
  },
} as const);

/** A check showing the ambiguous send never reached Meta: slot given back; a reminder's opt-in is awaited again, else back to where the request started. */
const undeliveredActions = ['releaseUndelivered', 'applySync'] as const;
const undeliveredBack = [
  { guard: and(['isNewerSyncDenial', 'sendNotDelivered', 'pendingIsReminder']), actions: undeliveredActions },
  { guard: and(['isNewerSyncDenial', 'sendNotDelivered', 'priorWasRejected']), target: 'rejected', actions: undeliveredActions },
  { guard: and(['isNewerSyncDenial', 'sendNotDelivered', 'priorWasExpired']), target: 'expired', actions: undeliveredActions },
  { guard: and(['isNewerSyncDenial', 'sendNotDelivered']), target: 'none', actions: undeliveredActions },
] as const;

/**
 * The calling-permission lifecycle of one thread: `none`, `requested`, `approved`,
 * `rejected`, `expired`. Time is data: every event carries `at`, there are no
 * timers, and the service steps it with XState's pure `transition`.
 *
 * @example
 * import { createActor } from 'xstate';
 * const actor = createActor(permissionMachine).start();
 * actor.send({ type: 'USER_MESSAGE', at: 1_700_000_000_000 });
 */
export const permissionMachine = machineSetup.createMachine({
  id: 'callPermission',
  initial: 'none',
  context: ({ input }) => input ?? { record: emptyRecord(), policy: resolvePolicy(messengerPolicy) },
  states: {
    none: idle('none'),
    requested: {
      entry: { type: 'settleState', params: { state: 'requested' } },
      on: {
        ...grants,
        REPLY_REJECT: [
          { guard: and(['isNewerRejection', 'answersPendingRequest']), target: 'rejected', actions: 'applyRejection' },
          { guard: 'isNewerRejection', actions: 'noteStaleRejection' },
          olderDecline,
          replyNote,
        ],
        REQUEST_FAILED: [
          // A reminder Meta refused: the opt-in it reminds of is still awaited.
          { guard: and(['isDefiniteFailure', 'failureMatchesPending', 'pendingIsReminder']), actions: 'releaseRequest' },
          { guard: and(['isDefiniteFailure', 'failureMatchesPending', 'priorWasRejected']), target: 'rejected', actions: 'releaseRequest' },
          { guard: and(['isDefiniteFailure', 'failureMatchesPending', 'priorWasExpired']), target: 'expired', actions: 'releaseRequest' },
          { guard: and(['isDefiniteFailure', 'failureMatchesPending']), target: 'none', actions: 'releaseRequest' },
          { guard: 'isAmbiguousFailure', actions: 'markAmbiguous' },
          releaseLateFailure,
        ],
        REMOTE_SYNC: [
          syncGrant,
          ...undeliveredBack,
          { guard: 'isNewerSyncDenial', actions: 'applySync' },
          syncView,
        ],
        CALL_FAILED: callFailureNote,
      },
    },
    approved: {
      entry: { type: 'settleState', params: { state: 'approved' } },
      on: {
        ...grants,
        REPLY_REJECT: [rejectHere, replyNote],
        REQUEST_FAILED: releaseLateFailure,
        REMOTE_SYNC: [
          syncGrant,
          { guard: and(['isNewerSyncDenial', 'hasLapsed']), target: 'expired', actions: 'applySync' },
          { guard: 'isNewerSyncDenial', target: 'none', actions: 'applySync' },
          syncView,
        ],
        TICK: { guard: 'hasLapsed', target: 'expired', actions: 'markExpired' },
        CALL_START: { guard: 'mayStartCall', actions: ['reserveCall', 'connectCall'] },
        CALL_FAILED: [
          { guard: and(['isNewerCallDenial', 'hasLapsed']), target: 'expired', actions: 'releaseCall' },
          { guard: 'isNewerCallDenial', target: 'none', actions: 'releaseCall' },
          callFailureNote,
        ],
      },
    },
    rejected: idle('rejected'),
    expired: idle('expired'),
  },
});
