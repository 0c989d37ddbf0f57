import { StoreClosedError, type Instant, type Thread } from '@callperm/core';
import { threadPairKey, type DriverCommit, type RawThreadRow, type StoreDriver } from '@callperm/core/store';
import type BetterSqlite3 from 'better-sqlite3';
import { attempt } from '../shared/attempt.js';
import { forLastThread } from '../shared/forLastThread.js';
import { groupCommit } from './groupCommit.js';
import { migrateSqlite, SQLITE_TABLES } from './migrations.js';
import { sqliteDocs, type DocMethods } from './sqliteDocs.js';
import { sqliteHistory } from './sqliteHistory.js';
import { idOfSqliteKey, sqliteKey, type SqliteKey } from './sqliteKey.js';
import { sqlitePrune } from './sqlitePrune.js';

/** Options of {@link sqliteDriver}. */
export interface SqliteDriverOptions {
  /** How long a write waits for another process's write lock before failing with SQLITE_BUSY (default 5000 ms). */
  readonly busyTimeoutMs?: number;
  /**
   * Run the commits of one event-loop turn in one transaction, each resolving
   * after its COMMIT (`groupCommit`; default true). False: one transaction per commit.
   */
  readonly groupCommit?: boolean;
  /** Close the connection when the driver is closed (default false: it is yours). */
  readonly closeDatabase?: boolean;
  /**
   * When a commit reaches the disk: `normal` (default) syncs the WAL at checkpoints,
   * so a commit survives the process being killed (the kill tests prove it) but the
   * newest ones may be lost if the machine loses power; `full` syncs the WAL at every
   * COMMIT (one fsync per group commit), so they survive that too.
   */
  readonly synchronous?: 'normal' | 'full';
}

/** The SQLite driver, with its connection and a manual dedupe prune for operators. */
export interface SqliteDriver extends StoreDriver<'bytes'> {
  readonly database: BetterSqlite3.Database;
  /** Deletes remembered event ids whose `until` is at or before `now`; resolves to how many. */
  pruneDedupe(now: Instant): Promise<number>;
}

const T = SQLITE_TABLES.threads;
const D = SQLITE_TABLES.dedupe;

/** A thread whose ids do not convert (not strings): a rejection, never a synchronous throw. */
const rejected = (e: unknown): Promise<never> => Promise.reject(e instanceof Error ? e : new Error(String(e)));

/**
 * The SQLite {@link StoreDriver} on a better-sqlite3 12 connection. It puts the
 * file in WAL mode with `synchronous=NORMAL` (or `FULL`: `synchronous`) and a `busy_timeout`, and migrates it
 * (`migrateSqlite`: `user_version`, inside `BEGIN IMMEDIATE`). Several processes
 * may share the file: compare-and-set is one conditional statement (an
 * `INSERT ... ON CONFLICT DO NOTHING` for version 0, an `UPDATE ... WHERE version = ?`
 * after), so is a retire (`DELETE ... WHERE version = ?`, which takes the row's
 * entry in the partial `due_at` index with it), and SQLite runs one writer at a
 * time. A thread row is compact: decimal ids as INTEGERs (`sqliteKey`), the
 * record the wrapper packed as a BLOB. A commit's prune, write, history entries
 * (`sqliteHistory`) and ids share one transaction, and the commits of one
 * event-loop turn share one (`groupCommit`), rolled back whole if a commit fails
 * part way; nothing resolves before its COMMIT.
 * A retire joins the open group too: it runs in order after every commit issued
 * before it (they already ran in the transaction) and resolves after the COMMIT.
 * Side documents keep a transaction per call (`sqliteDocs`). better-sqlite3 is
 * synchronous: a write waiting on another process's lock blocks this event loop
 * for up to `busyTimeoutMs`.
 *
 * @example
 * const store = storeFromDriver(sqliteDriver(new Database('callperm.sqlite'), { closeDatabase: true }));
 * await store.compareAndSet({ pageId: '1', psid: '2' }, 0, emptyRecord()); // { ok: true, version: 1 }
 */
