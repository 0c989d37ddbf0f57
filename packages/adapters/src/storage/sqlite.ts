import type { CasResult, CommitResult, Instant, PermissionRecord, PermissionStore, Thread, Versioned } from '@callperm/core';
import type BetterSqlite3 from 'better-sqlite3';
import { attempt } from './shared/attempt.js';
import { forLastThread } from './shared/forLastThread.js';
import { loadPeer } from './shared/loadPeer.js';
import { parseVersion } from './shared/parseVersion.js';
import { StoreClosedError } from './shared/StoreClosedError.js';
import { groupCommit } from './sqlite/groupCommit.js';
import { migrateSqlite, SQLITE_TABLES } from './sqlite/migrations.js';
import { packedColumn, recordOfColumn } from './sqlite/packedColumn.js';
import { idOfSqliteKey, sqliteKey } from './sqlite/sqliteKey.js';
import { sqliteDocs, type DocMethods } from './sqlite/sqliteDocs.js';

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
  /** Delete expired dedupe rows at most this often, in the `now` the callers pass (default 60 000 ms). */
  readonly dedupePruneEveryMs?: number;
  /** Delete expired side documents at most this often, in the `now` writers pass (default 60 000 ms). */
  readonly docPruneEveryMs?: number;
  /**
   * Run the thread and dedupe operations of one event-loop turn in one transaction,
   * each resolving after its commit (`groupCommit`; default true). False: one
   * transaction per operation.
   */
  readonly groupCommit?: boolean;
}

/** The SQLite `PermissionStore`, with its connection and a manual dedupe prune for operators. */
export interface SqliteStore extends PermissionStore {
  readonly database: BetterSqlite3.Database;
  /** Deletes remembered event ids whose `until` is at or before `now`; resolves to how many. */
  pruneDedupe(now: Instant): Promise<number>;
}

interface ThreadRow { readonly version: unknown; readonly record: unknown }

const T = SQLITE_TABLES.threads;
const D = SQLITE_TABLES.dedupe;

