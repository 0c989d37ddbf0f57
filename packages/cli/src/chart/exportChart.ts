import { toMermaid } from '@callperm/core';
import type { AnyStateMachine } from 'xstate';
import { toChartJson } from './toChartJson.js';
import { toDot } from './toDot.js';
import { toHtml, type HtmlOptions } from './toHtml.js';

/** The formats `callperm chart` writes. */
export const chartFormats = ['mermaid', 'dot', 'json', 'html'] as const;
export type ChartFormat = (typeof chartFormats)[number];

/** Options of {@link exportChart}; `detail` is for Mermaid, the rest for DOT and HTML. */
export interface ChartExportOptions extends HtmlOptions {
  readonly detail?: 'full' | 'summary';
}

/**
 * Exports the machine's chart, from its definition, in one format. Every format
 * is stable byte for byte for the same machine and options.
 *
 * @example
 * const dot = await exportChart(permissionMachine, 'dot');
 * const mermaid = await exportChart(permissionMachine, 'mermaid', { detail: 'summary' });
 */
export const exportChart = async (machine: AnyStateMachine, format: ChartFormat, options: ChartExportOptions = {}): Promise<string> => {
  switch (format) {
    case 'mermaid':
      return toMermaid(machine, options.detail ? { detail: options.detail } : {});
    case 'dot':
      return toDot(machine, options.stateCounts ? { stateCounts: options.stateCounts } : {});
    case 'json':
      return toChartJson(machine);
    case 'html': {
      const { detail: _detail, ...html } = options;
      return toHtml(machine, html);
    }
  }
};
