/**
 * `pnpm bench`: every performance target of issue 7 with its in-run baseline,
 * medians of several rounds, min-max and spread. `--json` prints one object per
 * target; `--long` runs more rounds on more work; `--only P1,P2:sqlite` picks
 * targets (prefix match); `--rounds N`, `--scale X` tune by hand.
 * Benches are not tests: nothing here runs under vitest.
 */
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { heapBench } from './heapBench.js';
import { benchOptions, type BenchOptions } from './harness/BenchOptions.js';
import type { Outcome } from './harness/Metric.js';
import { jsonReport, table } from './harness/report.js';
import { pipelineTargets } from './pipeline/pipelineTargets.js';
import { pipelineBench } from './pipelineBench.js';
import { scaleBench } from './scaleBench.js';
import { sqliteDiskBench } from './sqliteDiskBench.js';
import { statusBench } from './statusBench.js';
import { stepBench } from './stepBench.js';

// Rounds start from a collected heap: re-run this file with --expose-gc when it is missing.
if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
  const r = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const onlyAt = argv.indexOf('--only');
const only = onlyAt === -1 ? null : (argv[onlyAt + 1] ?? '').split(',').filter((s) => s !== '');
const o = benchOptions(argv);
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

type Bench = { metric: string; run: (o: BenchOptions) => Promise<Outcome> };
const benches: Bench[] = [
  { metric: 'P1', run: stepBench },
  ...pipelineTargets.map((t): Bench => ({ metric: `P2:${t.metric}`, run: async (opts) => pipelineBench(opts, await t.target()) })),
  { metric: 'P3', run: statusBench },
  { metric: 'P4:memory', run: heapBench },
  { metric: 'P4:sqlite', run: sqliteDiskBench },
  { metric: 'P5', run: scaleBench },
];

const selected = benches.filter((b) => only === null || only.some((p) => b.metric.startsWith(p)));
const started = Date.now();
log(`callperm bench: ${selected.map((b) => b.metric).join(', ')}; ${o.rounds} rounds, scale ${o.scale}${o.long ? ' (--long)' : ''}`);
log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`);
const outcomes: Outcome[] = [];
for (const b of selected) {
  const t0 = Date.now();
  try {
    outcomes.push(await b.run(o));
  } catch (e) {
    outcomes.push({ metric: b.metric, why: e instanceof Error ? e.message.split('\n')[0]! : String(e) });
  }
  log(`  ${b.metric} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
log(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
if (json) process.stdout.write(`${JSON.stringify(jsonReport(outcomes), null, 2)}\n`);
else process.stdout.write(`${table(outcomes)}\n`);
