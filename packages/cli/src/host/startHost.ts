import type { IncomingMessage, ServerResponse } from 'node:http';
import { createWebhookHandler, type WebhookError, type WebhookHandler } from '@callperm/adapters/webhook';
import type { CallPermissions } from '@callperm/core';
import { sendApiError } from './apiError.js';
import type { ServerTimeouts } from './serverTimeouts.js';
import { startListener } from './startListener.js';

/** Options of {@link startHost}. */
export interface HostOptions {
  readonly permissions: CallPermissions;
  readonly appSecret: string;
  readonly verifyToken: string;
  /** Default 0: any free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Serves other paths (the JSON API, `/healthz`, `/readyz`); return false to answer 404. */
  readonly routes?: (req: IncomingMessage, res: ServerResponse) => boolean;
  readonly onWebhookError?: (error: WebhookError) => void;
  /** Told the error code of a route that threw (never its message). */
  readonly onRouteError?: (code: string) => void;
  /** Header, request and keep-alive bounds; default {@link defaultServerTimeouts} (10 s, 30 s, 5 s). */
  readonly timeouts?: ServerTimeouts;
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
 * routes, with bounded timeouts (a stalled client is cut off in seconds). Used by
 * `simulate` (on loopback, for the consumer simulator) and `serve`.
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
  const listener = await startListener((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    if ((q === -1 ? url : url.slice(0, q)) === '/webhook') return webhook.node(req, res);
    if (options.routes?.(req, res) === true) return;
    req.resume();
    sendApiError(res, 404, 'not_found');
  }, {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    ...(options.onRouteError ? { onError: options.onRouteError } : {}),
  });
  return {
    url: listener.url,
    port: listener.port,
    webhook,
    close: async () => {
      await listener.close();
      await webhook.drain();
    },
  };
};
