import { mkdirSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { permissionMachine } from '@callperm/core';
import { CliError } from '../CliError.js';
import type { CliIo } from '../CliIo.js';
import { toHtml } from '../chart/toHtml.js';
import { formatSummary } from '../simulate/formatSummary.js';
import { runSimulation } from '../simulate/runSimulation.js';
import { defaultSimulation, type FaultMode } from '../simulate/SimulationConfig.js';
import { openStore } from '../store/openStore.js';
import { parseStoreSpec, type StoreSpec } from '../store/parseStoreSpec.js';

interface SimulateOptions {
  readonly threads: number;
  readonly days: number;
  readonly seed: number;
  readonly faults: FaultMode;
  readonly store?: string;
  readonly outDir: string;
  readonly progress: boolean;
}

const positiveInt = (name: string, max: number) => (raw: string): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new CliError('usage', `${name} must be a whole number from 1 to ${max}; got ${JSON.stringify(raw)}.`);
  return n;
};

const seedOf = (raw: string): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new CliError('usage', `--seed must be a whole number from 0 to 4294967295; got ${JSON.stringify(raw)}.`);
  return n;
};

/** A fresh place for this run: the default SQLite file is recreated; Redis and PostgreSQL get a new namespace unless one is given. */
const freshStore = (spec: StoreSpec, seed: number): StoreSpec => {
  const ns = `callperm_sim_${seed}_${process.pid}_${Math.floor(performance.now())}`;
  if (spec.kind === 'redis' && spec.namespace === null) return { ...spec, namespace: ns };
  if (spec.kind === 'postgres' && spec.namespace === null) return { ...spec, namespace: ns };
  return spec;
};

/**
 * `callperm simulate`: the main job on a fresh machine. Runs a fake Meta and a
 * host on loopback with N consumers over D virtual days, draws a progress bar,
 * prints a summary table (the same for the same seed), writes a JSON report and
 * the HTML chart with the run's state counts, and exits 1 on any invariant
 * violation.
 *
 * @example
 * await runCli(['simulate', '--threads', '1000', '--days', '30', '--seed', '7'], io);
 */
export const simulateCommand = (io: CliIo): Command => new Command('simulate')
  .description('simulate consumers, opt-ins, replies, calls and Meta\'s faults against a fake Meta, on a real store; exit 1 on any invariant violation')
  .option('--threads <n>', 'consumers (one thread each)', positiveInt('--threads', 1_000_000), defaultSimulation.threads)
  .option('--days <n>', 'virtual days', positiveInt('--days', 3650), defaultSimulation.days)
  .option('--seed <n>', 'random seed: the same seed gives the same summary', seedOf, defaultSimulation.seed)
  .addOption(new Option('--faults <mode>', 'meta: duplicated and reordered webhooks, Graph 5xx and resets, throttling; none: a tidy Meta').choices(['none', 'meta']).default(defaultSimulation.faults))
  .option('--store <spec>', 'sqlite:FILE, memory, redis://HOST:PORT[#prefix] or postgres://USER@HOST/DB[#schema] (default: sqlite in --out-dir, recreated)')
  .option('--out-dir <dir>', 'where the report, the chart and the default SQLite file go', '.callperm')
  .option('--no-progress', 'no progress output on stderr')
  .action(async (options: SimulateOptions) => {
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
    const config = { threads: options.threads, days: options.days, seed: options.seed, faults: options.faults };
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
    const total = v.quotaExceeded + v.callWithoutPermission + v.optInSentTwice;
    if (total > 0) throw new CliError('violations', `${total} invariant violation(s); see ${report}.`);
  });
