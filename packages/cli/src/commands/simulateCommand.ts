import { Command, Option } from 'commander';
import { CliError } from '../CliError.js';
import type { CliIo } from '../CliIo.js';
import { channelModes, defaultSimulation, type ChannelMode, type FaultMode } from '../simulate/SimulationConfig.js';

/** `callperm simulate`'s options, as commander parses them. */
export interface SimulateOptions {
  readonly threads: number;
  readonly days: number;
  readonly seed: number;
  readonly faults: FaultMode;
  readonly channel: ChannelMode;
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

/**
 * `callperm simulate`: the main job on a fresh machine. Runs a fake Meta and a
 * host on loopback with N consumers over D virtual days, draws a progress bar,
 * prints a summary table (the same for the same seed), writes a JSON report and
 * the HTML chart with the run's state counts, and exits 1 on any invariant
 * violation. The work is in `simulateAction`, loaded when the command runs.
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
  .addOption(new Option('--channel <channel>', 'messenger: people on Messenger threads; whatsapp: on WhatsApp threads; both: alternating').choices(channelModes).default(defaultSimulation.channel))
  .option('--store <spec>', 'sqlite:FILE, memory, redis://HOST:PORT[#prefix] or postgres://USER@HOST/DB[#schema] (default: sqlite in --out-dir, recreated)')
  .option('--out-dir <dir>', 'where the report, the chart and the default SQLite file go', '.callperm')
  .option('--no-progress', 'no progress output on stderr')
  .action(async (options: SimulateOptions) => {
    const { simulateAction } = await import('./simulateAction.js');
    await simulateAction(io, options);
  });
