import type BetterSqlite3 from 'better-sqlite3';
import { SchemaVersionError } from '../shared/SchemaVersionError.js';

/** The tables the SQLite store owns; the file's `user_version` is the schema version. */
export const SQLITE_TABLES = {
  threads: 'callperm_threads', dedupe: 'callperm_dedupe', docs: 'callperm_docs', history: 'callperm_history',
} as const;

/** SQL twin of `sqliteKey`: an id of 1-18 digits without a leading zero becomes an INTEGER. */
function canonical(column: string): string {
  return `CASE WHEN ${column} GLOB '[1-9]*' AND ${column} NOT GLOB '*[^0-9]*' AND length(${column}) <= 18
    THEN CAST(${column} AS INTEGER) ELSE ${column} END`;
}

/**
 * One entry per schema version, applied in order; entry `i` moves `user_version`
 * from `i` to `i + 1`. Never edit a released entry: append a new one.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE ${SQLITE_TABLES.threads} (
     page_id TEXT NOT NULL,
     psid    TEXT NOT NULL,
     version INTEGER NOT NULL,
     record  TEXT NOT NULL,
     due_at  INTEGER,
     PRIMARY KEY (page_id, psid)
   ) WITHOUT ROWID;
   CREATE INDEX ${SQLITE_TABLES.threads}_due ON ${SQLITE_TABLES.threads} (due_at) WHERE due_at IS NOT NULL;
   CREATE TABLE ${SQLITE_TABLES.dedupe} (
     event_id TEXT PRIMARY KEY,
     until    INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX ${SQLITE_TABLES.dedupe}_until ON ${SQLITE_TABLES.dedupe} (until);`,
  // 2: side documents (call traces, the webhook inbox), apart from thread records.
  `CREATE TABLE ${SQLITE_TABLES.docs} (
     kind       TEXT NOT NULL,
     key        TEXT NOT NULL,
     version    INTEGER NOT NULL,
     value      TEXT NOT NULL,
     due_at     INTEGER,
     expires_at INTEGER,
     PRIMARY KEY (kind, key)
   ) WITHOUT ROWID;
   CREATE INDEX ${SQLITE_TABLES.docs}_due ON ${SQLITE_TABLES.docs} (kind, due_at) WHERE due_at IS NOT NULL;
   CREATE INDEX ${SQLITE_TABLES.docs}_expires ON ${SQLITE_TABLES.docs} (expires_at) WHERE expires_at IS NOT NULL;`,
  // 3: compact threads (~100 bytes a thread on disk instead of ~500): canonical decimal ids as INTEGER
  // (see sqliteKey), records packed as BLOBs (rows copied here keep their JSON text until their next write).
  `CREATE TABLE ${SQLITE_TABLES.threads}_v3 (
     page_id NOT NULL,
     psid    NOT NULL,
     version INTEGER NOT NULL,
     record  BLOB NOT NULL,
     due_at  INTEGER,
     PRIMARY KEY (page_id, psid)
   ) WITHOUT ROWID;
   INSERT INTO ${SQLITE_TABLES.threads}_v3 (page_id, psid, version, record, due_at)
     SELECT ${canonical('page_id')}, ${canonical('psid')}, version, record, due_at FROM ${SQLITE_TABLES.threads};
   DROP TABLE ${SQLITE_TABLES.threads};
   ALTER TABLE ${SQLITE_TABLES.threads}_v3 RENAME TO ${SQLITE_TABLES.threads};
   CREATE INDEX ${SQLITE_TABLES.threads}_due ON ${SQLITE_TABLES.threads} (due_at) WHERE due_at IS NOT NULL;`,
  // 4: the consent history, one row per entry: ids as in threads (untyped columns, canonical decimals bound as
  // INTEGER), the entry's at, the version its commit wrote and its index there, the entry's JSON text. A rowid
  // table, so entries append at its end (a random-position key would dirty a page per entry); the thread index is
  // the read order (newest first by at, then commit order) and the index on at serves the retention prune.
  `CREATE TABLE ${SQLITE_TABLES.history} (
     page_id NOT NULL,
     psid    NOT NULL,
     at      INTEGER NOT NULL,
     version INTEGER NOT NULL,
     idx     INTEGER NOT NULL,
     entry   TEXT NOT NULL
   );
   CREATE INDEX ${SQLITE_TABLES.history}_thread ON ${SQLITE_TABLES.history} (page_id, psid, at, version, idx);
   CREATE INDEX ${SQLITE_TABLES.history}_at ON ${SQLITE_TABLES.history} (at);`,
];

const userVersion = (db: BetterSqlite3.Database): number => Number(db.pragma('user_version', { simple: true }));

/**
 * Brings the database to the newest schema. Safe when several processes open the
 * same file at once: the version is re-read inside a `BEGIN IMMEDIATE`
 * transaction (one writer at a time), so each migration runs exactly once.
 *
 * @example
 * migrateSqlite(new Database('callperm.sqlite')); // user_version is now SQLITE_MIGRATIONS.length
 */
export const migrateSqlite = (db: BetterSqlite3.Database): void => {
  const known = SQLITE_MIGRATIONS.length;
  const before = userVersion(db);
  if (before > known) throw new SchemaVersionError('sqlite', before, known);
  if (before === known) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    const found = userVersion(db);
    if (found > known) throw new SchemaVersionError('sqlite', found, known);
    for (let v = found; v < known; v += 1) {
      db.exec(SQLITE_MIGRATIONS[v] ?? '');
      db.pragma(`user_version = ${v + 1}`);
    }
    db.exec('COMMIT');
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  }
};
