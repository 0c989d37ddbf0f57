import type { CasResult, DocKind, Instant, PermissionStore, VersionedDoc } from '@callperm/core';
import type BetterSqlite3 from 'better-sqlite3';
import { attempt } from '../shared/attempt.js';
import { docRow } from '../shared/docRow.js';
import { SQLITE_TABLES } from './migrations.js';

/** The document half of the `PermissionStore` port. */
export type DocMethods = Pick<PermissionStore, 'getDoc' | 'putDoc' | 'deleteDoc' | 'dueDocs'>;

interface DocRow { readonly version: unknown; readonly value: unknown; readonly due_at: unknown }

const D = SQLITE_TABLES.docs;
const CONFLICT: CasResult = { ok: false, reason: 'conflict' };

/**
 * The SQLite store's side documents, in the `callperm_docs` table: compare-and-set
 * is one conditional statement, as for threads (`INSERT ... ON CONFLICT DO NOTHING`
 * for version 0, `UPDATE ... WHERE version = ?` after), a delete is `DELETE ...
 * WHERE version = ?`, and `dueDocs` reads a partial index on (kind, due_at).
 * Expired documents are deleted when a writer's `now` is at least `pruneEveryMs`
 * past the last prune. `open` throws once the store is closed.
 *
 * @example
 * const docs = sqliteDocs(db, () => undefined, 60_000);
 * await docs.putDoc('inbox', 'k', 0, '{}', { now: 0, dueAt: 5, expiresAt: null }); // { ok: true, version: 1 }
 */
export const sqliteDocs = (db: BetterSqlite3.Database, open: () => void, pruneEveryMs: number): DocMethods => {
  const select = db.prepare<[DocKind, string], DocRow>(`SELECT version, value, due_at FROM ${D} WHERE kind = ? AND key = ?`);
  const insert = db.prepare<[DocKind, string, string, number | null, number | null]>(
    `INSERT INTO ${D} (kind, key, version, value, due_at, expires_at) VALUES (?, ?, 1, ?, ?, ?) ON CONFLICT (kind, key) DO NOTHING`,
  );
  const update = db.prepare<[string, number | null, number | null, DocKind, string, number]>(
    `UPDATE ${D} SET version = version + 1, value = ?, due_at = ?, expires_at = ? WHERE kind = ? AND key = ? AND version = ?`,
  );
  const remove = db.prepare<[DocKind, string, number]>(`DELETE FROM ${D} WHERE kind = ? AND key = ? AND version = ?`);
  const due = db.prepare<[DocKind, number, number], { key: string }>(
    `SELECT key FROM ${D} WHERE kind = ? AND due_at IS NOT NULL AND due_at <= ? ORDER BY due_at LIMIT ?`,
  );
  const prune = db.prepare<[number]>(`DELETE FROM ${D} WHERE expires_at IS NOT NULL AND expires_at <= ?`);
  let lastPrune = -Infinity;

  return {
    getDoc: (kind, key) => attempt((): VersionedDoc | null => {
      open();
      const row = select.get(kind, key);
      return row === undefined ? null : docRow(kind, key, row.version, row.value, row.due_at);
    }),
    putDoc: (kind, key, expectedVersion, value, write) => attempt((): CasResult => {
      open();
      if (write.now - lastPrune >= pruneEveryMs) {
        prune.run(write.now);
        lastPrune = write.now;
      }
      const changes = expectedVersion === 0
        ? insert.run(kind, key, value, write.dueAt, write.expiresAt).changes
        : update.run(value, write.dueAt, write.expiresAt, kind, key, expectedVersion).changes;
      return changes === 1 ? { ok: true, version: expectedVersion + 1 } : CONFLICT;
    }),
    deleteDoc: (kind, key, expectedVersion) => attempt((): CasResult => {
      open();
      const gone = expectedVersion === 0 ? select.get(kind, key) === undefined : remove.run(kind, key, expectedVersion).changes === 1;
      return gone ? { ok: true, version: 0 } : CONFLICT;
    }),
    dueDocs: (kind, before: Instant, limit) => attempt((): string[] => {
      open();
      if (limit <= 0) return [];
      return due.all(kind, before, Math.trunc(limit)).map((r) => r.key);
    }),
  };
};
