import type BetterSqlite3 from 'better-sqlite3';
import { DEFAULT_HISTORY_LIMIT, type HistoryEntry, type TransitionLog } from './TransitionLog.js';

/** The table the CLI adds to a SQLite store's file; the store's own tables are untouched. */
export const SQLITE_HISTORY_TABLE = 'callperm_cli_history';

interface Row {
  readonly at: number;
  readonly from_state: HistoryEntry['from'];
  readonly to_state: HistoryEntry['to'];
  readonly event: HistoryEntry['event'];
  readonly reason: HistoryEntry['reason'];
}

/**
 * A transition log in the SQLite store's own file (one more table), so
 * `callperm chart --thread` can replay what `simulate` or `serve` did there.
 * better-sqlite3 is synchronous: each append is stored before it returns.
 *
 * @example
 * const store = await sqliteStore({ filename: 'callperm.sqlite' });
 * const log = sqliteTransitionLog(store.database);
 */
export const sqliteTransitionLog = (db: BetterSqlite3.Database, limit = DEFAULT_HISTORY_LIMIT): TransitionLog => {
  const T = SQLITE_HISTORY_TABLE;
  db.exec(`CREATE TABLE IF NOT EXISTS ${T} (
    page_id TEXT NOT NULL, psid TEXT NOT NULL, seq INTEGER NOT NULL,
    at INTEGER NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL, event TEXT NOT NULL, reason TEXT,
    PRIMARY KEY (page_id, psid, seq)
  ) WITHOUT ROWID`);
  const insert = db.prepare<[string, string, number, string, string, string, string | null, string, string], { seq: number }>(
    `INSERT INTO ${T} (page_id, psid, seq, at, from_state, to_state, event, reason)
     SELECT ?, ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ? FROM ${T} WHERE page_id = ? AND psid = ?
     RETURNING seq`,
  );
  const trim = db.prepare<[string, string, number]>(`DELETE FROM ${T} WHERE page_id = ? AND psid = ? AND seq <= ?`);
  const select = db.prepare<[string, string], Row>(
    `SELECT at, from_state, to_state, event, reason FROM ${T} WHERE page_id = ? AND psid = ? ORDER BY seq`,
  );
  const append = db.transaction((pageId: string, psid: string, e: HistoryEntry) => {
    const row = insert.get(pageId, psid, e.at, e.from, e.to, e.event, e.reason, pageId, psid);
    if (row && row.seq > limit) trim.run(pageId, psid, row.seq - limit);
  });
  let failure: unknown = undefined;
  return {
    append(n) {
      try {
        append(n.thread.pageId, n.thread.psid, { at: n.at, from: n.from, to: n.to, event: n.event, reason: n.reason });
      } catch (e) {
        failure ??= e;
      }
    },
    read: (t) => Promise.resolve(select.all(t.pageId, t.psid).map((r) => ({
      at: r.at, from: r.from_state, to: r.to_state, event: r.event, reason: r.reason,
    }))),
    flush: () => {
      const f = failure;
      failure = undefined;
      return f === undefined ? Promise.resolve() : Promise.reject(f instanceof Error ? f : new Error('A transition log write failed.', { cause: f }));
    },
  };
};