export const sqliteDriver = (db: BetterSqlite3.Database, options: SqliteDriverOptions = {}): SqliteDriver => {
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  migrateSqlite(db);

  const select = db.prepare<[SqliteKey, SqliteKey], RawThreadRow>(`SELECT version, record FROM ${T} WHERE page_id = ? AND psid = ?`);
  const insert = db.prepare<[SqliteKey, SqliteKey, Uint8Array, Instant | null]>(
    `INSERT INTO ${T} (page_id, psid, version, record, due_at) VALUES (?, ?, 1, ?, ?) ON CONFLICT (page_id, psid) DO NOTHING`,
  );
  const update = db.prepare<[Uint8Array, Instant | null, SqliteKey, SqliteKey, number]>(
    `UPDATE ${T} SET version = version + 1, record = ?, due_at = ? WHERE page_id = ? AND psid = ? AND version = ?`,
  );
  const remove = db.prepare<[SqliteKey, SqliteKey, number]>(`DELETE FROM ${T} WHERE page_id = ? AND psid = ? AND version = ?`);
  const exists = db.prepare<[SqliteKey, SqliteKey], 1>(`SELECT 1 FROM ${T} WHERE page_id = ? AND psid = ?`).pluck();
  const remember = db.prepare<[string, Instant, Instant]>(
    `INSERT INTO ${D} (event_id, until) VALUES (?, ?)
     ON CONFLICT (event_id) DO UPDATE SET until = excluded.until WHERE ${D}.until <= ?`,
  );
  const due = db.prepare<[Instant, number], { page_id: unknown; psid: unknown }>(
    `SELECT page_id, psid FROM ${T} WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at LIMIT ?`,
  ).safeIntegers(true);
  const history = sqliteHistory(db);
  const prune = sqlitePrune(db);
  const group = options.groupCommit === false ? null : groupCommit(db);
  const write = <R>(work: () => R, row?: string): Promise<R> => (group ? group.write(work, row) : attempt(work));
  const read = <R>(work: () => R, row?: string): Promise<R> => (group ? group.read(work, row) : attempt(work));
  // A command reads a thread, then commits it: its ids are converted (a regex and a BigInt each) and its row named once.
  const keysOf = forLastThread((t) => ({ page: sqliteKey(t.pageId), psid: sqliteKey(t.psid), row: threadPairKey(t) }));

  /**
   * The commit's statements, inside the current transaction: the prune first, then
   * the compare-and-set, the history entries under the new version, and the ids.
   * `c.record` is a view of the wrapper's scratch buffer: it is bound here, before
   * anything is awaited (better-sqlite3 copies what it binds).
   */
  const commitNow = (c: DriverCommit<'bytes'>): readonly boolean[] | null => {
    if (c.prune !== null) prune.run(c.prune);
    if (c.record !== null) {
      const { page, psid } = keysOf(c.thread);
      const changes = c.expectedVersion === 0
        ? insert.run(page, psid, c.record, c.dueAt).changes
        : update.run(c.record, c.dueAt, page, psid, c.expectedVersion).changes;
      if (changes !== 1) return null;
      if (c.history.length > 0) history.append(page, psid, c.expectedVersion + 1, c.history);
    }
    const ids = c.eventIds;
    const first = new Array<boolean>(ids.length);
    for (let i = 0; i < ids.length; i += 1) first[i] = remember.run(ids[i]!, c.until, c.now).changes === 1;
    return first;
  };
  /** A commit in a transaction of its own (without group commit), so it lands whole or not at all. */
  const commitAlone = db.transaction(commitNow);

  // Documents keep one transaction per call: end an open batch first, so theirs never joins it.
  const ownDocs = sqliteDocs(db, (request) => prune.run(request));
  const alone = <A extends unknown[], R>(f: (...a: A) => R) => (...a: A): R => {
    group?.flush();
    return f(...a);
  };
  const docs: DocMethods = {
    getDoc: alone(ownDocs.getDoc), putDoc: alone(ownDocs.putDoc), deleteDoc: alone(ownDocs.deleteDoc), dueDocs: alone(ownDocs.dueDocs),
  };

  let closed = false;
  return {
    name: 'sqlite',
    recordForm: 'bytes',
    database: db,
    getThread(thread) {
      try {
        const k = keysOf(thread);
        return read(() => select.get(k.page, k.psid) ?? null, k.row);
      } catch (e) {
        return rejected(e);
      }
    },
    commit(c) {
      try {
        const row = c.record === null ? undefined : keysOf(c.thread).row;
        return group ? group.writeWhole(() => commitNow(c), row) : attempt(() => commitAlone.immediate(c));
      } catch (e) {
        return rejected(e);
      }
    },
    deleteThread(thread, expectedVersion) {
      try {
        const k = keysOf(thread);
        // Version 0 only reads (is there no row?); either way after every operation this connection accepted before.
        return expectedVersion === 0
          ? read(() => exists.get(k.page, k.psid) === undefined, k.row)
          : write(() => remove.run(k.page, k.psid, expectedVersion).changes === 1, k.row);
      } catch (e) {
        return rejected(e);
      }
    },
    dueThreads: (before, limit) => read(() => due.all(before, limit).map((r): Thread => ({ pageId: idOfSqliteKey(r.page_id), psid: idOfSqliteKey(r.psid) }))),
    ...docs,
    readHistory(thread, before, limit) {
      try {
        const k = keysOf(thread);
        return read(() => history.read(k.page, k.psid, before, limit), k.row);
      } catch (e) {
        return rejected(e);
      }
    },
    pruneDedupe: (now) => (closed ? Promise.reject(new StoreClosedError('sqlite')) : write(() => prune.dedupe(now))),
    close: () => attempt(() => {
      if (closed) return;
      group?.flush();
      closed = true;
      if (options.closeDatabase === true) db.close();
    }),
  };
};
