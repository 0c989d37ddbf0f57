import type { Instant } from '@callperm/core';
import type { StoredHistoryEntry } from '@callperm/core/store';
import type BetterSqlite3 from 'better-sqlite3';
import { SQLITE_TABLES } from './migrations.js';
import type { SqliteKey } from './sqliteKey.js';

const H = SQLITE_TABLES.history;

/**
 * The consent history in SQLite (`callperm_history`, schema 4): one row per
 * entry with the thread's ids (as `sqliteKey` binds them), the entry's `at`, the
 * version its commit wrote and its index in that commit, and the wrapper's JSON
 * text, kept as it is. Rows append at the end of a rowid table (cheap: a commit's
 * entries share a page or two); `read` walks the index on (page_id, psid, at,
 * version, idx) backwards, so it neither scans nor sorts. Synchronous statements:
 * the driver runs `append` inside the commit's transaction.
 *
 * @example
 * const history = sqliteHistory(db);
 * history.append(1001n, 2002n, 2, [{ at: 5, text: '{"v":1,...}' }]);
 * history.read(1001n, 2002n, Number.MAX_SAFE_INTEGER, 10); // [{ at: 5, text: '{"v":1,...}' }]
 */
export const sqliteHistory = (db: BetterSqlite3.Database) => {
  const insert = db.prepare<[SqliteKey, SqliteKey, number, number, number, string]>(
    `INSERT INTO ${H} (page_id, psid, at, version, idx, entry) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const select = db.prepare<[SqliteKey, SqliteKey, number, number], StoredHistoryEntry>(
    `SELECT at, entry AS text FROM ${H} WHERE page_id = ? AND psid = ? AND at < ? ORDER BY at DESC, version DESC, idx DESC LIMIT ?`,
  );
  return {
    /** Appends a commit's entries, in order, under the version it wrote. */
    append(page: SqliteKey, psid: SqliteKey, version: number, entries: readonly StoredHistoryEntry[]): void {
      for (let idx = 0; idx < entries.length; idx += 1) {
        const e = entries[idx]!;
        insert.run(page, psid, e.at, version, idx, e.text);
      }
    },
    /** The thread's entries with `at` before `before`, newest first (by `at`, then commit order), at most `limit`. */
    read: (page: SqliteKey, psid: SqliteKey, before: Instant, limit: number): StoredHistoryEntry[] => select.all(page, psid, before, limit),
  };
};
