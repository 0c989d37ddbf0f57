import { Command } from 'commander';
import type { CliIo } from '../CliIo.js';

/** Where `--ws` relays by default: `@statelyai/inspect`'s inspector server's default port, on loopback. */
export const DEFAULT_INSPECT_WS = 'ws://127.0.0.1:8080';

/**
 * `callperm inspect`: runs a live actor of the permission machine through a short
 * scripted scenario and prints every XState inspection event as one JSON line;
 * with `--ws`, also relays them (in Stately's format) to a `@statelyai/inspect`
 * WebSocket server on loopback. The work is in `inspectAction`, loaded when the
 * command runs.
 *
 * @example
 * await runCli(['inspect'], io); // one JSON object per line on stdout
 */
export const inspectCommand = (io: CliIo): Command => new Command('inspect')
  .description('watch a live actor: XState inspection events as JSON lines, optionally relayed to @statelyai/inspect')
  .option('--ws [url]', `relay to a @statelyai/inspect WebSocket server on loopback (default ${DEFAULT_INSPECT_WS})`)
  .option('--start <iso>', 'the scenario\'s first instant', '2026-01-01T00:00:00.000Z')
  .action(async (options: { readonly ws?: string | true; readonly start: string }) => {
    const { inspectAction } = await import('./inspectAction.js');
    await inspectAction(io, options);
  });
