import type { AnyStateMachine } from 'xstate';

/** One edge of the chart: an event, the guard that admits it, the named actions it runs. */
export interface ChartTransition {
  readonly from: string;
  /** The target state; equal to `from` for a transition that stays (no re-entry). */
  readonly to: string;
  readonly event: string;
  /** The guard by name; combined guards read `a and b`. Null when unguarded. */
  readonly guard: string | null;
  readonly actions: readonly string[];
  /** False for a transition that only updates context (no target). */
  readonly external: boolean;
}

/** The machine's definition as plain data: what every chart format is drawn from. */
export interface ChartModel {
  readonly id: string;
  readonly initial: string;
  readonly states: readonly string[];
  readonly transitions: readonly ChartTransition[];
}

interface GuardLike {
  readonly name?: string;
  readonly type?: string;
  readonly guards?: readonly unknown[];
}

/** Names a guard: a string, a `{ type }` object, or XState's `and`/`or`/`not` combinators (functions with `guards`). */
const guardName = (g: unknown): string | null => {
  if (g === undefined || g === null) return null;
  if (typeof g === 'string') return g;
  const like = g as GuardLike;
  if (typeof g === 'function' && like.guards) {
    const parts = like.guards.map(guardName);
    if (like.name === 'not') return `not ${parts.join('')}`;
    return parts.join(like.name === 'or' ? ' or ' : ' and ');
  }
  if (typeof like.type === 'string') return like.type;
  return 'inline';
};

const actionName = (a: unknown): string => {
  if (typeof a === 'string') return a;
  const like = a as { type?: unknown };
  return typeof like.type === 'string' ? like.type : 'inline';
};

/**
 * Reads a flat machine's states and transitions, in definition order, with guard
 * and action names, straight from its state nodes (not from `toJSON`, which drops
 * combined guards).
 *
 * @example
 * chartModel(permissionMachine).states; // ['none', 'requested', 'approved', 'rejected', 'expired']
 */
export const chartModel = (machine: AnyStateMachine): ChartModel => {
  const root = machine.root;
  const states = Object.keys(root.states);
  const transitions: ChartTransition[] = [];
  for (const name of states) {
    const node = root.states[name]!;
    for (const [event, defs] of node.transitions) {
      for (const def of defs) {
        const target = def.target?.[0]?.key;
        transitions.push({
          from: name,
          to: target ?? name,
          event,
          guard: guardName(def.guard),
          actions: def.actions.map(actionName),
          external: target !== undefined,
        });
      }
    }
  }
  const initial = root.config.initial;
  return { id: root.id, initial: typeof initial === 'string' ? initial : states[0] ?? '', states, transitions };
};
