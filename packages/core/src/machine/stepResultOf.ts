import type { ResolvedPolicy } from '../policy.js';
import { nextDueAt } from './dueAt.js';
import type { LifecycleState } from './LifecycleState.js';
import type { PermissionEvent } from './PermissionEvent.js';
import type { PermissionRecord } from './PermissionRecord.js';
import type { Effect, EffectName, StepResult } from './step.js';

const NO_EFFECTS: readonly Effect[] = Object.freeze([]);

/**
 * What every stepper returns once the machine has spoken: an unchanged result when
 * neither the record nor the state moved; otherwise the record with the derived
 * fields (`lastEventAt`, `dueAt`) and the effects the transition asked for. Shared by
 * `step` (XState) and `fastStep` (compiled), so both derive them the same way.
 *
 * @example
 * stepResultOf(record, record, record.state, event, policy, null).changed; // false
 */
export const stepResultOf = (
  record: PermissionRecord,
  updated: PermissionRecord,
  to: LifecycleState,
  event: PermissionEvent,
  policy: ResolvedPolicy,
  effect: EffectName | null,
): StepResult => {
  const from = record.state;
  if (updated === record && to === from) return { record, changed: false, from, to, effects: NO_EFFECTS };
  const lastEventAt = Math.max(record.lastEventAt ?? event.at, event.at);
  // nextDueAt reads neither lastEventAt nor dueAt, so one copy carries both derived fields.
  const final: PermissionRecord = { ...updated, lastEventAt, dueAt: nextDueAt(updated, policy) };
  const effects: readonly Effect[] = effect === 'sendOptIn' ? [{ type: 'sendOptIn', requestedAt: event.at }]
    : effect === 'connectCall' ? [{ type: 'connectCall', placedAt: event.at }] : NO_EFFECTS;
  return { record: final, changed: true, from, to, effects };
};
