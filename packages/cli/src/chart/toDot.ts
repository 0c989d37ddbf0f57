import { chartModel, type ChartTransition } from '@callperm/core';
import type { AnyStateMachine } from 'xstate';

/** Options of {@link toDot}. */
export interface DotOptions {
  /** Threads per state (a simulation's end state): printed under each state's name. */
  readonly stateCounts?: Readonly<Record<string, number>>;
}

/** Quotes a DOT string: backslashes and double quotes escaped, newlines as `\n`. */
const q = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** Escapes text for a Graphviz HTML-like label. */
const h = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const attrs = (pairs: Readonly<Record<string, string>>): string =>
  `[${Object.entries(pairs).map(([k, v]) => (k === 'label' && v.startsWith('<') ? `${k}=${v}` : `${k}=${q(v)}`)).join(', ')}]`;

/** The SVG id of a state's node in every chart drawn from {@link toDot}. */
export const stateNodeId = (state: string): string => `state-${state}`;

/** The class every drawn edge carries for each transition (by `chartModel` index) it stands for. */
export const transitionClass = (index: number): string => `t-${index}`;

/** Transitions drawn as one edge: same source, same target. */
interface EdgeGroup {
  readonly from: string;
  readonly to: string;
  readonly members: { readonly index: number; readonly t: ChartTransition }[];
}

const groupEdges = (transitions: readonly ChartTransition[]): EdgeGroup[] => {
  const groups = new Map<string, EdgeGroup>();
  transitions.forEach((t, index) => {
    const key = `${t.from}\u0000${t.to}`;
    const g = groups.get(key) ?? { from: t.from, to: t.to, members: [] };
    g.members.push({ index, t });
    groups.set(key, g);
  });
  return [...groups.values()];
};

/** One transition in an edge label: the event, then its guard in small grey type, one conjunct a line. */
const line = (t: ChartTransition): string => {
  const guard = t.guard === null ? [] : t.guard.split(' and ').map((part, i, all) =>
    `<FONT POINT-SIZE="8" COLOR="#6b7385">${i === 0 ? '[' : '&#160;'}${h(part)}${i === all.length - 1 ? ']' : ' and'}</FONT><BR ALIGN="LEFT"/>`);
  return `<B>${h(t.event)}</B><BR ALIGN="LEFT"/>${guard.join('')}`;
};

const tooltip = (g: EdgeGroup): string => g.members
  .map(({ t }) => `${t.event}${t.guard ? ` [${t.guard}]` : ''}${t.actions.length > 0 ? ` / ${t.actions.join(', ')}` : ''}`)
  .join('\n');

/**
 * Draws the machine as Graphviz DOT from its definition: one node per state and
 * one edge per pair of states (and kind), listing every transition it stands for
 * as `EVENT [guard]` (actions in the tooltip). Transitions that keep the state
 * (and only update the record) are one dashed self-loop per state. Ids are stable: nodes are
 * `state-NAME`, each edge carries class `t-N` for each `chartModel` transition N
 * it draws. Stable byte for byte for a given machine.
 *
 * @example
 * const dot = toDot(permissionMachine);
 * dot.startsWith('digraph "callPermission" {'); // true
 */
export const toDot = (machine: AnyStateMachine, options: DotOptions = {}): string => {
  const model = chartModel(machine);
  const lines = [
    `digraph ${q(model.id)} {`,
    `  graph ${attrs({ rankdir: 'TB', fontname: 'Helvetica', nodesep: '0.6', ranksep: '0.9', pad: '0.3', bgcolor: 'white' })};`,
    `  node ${attrs({ shape: 'box', style: 'rounded,filled', fillcolor: '#eef2f7', color: '#4a5568', fontname: 'Helvetica', fontsize: '18', margin: '0.3,0.14' })};`,
    `  edge ${attrs({ fontname: 'Helvetica', fontsize: '10', color: '#8a94a6', fontcolor: '#2d3748', arrowsize: '0.8' })};`,
    `  "__initial" ${attrs({ shape: 'point', width: '0.2', label: '', id: 'initial', fillcolor: '#2d3748' })};`,
    `  "__initial" -> ${q(model.initial)} ${attrs({ id: 'initial-edge' })};`,
  ];
  for (const state of model.states) {
    const count = options.stateCounts?.[state];
    const label = count === undefined ? state : `${state}\n${count} thread${count === 1 ? '' : 's'}`;
    lines.push(`  ${q(state)} ${attrs({ id: stateNodeId(state), class: 'state', label, tooltip: state })};`);
  }
  for (const g of groupEdges(model.transitions)) {
    const stays = g.from === g.to;
    lines.push(`  ${q(g.from)} -> ${q(g.to)} ${attrs({
      id: `edge-${g.from}-${g.to}`,
      class: ['transition', stays ? 'stays' : 'moves', ...g.members.map((m) => transitionClass(m.index))].join(' '),
      label: `<${g.members.map((m) => line(m.t)).join('')}>`,
      tooltip: tooltip(g),
      ...(stays ? { style: 'dashed' } : {}),
    })};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
};
