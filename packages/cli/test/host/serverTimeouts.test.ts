import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { CallPermissions } from '@callperm/core';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultServerTimeouts, ServerTimeoutError } from '../../src/host/serverTimeouts.js';
import { startHost, type RunningHost } from '../../src/host/startHost.js';
import { startListener } from '../../src/host/startListener.js';

/** Opens a raw connection to `url` and writes `text` without ever finishing the request. */
const stall = async (url: string, text: string): Promise<{ socket: Socket; received: () => string }> => {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  let received = '';
  socket.on('data', (c: Buffer) => { received += c.toString('latin1'); });
  socket.on('error', () => undefined);
  socket.write(text);
  return { socket, received: () => received };
};

describe('listener timeouts', () => {
  let host: RunningHost | undefined;
  afterEach(async () => { await host?.close(); host = undefined; });

  it('defaults to seconds, not minutes: 10 s for the head, 30 s for the whole request, 5 s keep-alive', async () => {
    expect(defaultServerTimeouts).toMatchObject({ headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 });
    const listener = await startListener((_req, res) => res.end(), { host: '127.0.0.1', port: 0 });
    try {
      expect(listener.server.headersTimeout).toBe(10_000);
      expect(listener.server.requestTimeout).toBe(30_000);
      expect(listener.server.keepAliveTimeout).toBe(5_000);
      expect(listener.server.maxRequestsPerSocket).toBe(1000);
    } finally {
      await listener.close();
    }
  });

  it('closes a connection whose head never ends (408), and one whose body stalls, within the configured bounds', { timeout: 8_000 }, async () => {
    host = await startHost({ permissions: {} as CallPermissions, appSecret: 's', verifyToken: 'v', timeouts: { headersMs: 300, requestMs: 600 } });
    const head = await stall(host.url, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1');
    const body = await stall(host.url, 'POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"object":');
    await Promise.all([once(head.socket, 'close'), once(body.socket, 'close')]);
    expect(head.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('refuses a timeout that is not a positive number of milliseconds', async () => {
    for (const headersMs of [Number.NaN, -1, 0, Number.POSITIVE_INFINITY]) {
      await expect(startListener((_req, res) => res.end(), { host: '127.0.0.1', port: 0, timeouts: { headersMs } })).rejects.toBeInstanceOf(ServerTimeoutError);
    }
  });
});
