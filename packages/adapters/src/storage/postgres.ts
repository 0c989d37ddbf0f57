import type { CasResult, CommitResult, Instant, PermissionStore, Thread, ThreadCommit, Versioned } from '@callperm/core';
import type { Pool } from 'pg';
import { prepareCommit, runCommits, takeCommits, type PreparedCommit } from './postgres/commitBatch.js';
import { runGets, takeGets } from './postgres/getBatch.js';
import { migratePostgres } from './postgres/migrations.js';
import { postgresDocs } from './postgres/postgresDocs.js';
import { postgresQueries } from './postgres/postgresQueries.js';
import { postgresTables, type PostgresTables } from './postgres/postgresTables.js';
import { turnBatch, type Waiter } from './postgres/turnBatch.js';
import { loadPeer } from './shared/loadPeer.js';
import { encodeRecord } from './shared/recordJson.js';
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

/**
 * A `PermissionStore` on PostgreSQL (pg 8), shared by any number of host
 * instances. Compare-and-set is one conditional upsert on the version
 * (`INSERT ... ON CONFLICT DO UPDATE ... WHERE version = $expected`); dedupe is an
 * upsert that only overwrites an expired id. Tables live in their own schema,
 * migrated under an advisory lock; due threads use a partial index on `due_at`.
 * Side documents live in `callperm_docs`, written by conditional statements on
 * their version (see `postgresDocs`).
 *
 * `get` and `commitThread` are batched per event-loop turn: the calls of one
 * turn (concurrent webhook deliveries) share one statement, so one round trip
 * and one pooled connection, instead of one each. A `commitThread` batch is one
 * statement, hence one transaction: each call's write and ids land together
 * (see `commitMany` in `postgresQueries`); a failed statement rejects every
 * call in it. `close()` waits for the batches already accepted.
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
  /** Whether a caller's `now` is `pruneEvery` past the last prune (of remember and commitThread alike); claims it if so. */
  const pruneDue = (now: Instant): boolean => {
    if (now - lastPrune < pruneEvery) return false;
    lastPrune = now;
    return true;
  };
  /** A batch starts with the prune its first call asked for, if any (see `takeCommits`); like remember's, a failed prune fails the calls waiting on it. */
  const runCommitBatch = async (batch: readonly Waiter<PreparedCommit, CommitResult>[]): Promise<void> => {
    const at = batch[0]?.input.pruneFirst ?? null;
    if (at !== null) await prune(at);
    await runCommits(pool, q.commitMany, batch);
  };
  const gets = turnBatch<Thread, Versioned | null>((batch) => runGets(pool, q, batch), takeGets);
  const commits = turnBatch<PreparedCommit, CommitResult>(runCommitBatch, takeCommits);
  let closing: Promise<void> | undefined;
  const shut = async (): Promise<void> => {
    await Promise.all([gets.drain(), commits.drain()]); // accepted calls finish; later ones were refused by open()
    if (owned) await pool.end();
  };

  return {
    pool,
    tables,
    async get(thread: Thread): Promise<Versioned | null> {
      open();
      return gets.add(thread);
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
      if (pruneDue(now)) await prune(now);
      const r = await pool.query({ ...q.remember, values: [eventId, until, now] });
      return r.rowCount === 1;
    },
    async commitThread(commit: ThreadCommit): Promise<CommitResult> {
      open();
      if (commit.record === null && commit.eventIds.length === 0) return { ok: true, version: commit.expectedVersion, first: [] };
      // Queued in this turn (no await before add): concurrent calls share a batch, and close() sees them.
      return commits.add(prepareCommit(commit, pruneDue(commit.now) ? commit.now : null));
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
    close(): Promise<void> {
      closed = true;
      closing ??= shut();
      return closing;
    },
  };
};
