/**
 * Runs synchronous driver work (better-sqlite3 is synchronous) as a promise, so a
 * thrown error becomes a rejection and the store's methods never throw directly.
 *
 * @example
 * const row = await attempt(() => statement.get(id));
 */
export const attempt = <T>(work: () => T): Promise<T> => new Promise<T>((resolve) => resolve(work()));
