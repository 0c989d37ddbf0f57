import type { DocKind, DocWrite, Instant } from '@callperm/core';
import type { PruneRequest, RawDocRow, StoreDriver } from '@callperm/core/store';
import type BetterSqlite3 from 'better-sqlite3';
import { attempt } from '../shared/attempt.js';
import { SQLITE_TABLES } from './migrations.js';

/** The document half of the driver contract. */
export type DocMethods = Pick<StoreDriver, 'getDoc' | 'putDoc' | 'deleteDoc' | 'dueDocs'>;

const D = SQLITE_TABLES.docs;

/**
 * The SQLite driver's side documents, in the `callperm_docs` table: compare-and-set
 * is one conditional statement, as for threads (`INSERT ... ON CONFLICT DO NOTHING`
 * for version 0, `UPDATE ... WHERE version = ?` after), a delete is `DELETE ...
 * WHERE version = ?`, and `dueDocs` reads a partial index on (kind, due_at). Each
 * call is its own transaction: one statement, or, when a `putDoc` carries a prune
 * request, `prune` then the write in one `BEGIN IMMEDIATE` transaction. Rows are
 * returned raw (the wrapper validates them).
 *
 * @example
 * const docs = sqliteDocs(db, (request) => prune.run(request));
 * await docs.putDoc('inbox', 'k', 0, '{}', { now: 0, dueAt: 5, expiresAt: null }, null); // true
 */
export const sqliteDocs = (db: BetterSqlite3.Database, prune: (request: PruneRequest) => void): DocMethods => {
  const select = db.prepare<[DocKind, string], RawDocRow>(`SELECT version, value, due_at AS dueAt FROM ${D} WHERE kind = ? AND key = ?`);
  const exists = db.prepare<[DocKind, string], 1>(`SELECT 1 FROM ${D} WHERE kind = ? AND key = ?`).pluck();
  const insert = db.prepare<[DocKind, string, string, Instant | null, Instant | null]>(
    `INSERT INTO ${D} (kind, key, version, value, due_at, expires_at) VALUES (?, ?, 1, ?, ?, ?) ON CONFLICT (kind, key) DO NOTHING`,
  );
  const update = db.prepare<[string, Instant | null, Instant | null, DocKind, string, number]>(
    `UPDATE ${D} SET version = version + 1, value = ?, due_at = ?, expires_at = ? WHERE kind = ? AND key = ? AND version = ?`,
  );
  const remove = db.prepare<[DocKind, string, number]>(`DELETE FROM ${D} WHERE kind = ? AND key = ? AND version = ?`);
  const due = db.prepare<[DocKind, Instant, number], string>(
    `SELECT key FROM ${D} WHERE kind = ? AND due_at IS NOT NULL AND due_at <= ? ORDER BY due_at LIMIT ?`,
  ).pluck();

  const put = (kind: DocKind, key: string, expectedVersion: number, value: string, write: DocWrite): boolean =>
    (expectedVersion === 0
      ? insert.run(kind, key, value, write.dueAt, write.expiresAt).changes
      : update.run(value, write.dueAt, write.expiresAt, kind, key, expectedVersion).changes) === 1;
  const pruneThenPut = db.transaction(
    (request: PruneRequest, kind: DocKind, key: string, expectedVersion: number, value: string, write: DocWrite): boolean => {
      prune(request);
      return put(kind, key, expectedVersion, value, write);
    },
  );

  return {
    getDoc: (kind, key) => attempt(() => select.get(kind, key) ?? null),
    putDoc: (kind, key, expectedVersion, value, write, request) => attempt(() => (request === null
      ? put(kind, key, expectedVersion, value, write)
      : pruneThenPut.immediate(request, kind, key, expectedVersion, value, write))),
    deleteDoc: (kind, key, expectedVersion) => attempt(() => (expectedVersion === 0
      ? exists.get(kind, key) === undefined
      : remove.run(kind, key, expectedVersion).changes === 1)),
    dueDocs: (kind, before, limit) => attempt(() => due.all(kind, before, limit)),
  };
};
