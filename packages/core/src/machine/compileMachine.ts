import type { AnyStateMachine } from 'xstate';
import { lifecycleStates, type LifecycleState } from './LifecycleState.js';
import {
  machineEffects, machineGuards, machineUpdates, settleState, type PlainGuard, type PlainUpdate,
} from './machineImplementations.js';
import { permissionEventTypes, type PermissionEvent } from './PermissionEvent.js';

type EventType = PermissionEvent['type'];
/** One compiled action: a record in, a record out (the same object when it changed nothing). */
export type CompiledOp = PlainUpdate['apply'];

/** One transition of the machine, resolved to plain functions, in the order XState tries it. */
export interface CompiledTransition {
  /** The guard as written (`a and b` for combinations), null when unguarded: for messages and tests. */
  readonly guardName: string | null;
  readonly guard: PlainGuard | null;
  /** The state it moves to; null when it stays (no target, so no entry action). */
  readonly target: LifecycleState | null;
  /** The transition's updates for this event type, then the target's entry actions, in order. */
  readonly ops: readonly CompiledOp[];
  /** Names of the effect markers among its actions (e.g. `sendOptIn`). */
  readonly effects: readonly string[];
}

/** Per state, per event type, the transitions in definition order. */
export type CompiledMachine = {
  readonly [S in LifecycleState]: { readonly [E in EventType]?: readonly CompiledTransition[] };
};

/** The machine uses a feature the compiler does not translate, so it refuses rather than guess. */
export class MachineCompileError extends Error {
  readonly code = 'machine_compile' as const;
  constructor(detail: string) {
    super(`Cannot compile the permission machine: ${detail}. Extend compileMachine.ts for it, or express it with `
      + 'named guards and actions from machineImplementations.ts.');
    this.name = 'MachineCompileError';
  }
}

interface Combinator {
  readonly name?: string;
  readonly guards?: readonly unknown[];
}
interface ActionObject {
  readonly type?: unknown;
  readonly params?: unknown;
}

const isOneOf = <T extends string>(list: readonly T[], v: unknown): v is T => (list as readonly unknown[]).includes(v);
const hasOwn = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/** Resolves a guard to a plain predicate: a name, `{ type }`, or XState's `and` / `or` / `not` of those. */
const compileGuard = (g: unknown, implemented: object): { name: string; fn: PlainGuard } => {
  if (typeof g === 'function' && Array.isArray((g as Combinator).guards)) {
    const kind = (g as Combinator).name;
    const parts = ((g as Combinator).guards ?? []).map((x) => compileGuard(x, implemented));
    const fns = parts.map((p) => p.fn);
    if (kind === 'and') {
      return { name: parts.map((p) => p.name).join(' and '), fn: (r, e, p) => fns.every((f) => f(r, e, p)) };
    }
    if (kind === 'or') {
      return { name: parts.map((p) => p.name).join(' or '), fn: (r, e, p) => fns.some((f) => f(r, e, p)) };
    }
    if (kind === 'not' && fns.length === 1) {
      const only = fns[0]!;
      return { name: `not ${parts[0]!.name}`, fn: (r, e, p) => !only(r, e, p) };
    }
    throw new MachineCompileError(`unknown guard combinator ${String(kind)}`);
  }
  const obj = g as ActionObject;
  const name = typeof g === 'string' ? g : typeof obj.type === 'string' && obj.params === undefined ? obj.type : null;
  if (name === null) throw new MachineCompileError('an inline or parameterised guard has no plain counterpart');
  if (!hasOwn(machineGuards, name) || !hasOwn(implemented, name)) {
    throw new MachineCompileError(`guard ${name} is not both in machineGuards and in the machine's setup`);
  }
  return { name, fn: machineGuards[name as keyof typeof machineGuards] };
};

/** Resolves one action for `event`: an update op (null when it ignores this event type), or an effect marker. */
const compileAction = (
  a: unknown, event: EventType, implemented: object,
): { op: CompiledOp | null; effect: string | null } => {
  const obj = a as ActionObject;
  const name = typeof a === 'string' ? a : typeof obj.type === 'string' ? obj.type : null;
  if (name === null) throw new MachineCompileError('an inline action has no plain counterpart');
  if (!hasOwn(implemented, name)) throw new MachineCompileError(`action ${name} is not in the machine's setup`);
  if (name === 'settleState') {
    const state = (obj.params as { state?: unknown } | undefined)?.state;
    if (!isOneOf(lifecycleStates, state)) throw new MachineCompileError('settleState needs a lifecycle state as params.state');
    return { op: (r) => settleState(r, state), effect: null };
  }
  if (obj.params !== undefined) throw new MachineCompileError(`action ${name} takes no params`);
  if (hasOwn(machineUpdates, name)) {
    const u: PlainUpdate = machineUpdates[name as keyof typeof machineUpdates];
    return { op: u.events.includes(event) ? u.apply : null, effect: null };
  }
  if (isOneOf(machineEffects, name)) return { op: null, effect: name };
  throw new MachineCompileError(`action ${name} is neither an update, an effect nor settleState`);
};

