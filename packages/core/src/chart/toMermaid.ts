import type { AnyStateMachine } from 'xstate';
import { chartModel, type ChartTransition } from './chartModel.js';

/** The label of one edge: `EVENT [guard] / action, action`. */
export const transitionLabel = (t: ChartTransition): string =>
  `${t.event}${t.guard ? ` [${t.guard}]` : ''}${t.actions.length > 0 ? ` / ${t.actions.join(', ')}` : ''}`;

/** Options of {@link toMermaid}. */
export interface MermaidOptions {
  /**
   * `full` (default): one edge per transition with guard and actions.
   * `summary`: one edge per pair of states, labelled with the events that take it.
   */
  readonly detail?: 'full' | 'summary';
}

const summaryEdges = (transitions: readonly ChartTransition[]): string[] => {
  const byPair = new Map<string, { from: string; to: string; events: string[] }>();
  for (const t of transitions) {
    const key = `${t.from}\u0000${t.to}`;
    const edge = byPair.get(key) ?? { from: t.from, to: t.to, events: [] };
    if (!edge.events.includes(t.event)) edge.events.push(t.event);
    byPair.set(key, edge);
  }
  return [...byPair.values()].map((e) => `  ${e.from} --> ${e.to}: ${e.events.join(', ')}`);
};

/**
 * Draws the machine as a Mermaid `stateDiagram-v2`, from its definition. Stable
 * byte for byte for a given machine.
 *
 * @example
 * const mermaid = toMermaid(permissionMachine, { detail: 'summary' });
 * mermaid.startsWith('stateDiagram-v2'); // true
 */
export const toMermaid = (machine: AnyStateMachine, options: MermaidOptions = {}): string => {
  const model = chartModel(machine);
  const edges = options.detail === 'summary'
    ? summaryEdges(model.transitions)
    : model.transitions.map((t) => `  ${t.from} --> ${t.to}: ${transitionLabel(t)}`);
  return `${['stateDiagram-v2', `  [*] --> ${model.initial}`, ...edges].join('\n')}\n`;
};
