import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { permissionMachine, type Thread } from '@callperm/core';
import { CliError } from '../CliError.js';
import type { CliIo } from '../CliIo.js';
import { exportChart, type ChartExportOptions, type ChartFormat } from '../chart/exportChart.js';
import { historyReplay, REPLAY_LIMIT } from '../chart/historyReplay.js';
import type { ChartReplay } from '../chart/toHtml.js';
import { parseThread } from '../parseThread.js';
import { openStore } from '../store/openStore.js';
import { parseStoreSpec } from '../store/parseStoreSpec.js';
import type { ChartOptions } from './chartCommand.js';

/** The machine's initial state: where a thread with no record stands. */
const initialState = (): string => ((s: unknown): string => (typeof s === 'string' ? s : 'none'))(permissionMachine.root.config.initial);

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
    const stored = async (): Promise<string> => (await opened.store.get(thread))?.record.state ?? initialState();
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
 * What `callperm chart` does once its options are parsed (loaded only when the
 * command runs, so `callperm --help` loads no chart code).
 *
 * @example
 * await chartAction(io, { format: 'dot' });
 */
export const chartAction = async (io: CliIo, options: ChartOptions): Promise<void> => {
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
};
