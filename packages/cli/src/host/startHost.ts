import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebhookHandler, type WebhookError, type WebhookHandler } from '@callperm/adapters/webhook';
import type { CallPermissions } from '@callperm/core';

/** Options of {@link startHost}. */
export interface HostOptions {
  readonly permissions: CallPermissions;
  readonly appSecret: string;
  readonly verifyToken: string;
  /** Default 0: any free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Serves other paths (the JSON API); return false to answer 404. */
  readonly routes?: (req: IncomingMessage, res: ServerResponse) => boolean;
  readonly onWebhookError?: (error: WebhookError) => void;
}

/** A running host: Meta's webhook at `/webhook`, and whatever `routes` serves. */
export interface RunningHost {
  /** `http://HOST:PORT`. */
  readonly url: string;
  readonly port: number;
  readonly webhook: WebhookHandler;
  /** Stops taking connections, lets requests in flight finish, drains the webhook's background work. */
  close(): Promise<void>;
}

/**
 * Starts a `node:http` server with callperm's webhook receiver at `/webhook`
 * (the GET handshake and signed POSTs) in front of a service, plus optional
 * routes. Used by `simulate` (on loopback, for the consumer simulator) and `serve`.
 *
 * @example
 * const host = await startHost({ permissions, appSecret, verifyToken, port: 3000 });
 * // Meta's callback URL: `${host.url}/webhook`
 * await host.close();
 */
export const startHost = async (options: HostOptions): Promise<RunningHost> => {
  const webhook = createWebhookHandler({
    appSecret: options.appSecret,
    verifyToken: options.verifyToken,
    permissions: options.permissions,
    path: '/webhook',
    ...(options.onWebhookError ? { onError: options.onWebhookError } : {}),
  });
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/webhook') return webhook.node(req, res);
    if (options.routes?.(req, res) === true) return;
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'not_found' }));
  });
  server.keepAliveTimeout = 5_000;
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]: unknown[]) => Promise.reject(e instanceof Error ? e : new Error(String(e))))]);
  const { port, address } = server.address() as AddressInfo;
  const hostname = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${hostname}:${port}`,
    port,
    webhook,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      await webhook.drain();
    },
  };
};
