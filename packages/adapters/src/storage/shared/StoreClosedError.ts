/**
 * A store was used after `close()`. Create a new store (or keep the old one open
 * until every command that uses it has finished).
 *
 * @example
 * await store.close();
 * await store.get(thread).catch((e) => e instanceof StoreClosedError); // true
 */
export class StoreClosedError extends Error {
  readonly code = 'store_closed' as const;
  constructor(readonly driver: string) {
    super(`[callperm] [${driver}] This store is closed; create a new store to keep using it.`);
    this.name = 'StoreClosedError';
  }
}
