import type { Instant, PermissionStore } from '@callperm/core';
import { storeFromDriver } from '@callperm/core/store';
import type { Pool } from 'pg';
import { migratePostgres } from './postgres/migrations.js';
import { postgresDriver } from './postgres/postgresDriver.js';
import { postgresTables, type PostgresTables } from './postgres/postgresTables.js';
import { loadPeer } from './shared/loadPeer.js';

export type { PostgresTables } from './postgres/postgresTables.js';
export { postgresTables } from './postgres/postgresTables.js';
export { migratePostgres } from './postgres/migrations.js';
export { postgresDriver, type PostgresDriver, type PostgresDriverOptions } from './postgres/postgresDriver.js';

/** Where the PostgreSQL store connects: a connection string it opens a pool for, or a pg `Pool` you opened. */
export type PostgresSource =
  | {
    readonly connectionString: string;
    /** Connections in the store's pool (default 10). */
    readonly poolSize?: number;
  }
  | {
    readonly pool: Pool;
    /** End `pool` when the store is closed (default false: it is yours). */
    readonly closeWithStore?: boolean;
  };

export interface PostgresStoreOptions {
  /** The schema holding the store's tables (default `callperm`), created and migrated on first use. */
  readonly schema?: string;
  /** Delete expired dedupe ids, expired side documents and history past retention at most this often, in the `now` callers pass (default 60 000 ms). */
  readonly pruneEveryMs?: number;
  /** @deprecated One prune now does it all: use `pruneEveryMs` (this is its fallback). */
  readonly dedupePruneEveryMs?: number;
  /** @deprecated One prune now does it all: use `pruneEveryMs` (this is its fallback after `dedupePruneEveryMs`). */
  readonly docPruneEveryMs?: number;
  /** Hears errors of idle pooled connections (a server restart, say); the pool replaces them. */
  readonly onPoolError?: (error: Error) => void;
}

/** The PostgreSQL `PermissionStore`, with its pool, table names and a manual dedupe prune for operators. */
export interface PostgresStore extends PermissionStore {
  readonly pool: Pool;
  readonly tables: PostgresTables;
  /** Deletes remembered event ids whose `until` is at or before `now`; resolves to how many. */
  pruneDedupe(now: Instant): Promise<number>;
}

/**
 * A `PermissionStore` on PostgreSQL (pg 8), shared by any number of host
 * instances: {@link postgresDriver} made a store by `storeFromDriver`. Tables
 * live in their own schema, migrated under an advisory lock (`migratePostgres`).
 * Every write to a thread is a conditional upsert on the version (`INSERT ...
 * ON CONFLICT DO UPDATE ... WHERE version = expected`) that remembers its event
 * ids and appends its consent-history entries in the same statement; due
 * threads use a partial index on `due_at`; side documents live in
 * `callperm_docs`, history in `callperm_history`.
 *
 * The `get`s of one event-loop turn are one query and its commits one
 * statement (one round trip, one transaction); `close()` waits for the calls
 * already accepted, then ends the pool if the store opened it.
 *
 * @example
 * const store = await postgresStore({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' }, { schema: 'callperm' });
 * await store.compareAndSet({ pageId: '1', psid: '2' }, 0, emptyRecord()); // { ok: true, version: 1 }
 * await store.close();
 */
export const postgresStore = async (source: PostgresSource, options: PostgresStoreOptions = {}): Promise<PostgresStore> => {
  const tables = postgresTables(options.schema ?? 'callperm');
  let pool: Pool;
  let owned: boolean;
  if ('pool' in source) {
    pool = source.pool;
    owned = source.closeWithStore === true;
  } else {
    const { default: pg } = await loadPeer('pg', 'postgres', () => import('pg'));
    pool = new pg.Pool({ connectionString: source.connectionString, max: source.poolSize ?? 10 });
    pool.on('error', options.onPoolError ?? (() => undefined));
    owned = true;
  }
  try {
    await migratePostgres(pool, tables);
  } catch (e) {
    if (owned) await pool.end();
    throw e;
  }
  const driver = postgresDriver(pool, tables, { closeWithDriver: owned });
  const pruneEveryMs = options.pruneEveryMs ?? options.dedupePruneEveryMs ?? options.docPruneEveryMs;
  return {
    ...storeFromDriver(driver, pruneEveryMs === undefined ? {} : { pruneEveryMs }),
    pool,
    tables,
    pruneDedupe: (now) => driver.pruneDedupe(now),
  };
};