/**
 * The embedded default: a `PermissionStore` in one SQLite file, on better-sqlite3 12
 * (WAL, `synchronous=NORMAL`, `busy_timeout`, migrations on `user_version`).
 * Several processes may share the file: compare-and-set is one conditional
 * statement (an `INSERT ... ON CONFLICT DO NOTHING` for version 0, an
 * `UPDATE ... WHERE version = ?` after), and SQLite runs one writer at a time.
 * Side documents live in their own table, written the same way (`sqliteDocs`).
 * A thread row is compact (schema 3): decimal ids as INTEGERs, the record packed
 * as a BLOB, ~100 bytes a thread with its due index. The operations of one
 * event-loop turn share one transaction (`groupCommit`), so concurrent webhook
 * deliveries cost one commit, and nothing resolves before its commit.
 * better-sqlite3 is synchronous: a write waiting on another process's lock
 * blocks this event loop for up to `busyTimeoutMs`.
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
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    migrateSqlite(db);
  } catch (e) {
    if (owned) db.close();
    throw e;
  }

  type Key = string | bigint;
  const select = db.prepare<[Key, Key], ThreadRow>(`SELECT version, record FROM ${T} WHERE page_id = ? AND psid = ?`);
  const insert = db.prepare<[Key, Key, Uint8Array, number | null]>(
    `INSERT INTO ${T} (page_id, psid, version, record, due_at) VALUES (?, ?, 1, ?, ?) ON CONFLICT (page_id, psid) DO NOTHING`,
  );
  const update = db.prepare<[Uint8Array, number | null, Key, Key, number]>(
    `UPDATE ${T} SET version = version + 1, record = ?, due_at = ? WHERE page_id = ? AND psid = ? AND version = ?`,
  );
  const remember = db.prepare<[string, number, number]>(
    `INSERT INTO ${D} (event_id, until) VALUES (?, ?)
     ON CONFLICT (event_id) DO UPDATE SET until = excluded.until WHERE ${D}.until <= ?`,
  );
  const prune = db.prepare<[number]>(`DELETE FROM ${D} WHERE until <= ?`);
  const due = db.prepare<[number, number], { page_id: unknown; psid: unknown }>(
    `SELECT page_id, psid FROM ${T} WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at LIMIT ?`,
  ).safeIntegers(true);
  const group = options.groupCommit === false ? null : groupCommit(db);
  const write = <R>(work: () => R, row?: string): Promise<R> => (group ? group.write(work, row) : attempt(work));
  const read = <R>(work: () => R, row?: string): Promise<R> => (group ? group.read(work, row) : attempt(work));
  // A command reads a thread, then writes it: its ids are converted (a regex and a BigInt each) and its row named once.
  const keysOf = forLastThread((t) => ({ page: sqliteKey(t.pageId), psid: sqliteKey(t.psid), row: `${t.pageId.length}:${t.pageId}${t.psid}` }));
  const rowOf = (t: Thread): string => keysOf(t).row;

  const pruneEvery = options.dedupePruneEveryMs ?? 60_000;
  let lastPrune = -Infinity;
  let closed = false;
  const open = (): void => {
    if (closed) throw new StoreClosedError('sqlite');
  };
  const ownDocs = sqliteDocs(db, open, options.docPruneEveryMs ?? 60_000);
  // Documents keep one transaction per operation: end an open batch first, so theirs never joins it.
  const alone = <A extends unknown[], R>(f: (...a: A) => R) => (...a: A): R => {
    group?.flush();
    return f(...a);
  };
  const docs: DocMethods = {
    getDoc: alone(ownDocs.getDoc), putDoc: alone(ownDocs.putDoc), deleteDoc: alone(ownDocs.deleteDoc), dueDocs: alone(ownDocs.dueDocs),
  };

  /** Runs its argument in a transaction of its own (without group commit), so it lands whole or not at all. */
  const atomically = db.transaction((work: () => CommitResult): CommitResult => work());
  /** Compare-and-set inside the current transaction: true when written. */
  const casNow = (thread: Thread, expectedVersion: number, record: PermissionRecord): boolean => {
    const packed = packedColumn(record);
    const { page, psid } = keysOf(thread);
    const changes = expectedVersion === 0
      ? insert.run(page, psid, packed, record.dueAt).changes
      : update.run(packed, record.dueAt, page, psid, expectedVersion).changes;
    return changes === 1;
  };
  const rememberNow = (eventId: string, now: Instant, until: Instant): boolean => {
    if (now - lastPrune >= pruneEvery) {
      prune.run(now);
      lastPrune = now;
    }
    return remember.run(eventId, until, now).changes === 1;
  };

  return {
    database: db,
    get: (thread: Thread): Promise<Versioned | null> => read(() => {
      open();
      const k = keysOf(thread);
      const row = select.get(k.page, k.psid);
      if (row === undefined) return null;
      return { version: parseVersion(thread, row.version), record: recordOfColumn(thread, row.record) };
    }, rowOf(thread)),
    compareAndSet: (thread, expectedVersion, record): Promise<CasResult> => write(() => {
      open();
      return casNow(thread, expectedVersion, record) ? { ok: true, version: expectedVersion + 1 } : { ok: false, reason: 'conflict' };
    }, rowOf(thread)),
    remember: (eventId, now, until): Promise<boolean> => write(() => {
      open();
      return rememberNow(eventId, now, until);
    }),
    // The write and the ids in one transaction (the turn's group commit, rolled back whole if the work fails part way, or one of its own).
    commitThread: ({ thread, expectedVersion, record, eventIds, now, until }): Promise<CommitResult> => {
      const work = (): CommitResult => {
        open();
        if (record !== null && !casNow(thread, expectedVersion, record)) return { ok: false, reason: 'conflict' };
        const first = eventIds.map((id) => rememberNow(id, now, until));
        return { ok: true, version: record === null ? expectedVersion : expectedVersion + 1, first };
      };
      const row = record === null ? undefined : rowOf(thread);
      return group ? group.writeWhole(work, row) : attempt(() => atomically.immediate(work));
    },
    due: (before, limit): Promise<Thread[]> => read(() => {
      open();
      if (limit <= 0) return [];
      return due.all(before, Math.trunc(limit)).map((r) => ({ pageId: idOfSqliteKey(r.page_id), psid: idOfSqliteKey(r.psid) }));
    }),
    ...docs,
    pruneDedupe: (now) => write(() => {
      open();
      return prune.run(now).changes;
    }),
    close: (): Promise<void> => attempt(() => {
      if (closed) return;
      group?.flush();
      closed = true;
      if (owned) db.close();
    }),
  };
};
