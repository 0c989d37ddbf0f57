import { once } from 'node:events';
import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import type { InspectionEvent, Observer } from 'xstate';
import WebSocket from 'ws';

/** A live relay of inspection events to a `@statelyai/inspect` WebSocket server. */
export interface StatelyRelay {
  /** Pass as (or call from) the actor's `inspect` option. */
  readonly inspect: Observer<InspectionEvent>;
  /** How many Stately events were sent so far. */
  sent(): number;
  /** Waits for queued events to be sent, then closes the socket cleanly. */
  close(): Promise<void>;
}

/** @statelyai/inspect converts events on a 0 ms timer; a later 0 ms timer runs after all of them. */
const afterQueuedTimers = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Connects to a `@statelyai/inspect` WebSocket server (its `createInspectorServer`
 * from `@statelyai/inspect/server`, on loopback) and relays XState inspection
 * events to it in Stately's format, through that package's own `createInspector`.
 * Unlike its `createWebSocketInspector`, which retries forever in the background,
 * this connects once, fails fast, and flushes before closing.
 *
 * @example
 * const relay = await connectStatelyRelay('ws://127.0.0.1:8080');
 * createActor(permissionMachine, { inspect: relay.inspect }).start();
 * await relay.close();
 */
export const connectStatelyRelay = async (url: string): Promise<StatelyRelay> => {
  const socket = new WebSocket(url);
  await Promise.race([
    once(socket, 'open'),
    once(socket, 'error').then(([e]: unknown[]) => Promise.reject(e instanceof Error ? e : new Error(String(e)))),
  ]);
  let sent = 0;
  const send = (event: StatelyInspectionEvent): void => {
    socket.send(JSON.stringify(event));
    sent += 1;
  };
  const inspector = createInspector({ send }, { autoStart: false });
  return {
    inspect: inspector.inspect,
    sent: () => sent,
    close: async () => {
      await afterQueuedTimers();
      const closed = once(socket, 'close');
      socket.close(1000);
      await closed;
    },
  };
};
