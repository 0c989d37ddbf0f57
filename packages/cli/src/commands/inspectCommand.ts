import { Command } from 'commander';
import { createActor, type InspectionEvent } from 'xstate';
import { permissionMachine } from '@callperm/core';
import { CliError } from '../CliError.js';
import type { CliIo } from '../CliIo.js';
import { inspectScenario } from '../inspect/inspectScenario.js';
import { connectStatelyRelay, type StatelyRelay } from '../inspect/statelyRelay.js';
import { toInspectionLine } from '../inspect/toInspectionLine.js';

/** Where `--ws` relays by default: `@statelyai/inspect`'s inspector server's default port, on loopback. */
export const DEFAULT_INSPECT_WS = 'ws://127.0.0.1:8080';

const isLoopback = (url: string): boolean => {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
};

/**
 * `callperm inspect`: runs a live actor of the permission machine through a short
 * scripted scenario and prints every XState inspection event as one JSON line;
 * with `--ws`, also relays them (in Stately's format) to a `@statelyai/inspect`
 * WebSocket server on loopback.
 *
 * @example
 * await runCli(['inspect'], io); // one JSON object per line on stdout
 */
export const inspectCommand = (io: CliIo): Command => new Command('inspect')
  .description('watch a live actor: XState inspection events as JSON lines, optionally relayed to @statelyai/inspect')
  .option('--ws [url]', `relay to a @statelyai/inspect WebSocket server on loopback (default ${DEFAULT_INSPECT_WS})`)
  .option('--start <iso>', 'the scenario\'s first instant', '2026-01-01T00:00:00.000Z')
  .action(async (options: { readonly ws?: string | true; readonly start: string }) => {
    const start = Date.parse(options.start);
    if (!Number.isFinite(start)) throw new CliError('usage', `--start needs an ISO instant such as 2026-01-01T00:00:00Z; got ${JSON.stringify(options.start)}.`);
    const url = options.ws === true ? DEFAULT_INSPECT_WS : options.ws;
    if (url !== undefined && !isLoopback(url)) {
      throw new CliError('usage', `--ws relays on loopback only (ws://127.0.0.1:PORT or ws://localhost:PORT); got ${url}.`);
    }
    let relay: StatelyRelay | undefined;
    if (url !== undefined) {
      relay = await connectStatelyRelay(url).catch((e: unknown) => {
        throw new CliError('relay', `Could not reach an inspector at ${url} (${e instanceof Error ? e.message : String(e)}). `
          + 'Start one with createInspectorServer() from @statelyai/inspect/server, or drop --ws.', { cause: e });
      });
    }
    const inspect = (e: InspectionEvent): void => {
      io.out(`${JSON.stringify(toInspectionLine(e))}\n`);
      relay?.inspect.next?.(e);
    };
    const actor = createActor(permissionMachine, { inspect });
    actor.start();
    for (const event of inspectScenario(start)) actor.send(event);
    actor.stop();
    if (relay) {
      await relay.close();
      io.err(`relayed ${relay.sent()} inspection events to ${url}\n`);
    }
  });
