import { mkdirSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SingleBar } from 'cli-progress';
import { permissionMachine } from '@callperm/core';
import { CliError } from '../CliError.js';
import type { CliIo } from '../CliIo.js';
import { toHtml } from '../chart/toHtml.js';
import { formatSummary } from '../simulate/formatSummary.js';
import { runSimulation } from '../simulate/runSimulation.js';
import { openStore } from '../store/openStore.js';
import { parseStoreSpec, type StoreSpec } from '../store/parseStoreSpec.js';
import type { SimulateOptions } from './simulateCommand.js';

/** A fresh place for this run: the default SQLite file is recreated; Redis and PostgreSQL get a new namespace unless one is given. */
const freshStore = (spec: StoreSpec, seed: number): StoreSpec => {
  const ns = `callperm_sim_${seed}_${process.pid}_${Math.floor(performance.now())}`;
  if (spec.kind === 'redis' && spec.namespace === null) return { ...spec, namespace: ns };
  if (spec.kind === 'postgres' && spec.namespace === null) return { ...spec, namespace: ns };
  return spec;
};

/**
 * What `callperm simulate` does once its options are parsed (loaded only when the
 * command runs, so `callperm --help` loads neither the fake Meta nor a store).
 *
 * @example
 * await simulateAction(io, { threads: 50, days: 3, seed: 1, faults: 'meta', channel: 'messenger', outDir: '.callperm', progress: false });
 */
export const simulateAction = async (io: CliIo, options: SimulateOptions): Promise<void> => {
  const outDir = resolve(io.cwd, options.outDir);
  mkdirSync(outDir, { recursive: true });
  let spec: StoreSpec;
  if (options.store === undefined) {
    const filename = join(outDir, 'simulate.sqlite');
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${filename}${suffix}`, { force: true });
    spec = { kind: 'sqlite', filename };
  } else {
    spec = freshStore(parseStoreSpec(options.store, io.cwd), options.seed);
  }
  const opened = await openStore(spec);
  const config = { threads: options.threads, days: options.days, seed: options.seed, faults: options.faults, channel: options.channel };
  const bar = options.progress && io.isTTY
    ? new SingleBar({ format: 'simulating [{bar}] day {value}/{total} | {duration_formatted}', hideCursor: true, stream: process.stderr })
    : null;
  bar?.start(config.days, 0);
  const began = performance.now();
  let result;
  try {
    result = await runSimulation(config, opened, {
      onDay: (day, days) => {
        if (bar) bar.update(day);
        else if (options.progress && (day === days || day % Math.max(1, Math.ceil(days / 10)) === 0)) io.err(`simulated day ${day}/${days}\n`);
      },
    });
  } finally {
    bar?.stop();
    await opened.close();
  }
  const elapsedMs = Math.round(performance.now() - began);
  const { summary, examples } = result;
  io.out(formatSummary(summary));
  const report = join(outDir, 'simulate-report.json');
  const chart = join(outDir, 'simulate-chart.html');
  await writeFile(report, `${JSON.stringify({ summary, violations: examples, store: opened.label, elapsedMs }, null, 2)}\n`);
  await writeFile(chart, await toHtml(permissionMachine, {
    title: `callperm simulate: ${config.threads} threads, ${config.days} days, seed ${config.seed}`,
    stateCounts: summary.finalStates,
  }));
  io.err(`store ${opened.label}\nreport ${report}\nchart ${chart}\nfinished in ${(elapsedMs / 1000).toFixed(1)} s\n`);
  const v = summary.violations;
  const total = v.total;
  if (total > 0) throw new CliError('violations', `${total} invariant violation(s); see ${report}.`);
};
