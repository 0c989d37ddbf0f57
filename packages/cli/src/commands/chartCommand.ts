import { Command, Option } from 'commander';
import type { CliIo } from '../CliIo.js';
import type { ChartFormat } from '../chart/exportChart.js';

/** `callperm chart`'s options, as commander parses them. */
export interface ChartOptions {
  readonly format?: ChartFormat;
  readonly detail?: 'full' | 'summary';
  readonly out?: string;
  readonly thread?: string;
  readonly store?: string;
  readonly title?: string;
}

/** Every chart format, spelt here so that defining the command loads no chart code (the type keeps it complete). */
const formats = Object.keys({ mermaid: true, dot: true, json: true, html: true } satisfies Record<ChartFormat, true>);

/**
 * `callperm chart`: the machine's chart from its definition, as Mermaid, DOT,
 * Stately-importable JSON or one offline HTML page; with `--thread` and
 * `--store`, the page replays that thread's consent history from the store.
 * The work is in `chartAction`, loaded when the command runs.
 *
 * @example
 * await runCli(['chart', '--format', 'html', '--out', 'chart.html'], io);
 */
export const chartCommand = (io: CliIo): Command => new Command('chart')
  .description('draw the permission machine from its definition (Mermaid, Graphviz DOT, Stately JSON or one offline HTML page)')
  .addOption(new Option('-f, --format <format>', 'output format (default: from --out\'s extension, else mermaid)').choices(formats))
  .addOption(new Option('--detail <detail>', 'Mermaid: one edge per transition, or one per pair of states').choices(['full', 'summary']).default('full'))
  .option('-o, --out <file>', 'write to FILE instead of stdout')
  .option('--thread <page:psid>', 'html: replay this thread\'s consent history from the store (needs --store)')
  .option('--store <spec>', 'where the thread lives: memory, sqlite:FILE, redis://..., postgres://...')
  .option('--title <title>', 'html: the page title')
  .action(async (options: ChartOptions) => {
    const { chartAction } = await import('./chartAction.js');
    await chartAction(io, options);
  });
