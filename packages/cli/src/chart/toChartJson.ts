import { chartModel } from '@callperm/core';
import type { AnyStateMachine } from 'xstate';

interface JsonTransition {
  guard?: unknown;
  eventType?: unknown;
  [key: string]: unknown;
}

interface JsonStateNode {
  key?: unknown;
  on?: Record<string, JsonTransition[]>;
  transitions?: JsonTransition[];
  states?: Record<string, JsonStateNode>;
  [key: string]: unknown;
}

/**
 * The machine as XState's own `toJSON()` shape (what Stately's editor imports),
 * with the guard names `toJSON` drops filled in from `chartModel`: combined
 * guards (`and([...])`) read `a and b`. Pretty-printed, with a final newline;
 * stable byte for byte for a given machine.
 *
 * @example
 * const json = JSON.parse(toChartJson(permissionMachine));
 * json.states.requested.on.REPLY_REJECT[0].guard; // 'isNewerRejection and answersPendingRequest'
 */
export const toChartJson = (machine: AnyStateMachine): string => {
  // Through JSON: what `toJSON` means to give (functions such as a context factory drop out).
  const root = JSON.parse(JSON.stringify(machine.toJSON())) as JsonStateNode;
  const model = chartModel(machine);
  for (const state of model.states) {
    const node = root.states?.[state];
    if (!node) continue;
    // chartModel lists a state's transitions in the order of its `on` map, as toJSON does.
    const mine = model.transitions.filter((t) => t.from === state);
    const byEvent = new Map<string, string[]>();
    for (const t of mine) byEvent.set(t.event, [...(byEvent.get(t.event) ?? []), t.guard ?? '']);
    for (const [event, defs] of Object.entries(node.on ?? {})) {
      const guards = byEvent.get(event) ?? [];
      defs.forEach((def, i) => {
        const named = guards[i];
        if (def.guard === undefined && named) def.guard = named;
      });
    }
    const seen = new Map<string, number>();
    for (const def of node.transitions ?? []) {
      const event = String(def.eventType);
      const i = seen.get(event) ?? 0;
      seen.set(event, i + 1);
      const named = byEvent.get(event)?.[i];
      if (def.guard === undefined && named) def.guard = named;
    }
  }
  return `${JSON.stringify(root, null, 2)}\n`;
};