interface StateNodeLike {
  readonly key: string;
  readonly states: Record<string, unknown>;
  readonly entry: readonly unknown[];
  readonly exit: readonly unknown[];
  readonly always?: readonly unknown[] | undefined;
  readonly invoke: readonly unknown[];
  readonly after: readonly unknown[];
  readonly transitions: Map<string, readonly {
    readonly guard?: unknown;
    readonly target?: readonly StateNodeLike[] | undefined;
    readonly actions: readonly unknown[];
    readonly reenter: boolean;
  }[]>;
}

const assertFlat = (node: StateNodeLike, where: string): void => {
  if (Object.keys(node.states).length > 0) throw new MachineCompileError(`${where} has child states`);
  if (node.exit.length > 0) throw new MachineCompileError(`${where} has exit actions`);
  if ((node.always?.length ?? 0) > 0) throw new MachineCompileError(`${where} has eventless (always) transitions`);
  if (node.invoke.length > 0) throw new MachineCompileError(`${where} invokes actors`);
  if (node.after.length > 0) throw new MachineCompileError(`${where} has delayed (after) transitions`);
};

/**
 * Reads the XState machine's own definition (per state, per event, in order: the
 * guard by name, `and`/`or`/`not` included, the target, the actions by name, the
 * target's entry actions) into a table of the very functions `setup` names, so a
 * stepper can run it without building an actor. Anything it cannot translate
 * faithfully throws `MachineCompileError` when the module loads.
 *
 * @example
 * const table = compileMachine(permissionMachine);
 * table.approved.TICK?.[0]?.guardName; // 'hasLapsed'
 */
export const compileMachine = (machine: AnyStateMachine): CompiledMachine => {
  const root = machine.root as unknown as StateNodeLike & { readonly transitions: Map<string, unknown> };
  const implementations = machine.implementations as { guards: object; actions: object };
  if (root.transitions.size > 0 || root.entry.length > 0) throw new MachineCompileError('the root has its own transitions or entry actions');
  const table = Object.fromEntries(lifecycleStates.map((s) => [s, {}])) as Record<LifecycleState, Partial<Record<EventType, CompiledTransition[]>>>;
  for (const [key, raw] of Object.entries(root.states)) {
    const node = raw as StateNodeLike;
    if (!isOneOf(lifecycleStates, key)) throw new MachineCompileError(`state ${key} is not a lifecycle state`);
    assertFlat(node, `state ${key}`);
    for (const [event, defs] of node.transitions) {
      if (!isOneOf(permissionEventTypes, event)) throw new MachineCompileError(`event descriptor ${event} is not one event type`);
      table[key][event] = defs.map((def): CompiledTransition => {
        const targets = def.target ?? [];
        if (targets.length > 1) throw new MachineCompileError(`${key} on ${event} has several targets`);
        const targetNode = targets[0];
        const target = targetNode?.key ?? null;
        if (target !== null && !isOneOf(lifecycleStates, target)) throw new MachineCompileError(`target ${target} is not a lifecycle state`);
        // XState enters the target unless it is the source itself and the transition does not re-enter.
        const enters = targetNode !== undefined && (targetNode !== node || def.reenter);
        if (def.reenter && node.exit.length > 0) throw new MachineCompileError('re-entering a state with exit actions');
        const compiled = [...def.actions, ...(enters ? targetNode.entry : [])].map((a) => compileAction(a, event, implementations.actions));
        const guard = def.guard === undefined ? null : compileGuard(def.guard, implementations.guards);
        return {
          guardName: guard?.name ?? null,
          guard: guard?.fn ?? null,
          target,
          ops: compiled.flatMap((c) => (c.op ? [c.op] : [])),
          effects: compiled.flatMap((c) => (c.effect ? [c.effect] : [])),
        };
      });
    }
  }
  return table;
};
