import { chartModel, type HistoryEntry, type Thread } from '@callperm/core';
import type { AnyStateMachine } from 'xstate';
import { chartPageScript } from './chartPageScript.js';
import { chartPageStyle } from './chartPageStyle.js';
import { describeSource } from './describeSource.js';
import { renderSvg } from './renderSvg.js';
import { toDot, transitionClass } from './toDot.js';

/** A thread's consent history to walk through on the page. */
export interface ChartReplay {
  readonly thread: Thread;
  /** The state before the first step (the oldest step's `from`, or the stored state when the thread has no history). */
  readonly start: string;
  /** The thread's history entries, oldest first. */
  readonly steps: readonly HistoryEntry[];
  /** True when older entries were left out: `steps` are the newest ones only. */
  readonly cut?: boolean;
}

/** Options of {@link toHtml}. */
export interface HtmlOptions {
  readonly title?: string;
  readonly replay?: ChartReplay;
  /** Threads per state (a simulation's end state): shown on the nodes and in a table. */
  readonly stateCounts?: Readonly<Record<string, number>>;
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JSON safe inside a `<script>` element. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');

/** An instant as ISO 8601 (the number itself when it is out of the Date range). */
const iso = (at: number): string => {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? String(at) : d.toISOString();
};

/** A step's `from`: unknown (null) after an operator's reset of a corrupt row. */
const fromText = (s: HistoryEntry): string => s.from ?? '?';

const stepItem = (s: HistoryEntry, i: number): string =>
  `<li data-step="${i + 1}"><span class="t">${esc(iso(s.at))}</span> <code>${esc(s.event)}</code> ${esc(fromText(s))} → ${esc(s.to)}`
  + ` <span class="src" title="${esc(describeSource(s.source, Infinity))}">${esc(describeSource(s.source))}</span>${s.reason ? ` <span class="t">(${esc(s.reason)})</span>` : ''}</li>`;

const replayPanel = (r: ChartReplay): string => `<section id="replay">
<h2>Thread ${esc(r.thread.pageId)}:${esc(r.thread.psid)}</h2>
<div class="controls"><button id="step-first">First</button><button id="step-prev">Prev</button><button id="step-play">Play</button><button id="step-next">Next</button><button id="step-last">Last</button></div>
<input id="step-range" type="range" min="0" max="${r.steps.length}" value="0" aria-label="step">
<p id="step-label"></p>
${r.cut ? `<p id="steps-cut">Only the newest ${r.steps.length} steps; older ones are not shown.</p>\n` : ''}<ol id="steps">
<li data-step="0"><span class="t">start</span> ${esc(r.start)}</li>
${r.steps.map(stepItem).join('\n')}
</ol>
</section>`;

const countsPanel = (states: readonly string[], counts: Readonly<Record<string, number>>): string => `<section id="state-counts">
<h2>Threads per state</h2>
<table><thead><tr><th>state</th><th>threads</th></tr></thead><tbody>
${states.map((s) => `<tr><td>${esc(s)}</td><td class="n">${counts[s] ?? 0}</td></tr>`).join('\n')}
</tbody></table>
</section>`;

/**
 * One self-contained HTML page of the machine's chart that works offline: the
 * chart is laid out by Graphviz (WebAssembly) in Node and inlined as SVG, with
 * a small inline script and stylesheet; no network, no CDN. Lists every
 * transition with its guard and actions; with `replay`, walks a thread's
 * consent history over the chart step by step, each step with its source. Stable byte for byte for the same inputs.
 *
 * @example
 * const html = await toHtml(permissionMachine, { replay: { thread, start: 'none', steps } });
 * await writeFile('chart.html', html);
 */
export const toHtml = async (machine: AnyStateMachine, options: HtmlOptions = {}): Promise<string> => {
  const model = chartModel(machine);
  const svg = await renderSvg(toDot(machine, options.stateCounts ? { stateCounts: options.stateCounts } : {}));
  const title = options.title ?? `${model.id}: state chart`;
  const data = {
    machine: model.id,
    states: model.states,
    transitions: model.transitions.map((t) => ({ from: t.from, to: t.to, event: t.event })),
    replay: options.replay
      ? {
        thread: options.replay.thread,
        start: options.replay.start,
        cut: options.replay.cut === true,
        steps: options.replay.steps.map((s) => ({ ...s, time: iso(s.at), via: describeSource(s.source) })),
      }
      : null,
  };
  const rows = model.transitions.map((t, i) => `<tr data-transition="${transitionClass(i)}"><td class="n">${i}</td><td>${esc(t.from)}</td><td><code>${esc(t.event)}</code></td><td>${t.guard ? `<code>${esc(t.guard)}</code>` : ''}</td><td>${esc(t.to)}${t.external ? '' : ' (stays)'}</td><td>${t.actions.map((a) => `<code>${esc(a)}</code>`).join(', ')}</td></tr>`);
  const aside = [
    options.replay ? replayPanel(options.replay) : '',
    options.stateCounts ? countsPanel(model.states, options.stateCounts) : '',
  ].filter((s) => s !== '');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${chartPageStyle}</style>
</head>
<body data-machine="${esc(model.id)}">
<header>
<h1>${esc(title)}</h1>
<p>${model.states.length} states, ${model.transitions.length} transitions, drawn from the machine's definition. Edge labels: <code>EVENT [guard]</code>; dashed loops keep the state and update the record. Hover an edge for its actions.</p>
</header>
<main>
<section id="chart">
${svg.trimEnd()}
</section>
${aside.length > 0 ? `<aside>\n${aside.join('\n')}\n</aside>\n` : ''}</main>
<section id="transitions">
<h2>Transitions</h2>
<table><thead><tr><th>#</th><th>from</th><th>event</th><th>guard</th><th>to</th><th>actions</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
</section>
<script type="application/json" id="callperm-data">${scriptJson(data)}</script>
<script>${chartPageScript}</script>
</body>
</html>
`;
};
