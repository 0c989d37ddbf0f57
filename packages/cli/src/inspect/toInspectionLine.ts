import type { PermissionContext } from '@callperm/core';
import type { AnyTransitionDefinition, InspectionEvent } from 'xstate';

/** One inspection event as `callperm inspect` prints it: plain JSON, no actor references. */
export type InspectionLine =
  | { readonly type: '@xstate.actor'; readonly actor: string; readonly id: string; readonly logic: string | null }
  | { readonly type: '@xstate.event'; readonly actor: string; readonly source: string | null; readonly event: unknown }
  | { readonly type: '@xstate.microstep'; readonly actor: string; readonly event: string; readonly value: unknown; readonly transitions: readonly { readonly source: string; readonly targets: readonly string[]; readonly event: string }[] }
  | { readonly type: '@xstate.action'; readonly actor: string; readonly action: string; readonly params: unknown }
  | { readonly type: '@xstate.snapshot' | '@xstate.transition'; readonly actor: string; readonly event: string; readonly value: unknown; readonly status: string; readonly record: unknown };

const valueOf = (snapshot: unknown): unknown => (snapshot as { value?: unknown }).value ?? null;
const statusOf = (snapshot: unknown): string => {
  const status = (snapshot as { status?: unknown }).status;
  return typeof status === 'string' ? status : 'active';
};
const recordOf = (snapshot: unknown): unknown => (snapshot as { context?: Partial<PermissionContext> }).context?.record ?? null;

const describeTransition = (t: AnyTransitionDefinition): { source: string; targets: string[]; event: string } => {
  const targets = (t.target ?? []) as readonly { readonly key: string }[];
  const event = t.eventType as string;
  return { source: t.source.key, targets: targets.map((n) => n.key), event };
};

const actorNames = (ref: unknown): { id: string; logic: string | null } => {
  const r = ref as { id?: unknown; sessionId?: unknown; logic?: { id?: unknown } };
  const id = typeof r.id === 'string' ? r.id : String(r.sessionId);
  return { id, logic: typeof r.logic?.id === 'string' ? r.logic.id : null };
};

/**
 * Turns one XState inspection event into a JSON-safe line: the actor's session
 * id, the event, the state value, the machine's record (never the policy), the
 * transitions a microstep took and the actions it ran by name.
 *
 * @example
 * createActor(permissionMachine, { inspect: (e) => console.log(JSON.stringify(toInspectionLine(e))) });
 */
export const toInspectionLine = (e: InspectionEvent): InspectionLine => {
  const actor = e.actorRef.sessionId;
  switch (e.type) {
    case '@xstate.actor':
      return { type: e.type, actor, ...actorNames(e.actorRef) };
    case '@xstate.event':
      return { type: e.type, actor, source: e.sourceRef?.sessionId ?? null, event: e.event };
    case '@xstate.microstep':
      return { type: e.type, actor, event: e.event.type, value: valueOf(e.snapshot), transitions: e._transitions.map(describeTransition) };
    case '@xstate.action':
      return { type: e.type, actor, action: e.action.type, params: e.action.params ?? null };
    case '@xstate.snapshot':
    case '@xstate.transition':
      return { type: e.type, actor, event: e.event.type, value: valueOf(e.snapshot), status: statusOf(e.snapshot), record: recordOf(e.snapshot) };
  }
};
