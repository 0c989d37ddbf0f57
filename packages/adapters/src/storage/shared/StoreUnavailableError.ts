/**
 * The store's server could not be reached, or dropped the connection, before it
 * answered: it is down, restarting, or out of connections. A write in flight may
 * or may not have landed; retrying is safe (writes are compare-and-set on the
 * version and deduplicated by event id), so retry later: the webhook receiver
 * answers 503 so Meta retries, the JSON API answers 503 `unavailable`. The
 * driver's own error is the `cause`.
 * Connections are re-opened on their own once the server is back: do not
 * recreate the store.
 *
 * @example
 * await store.get(thread).catch((e) => e instanceof StoreUnavailableError && e.code); // 'store_unavailable'
 */
export class StoreUnavailableError extends Error {
  readonly code = 'store_unavailable' as const;
  constructor(readonly driver: string, options?: { cause?: unknown }) {
    super(`[callperm] [${driver}] The ${driver} server is unreachable or dropped the connection; `
      + 'retry later (the store reconnects on its own once the server is back).', options);
    this.name = 'StoreUnavailableError';
  }
}
