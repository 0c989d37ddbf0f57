import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { createInspectorServer } from '@statelyai/inspect/server';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { exitCodes } from '../../src/CliError.js';
import { cli } from '../support/captureIo.js';

interface Line { type: string; value?: unknown; event?: unknown }

const lines = (stdout: string): Line[] => stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Line);

/** The states the actor's snapshots went through, without repeats. */
const path = (ls: readonly Line[]): unknown[] => ls
  .filter((l) => l.type === '@xstate.snapshot')
  .map((l) => l.value)
  .filter((v, i, all) => i === 0 || v !== all[i - 1]);

const freePort = async (): Promise<number> => {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
};

describe('callperm inspect', () => {
  it('prints every inspection event of the scripted scenario as one JSON line', async () => {
    const run = await cli(['inspect']);
    expect(run.code).toBe(0);
    const ls = lines(run.stdout);
    expect(new Set(ls.map((l) => l.type))).toEqual(new Set(['@xstate.actor', '@xstate.event', '@xstate.snapshot', '@xstate.microstep', '@xstate.action']));
    expect(path(ls)).toEqual(['none', 'requested', 'approved', 'expired', 'requested', 'rejected', 'approved']);
  });

  it('prints the same lines on every run but for the actor ids', async () => {
    const strip = (s: string) => s.replace(/"x:\d+"/g, '"x"');
    expect(strip((await cli(['inspect'])).stdout)).toBe(strip((await cli(['inspect'])).stdout));
  });

  it('--ws relays the events to a @statelyai/inspect server on loopback, in Stately\'s format', async () => {
    const port = await freePort();
    const server = createInspectorServer({ port, autoOpen: false });
    const viewer = new WebSocket(`ws://127.0.0.1:${port}`);
    try {
      await once(viewer, 'open');
      const received: { type: string; _version?: string; sessionId?: string }[] = [];
      viewer.on('message', (data: Buffer) => received.push(JSON.parse(data.toString()) as { type: string }));

      const run = await cli(['inspect', '--ws', `ws://127.0.0.1:${port}`]);
      expect(run.code).toBe(0);
      // Stately relays actor, event and snapshot events (not microsteps or actions).
      const relayable = lines(run.stdout).filter((l) => ['@xstate.actor', '@xstate.event', '@xstate.snapshot'].includes(l.type));
      while (received.length < relayable.length) await once(viewer, 'message');
      expect(received.map((e) => e.type)).toEqual(relayable.map((l) => l.type));
      for (const e of received) expect(typeof e._version).toBe('string');
    } finally {
      viewer.close();
      server.stop();
    }
  });

  it('--ws to an address that does not answer fails fast with exit 1', async () => {
    const run = await cli(['inspect', '--ws', `ws://127.0.0.1:${await freePort()}`]);
    expect(run.code).toBe(exitCodes.relay);
  });

  it('--ws off loopback is a usage error', async () => {
    const run = await cli(['inspect', '--ws', 'ws://192.0.2.1:8080']);
    expect(run.code).toBe(exitCodes.usage);
  });
});
