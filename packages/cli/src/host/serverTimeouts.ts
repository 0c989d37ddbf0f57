import type { Server, ServerOptions } from 'node:http';

/** How long a listener waits on a client, in milliseconds. */
export interface ServerTimeouts {
  /** The whole request head must arrive within this. Default 10 s (Node's: 60 s). */
  readonly headersMs?: number;
  /** The whole request, head and body, must arrive within this. Default 30 s (Node's: 300 s). */
  readonly requestMs?: number;
  /** An idle keep-alive connection is closed after this. Default 5 s. */
  readonly keepAliveMs?: number;
  /** Requests served on one connection at most before it is closed. Default 1000. */
  readonly maxRequestsPerSocket?: number;
}

/** The timeouts every callperm listener uses unless told otherwise. */
export const defaultServerTimeouts: Required<ServerTimeouts> = {
  headersMs: 10_000,
  requestMs: 30_000,
  keepAliveMs: 5_000,
  maxRequestsPerSocket: 1000,
};

/** Thrown for a timeout that is not a positive finite number of milliseconds. */
export class ServerTimeoutError extends Error {
  readonly code = 'bad_timeout' as const;
  constructor(readonly option: string) {
    super(`The server timeout ${option} must be a positive finite number of milliseconds.`);
    this.name = 'ServerTimeoutError';
  }
}

const checked = (t: ServerTimeouts): Required<ServerTimeouts> => {
  const all = { ...defaultServerTimeouts, ...t };
  for (const [name, v] of Object.entries(all)) if (!Number.isFinite(v) || v <= 0) throw new ServerTimeoutError(name);
  // Node requires headersTimeout <= requestTimeout.
  return { ...all, headersMs: Math.min(all.headersMs, all.requestMs) };
};

/**
 * `createServer` options bounding how long a client may hold a connection
 * (the check runs every quarter of the head timeout, at most every second, so
 * a stalled client is cut off close to its deadline).
 *
 * @example
 * const server = createServer(serverOptions({ headersMs: 10_000 }), handler);
 * applyServerTimeouts(server, { headersMs: 10_000 });
 */
export const serverOptions = (timeouts: ServerTimeouts = {}): ServerOptions => {
  const t = checked(timeouts);
  return {
    headersTimeout: t.headersMs,
    requestTimeout: t.requestMs,
    keepAliveTimeout: t.keepAliveMs,
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(t.headersMs / 4))),
  };
};

/**
 * Sets the same bounds on a created server (some are only settable as properties).
 *
 * @example
 * applyServerTimeouts(server, {});
 */
export const applyServerTimeouts = (server: Server, timeouts: ServerTimeouts = {}): void => {
  const t = checked(timeouts);
  server.headersTimeout = t.headersMs;
  server.requestTimeout = t.requestMs;
  server.keepAliveTimeout = t.keepAliveMs;
  server.maxRequestsPerSocket = t.maxRequestsPerSocket;
};
