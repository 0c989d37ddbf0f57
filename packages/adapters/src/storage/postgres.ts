import type { CasResult, Instant, PermissionStore, Thread, Versioned } from '@callperm/core';
import type { Pool } from 'pg';
import { migratePostgres } from './postgres/migrations.js';
import { postgresDocs } from './postgres/postgresDocs.js';
import { postgresQueries } from './postgres/postgresQueries.js';
import { postgresTables, type PostgresTables } from './postgres/postgresTables.js';
import { loadPeer } from './shared/loadPeer.js';
import { parseVersion } from './shared/parseVersion.js';
import { decodeRecord, encodeRecord } from './shared/recordJson.js';
import { StoreClosedError } from './shared/StoreClosedError.js';

export type { PostgresTables } from './postgres/postgresTables.js';

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
  /** Delete expired dedupe rows at most this often, in the `now` the callers pass (default 60 000 ms). */
  readonly dedupePruneEveryMs?: number;
  /** Delete expired side documents at most this often, in the `now` writers pass (default 60 000 ms). */
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

interface ThreadRow { readonly version: unknown; readonly record: unknown }

/**
 * A `PermissionStore` on PostgreSQL (pg 8), shared by any number of host
 * instances. Compare-and-set is one conditional upsert on the version
 * (`INSERT ... ON CONFLICT DO UPDATE ... WHERE version = $expected`); dedupe is an
 * upsert that only overwrites an expired id. Tables live in their own schema,
 * migrated under an advisory lock; due threads use a partial index on `due_at`.
 * Side documents live in `callperm_docs`, written by conditional statements on
 * their version (see `postgresDocs`).
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

  const q = postgresQueries(tables);
  const pruneEvery = options.dedupePruneEveryMs ?? 60_000;
  let lastPrune = -Infinity;
  let closed = false;
  const open = (): void => {
    if (closed) throw new StoreClosedError('postgres');
  };
  const docs = postgresDocs(pool, tables, open, options.docPruneEveryMs ?? 60_000);
  const prune = async (now: Instant): Promise<number> => (await pool.query({ ...q.prune, values: [now] })).rowCount ?? 0;

  return {
    pool,
    tables,
    async get(thread: Thread): Promise<Versioned | null> {
      open();
      const { rows } = await pool.query<ThreadRow>({ ...q.get, values: [thread.pageId, thread.psid] });
      const row = rows[0];
      if (row === undefined) return null;
      return { version: parseVersion(thread, row.version), record: decodeRecord(thread, row.record) };
    },
    async compareAndSet(thread, expectedVersion, record): Promise<CasResult> {
      open();
      const values = [thread.pageId, thread.psid, expectedVersion, encodeRecord(record), record.dueAt];
      const { rows } = await pool.query<{ version: number }>({ ...q.compareAndSet, values });
      const row = rows[0];
      return row === undefined ? { ok: false, reason: 'conflict' } : { ok: true, version: row.version };
    },
    async remember(eventId, now, until): Promise<boolean> {
      open();
      if (now - lastPrune >= pruneEvery) {
        lastPrune = now;
        await prune(now);
      }
      const r = await pool.query({ ...q.remember, values: [eventId, until, now] });
      return r.rowCount === 1;
    },
    async due(before, limit): Promise<Thread[]> {
      open();
      if (limit <= 0) return [];
      const { rows } = await pool.query<{ page_id: string; psid: string }>({ ...q.due, values: [before, Math.trunc(limit)] });
      return rows.map((r) => ({ pageId: r.page_id, psid: r.psid }));
    },
    ...docs,
    async pruneDedupe(now) {
      open();
      return prune(now);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (owned) await pool.end();
    },
  };
};
