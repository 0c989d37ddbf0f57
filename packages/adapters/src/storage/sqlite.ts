import type { Instant, PermissionStore } from '@callperm/core';
import { storeFromDriver } from '@callperm/core/store';
import type BetterSqlite3 from 'better-sqlite3';
import { loadPeer } from './shared/loadPeer.js';
import { sqliteDriver, type SqliteDriver } from './sqlite/sqliteDriver.js';

export { sqliteDriver, type SqliteDriver, type SqliteDriverOptions } from './sqlite/sqliteDriver.js';

/** Where the SQLite store keeps its data: a file it opens, or a better-sqlite3 connection you opened. */
export type SqliteSource =
  | { readonly filename: string }
  | {
    readonly database: BetterSqlite3.Database;
    /** Close `database` when the store is closed (default false: it is yours). */
    readonly closeWithStore?: boolean;
  };

export interface SqliteStoreOptions {
  /** How long a write waits for another process's write lock before failing with SQLITE_BUSY (default 5000 ms). */
  readonly busyTimeoutMs?: number;
  /** Delete expired dedupe rows, side documents and history at most this often, in the `now` callers pass (default 60 000 ms). */
  readonly pruneEveryMs?: number;
  /** @deprecated Use `pruneEveryMs` (one prune now deletes ids, documents and history together). */
  readonly dedupePruneEveryMs?: number;
  /** @deprecated Use `pruneEveryMs` (one prune now deletes ids, documents and history together). */
  readonly docPruneEveryMs?: number;
  /**
   * Run the thread and dedupe operations of one event-loop turn in one transaction,
   * each resolving after its commit (`groupCommit`; default true). False: one
   * transaction per operation.
   */
  readonly groupCommit?: boolean;
  /**
   * When a commit reaches the disk: `normal` (default) syncs the WAL at checkpoints,
   * so a commit survives the process being killed (the kill tests prove it) but the
   * newest ones may be lost if the machine loses power; `full` syncs the WAL at every
   * COMMIT (one fsync per group commit), so they survive that too.
   */
  readonly synchronous?: 'normal' | 'full';
}

/** The SQLite `PermissionStore`, with its connection and a manual dedupe prune for operators. */
export interface SqliteStore extends PermissionStore {
  readonly database: BetterSqlite3.Database;
  /** Deletes remembered event ids whose `until` is at or before `now`; resolves to how many. */
  pruneDedupe(now: Instant): Promise<number>;
}

/**
 * The embedded default: a `PermissionStore` in one SQLite file, on better-sqlite3 12:
 * `sqliteDriver` (WAL, `synchronous=NORMAL` unless `synchronous: 'full'`, `busy_timeout`, migrations on
 * `user_version`, compact rows, group commit per event-loop turn, the consent
 * history in its own table) turned into a store by `storeFromDriver`, which prunes
 * expired ids, documents and history at most every `pruneEveryMs` of callers' time.
 * Several processes may share the file.
 *
 * @example
 * const store = await sqliteStore({ filename: 'callperm.sqlite' });
 * await store.compareAndSet({ pageId: '1', psid: '2' }, 0, emptyRecord()); // { ok: true, version: 1 }
 * await store.close();
 */
export const sqliteStore = async (source: SqliteSource, options: SqliteStoreOptions = {}): Promise<SqliteStore> => {
  let db: BetterSqlite3.Database;
  let owned: boolean;
  if ('database' in source) {
    db = source.database;
    owned = source.closeWithStore === true;
  } else {
    const { default: Database } = await loadPeer('better-sqlite3', 'sqlite', () => import('better-sqlite3'));
    db = new Database(source.filename);
    owned = true;
  }
  let driver: SqliteDriver;
  try {
    driver = sqliteDriver(db, { ...options, closeDatabase: owned });
  } catch (e) {
    if (owned) db.close();
    throw e;
  }
  const pruneEveryMs = options.pruneEveryMs ?? options.dedupePruneEveryMs ?? options.docPruneEveryMs;
  return {
    ...storeFromDriver(driver, pruneEveryMs === undefined ? {} : { pruneEveryMs }),
    database: db,
    pruneDedupe: (now) => driver.pruneDedupe(now),
  };
};
