import { transition } from 'xstate';
import type { ResolvedPolicy } from '../policy.js';
import type { Instant } from '../thread.js';
import type { LifecycleState } from './LifecycleState.js';
import type { PermissionEvent } from './PermissionEvent.js';
import type { PermissionRecord } from './PermissionRecord.js';
import { permissionMachine } from './permissionMachine.js';
import { stepResultOf } from './stepResultOf.js';

/** Work the service must do after the step is stored: send the opt-in, or connect the call, whose slot it reserved. */
export type Effect =
  | { readonly type: 'sendOptIn'; readonly requestedAt: Instant }
  | { readonly type: 'connectCall'; readonly placedAt: Instant };

/** The name of an effect marker among a transition's actions. */
export type EffectName = Effect['type'];

/** What one event did to one record. */
export interface StepResult {
  readonly record: PermissionRecord;
  /** False when the event changed nothing (stale, duplicate, or not allowed): nothing to store. */
  readonly changed: boolean;
  readonly from: LifecycleState;
  readonly to: LifecycleState;
  readonly effects: readonly Effect[];
}

/**
 * Applies one event to a record with XState's pure `transition`: no actor, no
 * timer, no I/O. Each state's entry action writes its name into the record;
 * `dueAt` and `lastEventAt` are derived after the machine has spoken.
 *
 * @example
 * const r = step(emptyRecord(), { type: 'USER_MESSAGE', at: 1000 }, resolvePolicy(messengerPolicy));
 * r.record.lastInboundAt; // 1000
 */
export const step = (record: PermissionRecord, event: PermissionEvent, policy: ResolvedPolicy): StepResult => {
  const snapshot = permissionMachine.resolveState({ value: record.state, context: { record, policy } });
  const [next, actions] = transition(permissionMachine, snapshot, event);
  const effect = actions.find((a) => a.type === 'sendOptIn' || a.type === 'connectCall')?.type as EffectName | undefined;
  return stepResultOf(record, next.context.record, next.value, event, policy, effect ?? null);
};
