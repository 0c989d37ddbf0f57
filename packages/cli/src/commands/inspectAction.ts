import { createActor, type InspectionEvent } from 'xstate';
import { permissionMachine } from '@callperm/core';
import { CliError } from '../CliError.js';
import type { CliIo } from '../CliIo.js';
import { inspectScenario } from '../inspect/inspectScenario.js';
import { connectStatelyRelay, type StatelyRelay } from '../inspect/statelyRelay.js';
import { toInspectionLine } from '../inspect/toInspectionLine.js';
import { DEFAULT_INSPECT_WS } from './inspectCommand.js';

const isLoopback = (url: string): boolean => {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
};

/**
 * What `callperm inspect` does once its options are parsed (loaded only when the
 * command runs, so `callperm --help` loads neither XState nor the relay).
 *
 * @example
 * await inspectAction(io, { start: '2026-01-01T00:00:00.000Z' });
 */
export const inspectAction = async (io: CliIo, options: { readonly ws?: string | true; readonly start: string }): Promise<void> => {
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
};
