/** The optional peer packages the storage drivers load on first use. */
export type StoragePeer = 'better-sqlite3' | 'ioredis' | 'pg';

/**
 * A storage driver was used but its database client is not installed. The
 * drivers' clients are optional peer dependencies: install the one you use.
 *
 * @example
 * try {
 *   await sqliteStore({ filename: 'callperm.sqlite' });
 * } catch (e) {
 *   if (e instanceof MissingPeerError) console.error(`run: npm install ${e.peer}`);
 * }
 */
export class MissingPeerError extends Error {
  readonly code = 'missing_peer' as const;
  constructor(readonly peer: StoragePeer, readonly driver: string, options?: { cause?: unknown }) {
    super(`[callperm] [${driver}] The ${driver} store needs the package "${peer}": install it next to `
      + `@callperm/adapters (npm install ${peer}).`, options);
    this.name = 'MissingPeerError';
  }
}
