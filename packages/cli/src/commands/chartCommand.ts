import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { permissionMachine, type Thread } from '@callperm/core';
import { CliError } from '../CliError.js';
import type { CliIo } from '../CliIo.js';
import { chartFormats, exportChart, type ChartExportOptions, type ChartFormat } from '../chart/exportChart.js';
import { historyReplay, REPLAY_LIMIT } from '../chart/historyReplay.js';
import type { ChartReplay } from '../chart/toHtml.js';
import { parseThread } from '../parseThread.js';
import { openStore } from '../store/openStore.js';
import { parseStoreSpec } from '../store/parseStoreSpec.js';

interface ChartOptions {
  readonly format?: ChartFormat;
  readonly detail?: 'full' | 'summary';
  readonly out?: string;
  readonly thread?: string;
  readonly store?: string;
  readonly title?: string;
}

/** The machine's initial state: where a thread with no record stands. */
const initialState = ((s: unknown): string => (typeof s === 'string' ? s : 'none'))(permissionMachine.root.config.initial);

const byExtension: Readonly<Record<string, ChartFormat>> = {
  '.html': 'html', '.htm': 'html', '.dot': 'dot', '.gv': 'dot', '.json': 'json', '.mmd': 'mermaid', '.mermaid': 'mermaid',
};

/**
 * Reads a thread's replay from a store's consent history (its newest
 * `REPLAY_LIMIT` entries, saying so on stderr when older ones were left out), or
 * its stored state when it has no history.
 */
const loadReplay = async (storeSpec: string, thread: Thread, io: CliIo): Promise<ChartReplay> => {
  const spec = parseStoreSpec(storeSpec, io.cwd);
  if (spec.kind === 'sqlite' && !existsSync(spec.filename)) {
    throw new CliError('store', `There is no SQLite store at ${spec.filename}: check the path (simulate writes .callperm/simulate.sqlite).`);
  }
  const opened = await openStore(spec);
  try {
    const stored = async (): Promise<string> => (await opened.store.get(thread))?.record.state ?? initialState;
    const replay = await historyReplay(opened.store, thread, stored);
    if (replay.cut) {
      io.err(`${thread.pageId}:${thread.psid} has more than ${REPLAY_LIMIT} history entries: the chart replays the newest ${replay.steps.length}.\n`);
    }
    return replay;
  } finally {
    await opened.close();
  }
};

/**
 * `callperm chart`: the machine's chart from its definition, as Mermaid, DOT,
 * Stately-importable JSON or one offline HTML page; with `--thread` and
 * `--store`, the page replays that thread's consent history from the store.
 *
 * @example
 * await runCli(['chart', '--format', 'html', '--out', 'chart.html'], io);
 */
export const chartCommand = (io: CliIo): Command => new Command('chart')
  .description('draw the permission machine from its definition (Mermaid, Graphviz DOT, Stately JSON or one offline HTML page)')
  .addOption(new Option('-f, --format <format>', 'output format (default: from --out\'s extension, else mermaid)').choices(chartFormats))
  .addOption(new Option('--detail <detail>', 'Mermaid: one edge per transition, or one per pair of states').choices(['full', 'summary']).default('full'))
  .option('-o, --out <file>', 'write to FILE instead of stdout')
  .option('--thread <page:psid>', 'html: replay this thread\'s consent history from the store (needs --store)')
  .option('--store <spec>', 'where the thread lives: memory, sqlite:FILE, redis://..., postgres://...')
  .option('--title <title>', 'html: the page title')
  .action(async (options: ChartOptions) => {
    const format = options.format ?? (options.out ? byExtension[extname(options.out).toLowerCase()] : undefined) ?? 'mermaid';
    if (options.thread !== undefined && format !== 'html') {
      throw new CliError('usage', 'A thread\'s history replays in the HTML chart only: add --format html (or --out FILE.html).');
    }
    if (options.thread !== undefined && options.store === undefined) {
      throw new CliError('usage', 'Say where the thread lives: add --store sqlite:FILE (or memory, redis://..., postgres://...).');
    }
    const exportOptions: ChartExportOptions = {
      ...(options.detail ? { detail: options.detail } : {}),
      ...(options.title ? { title: options.title } : {}),
      ...(options.thread !== undefined && options.store !== undefined
        ? { replay: await loadReplay(options.store, parseThread(options.thread), io) }
        : {}),
    };
    const text = await exportChart(permissionMachine, format, exportOptions);
    if (options.out === undefined) return io.out(text);
    const file = resolve(io.cwd, options.out);
    await writeFile(file, text);
    io.err(`wrote ${format} chart to ${file} (${Buffer.byteLength(text)} bytes)\n`);
  });
