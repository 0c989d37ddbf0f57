import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyServerTimeouts, serverOptions, type ServerTimeouts } from './serverTimeouts.js';

/** A `node:http` listener with callperm's timeouts. */
export interface Listener {
  /** `http://HOST:PORT`. */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Stops taking connections and resolves once the requests in flight are answered. */
  close(): Promise<void>;
}

/**
 * Listens on `host:port` (port 0: any free one) with bounded header, request and
 * keep-alive timeouts; a handler that throws is answered 500 instead of crashing.
 *
 * @example
 * const api = await startListener((req, res) => res.end('ok'), { host: '127.0.0.1', port: 0 });
 * await api.close();
 */
export const startListener = async (
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  options: { readonly host: string; readonly port: number; readonly timeouts?: ServerTimeouts; readonly onError?: (code: string) => void },
): Promise<Listener> => {
  const server = createServer(serverOptions(options.timeouts), (req, res) => {
    try {
      handler(req, res);
    } catch (e) {
      options.onError?.(e instanceof Error ? e.name : 'error');
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end('{"error":"internal"}\n');
      } else res.destroy();
    }
  });
  applyServerTimeouts(server, options.timeouts);
  // Node itself answers a malformed or timed-out request (400, 408, 431) and closes the socket.
  server.listen(options.port, options.host);
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]: unknown[]) => Promise.reject(e instanceof Error ? e : new Error(String(e))))]);
  const { port, address } = server.address() as AddressInfo;
  const hostname = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${hostname}:${port}`,
    port,
    server,
    close: () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      return closed;
    },
  };
};
