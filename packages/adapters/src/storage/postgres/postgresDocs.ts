import type { DocKind, DocWrite } from '@callperm/core';
import type { RawDocRow, StoreDriver } from '@callperm/core/store';
import type { Pool } from 'pg';
import { atMost, limitOf } from './bigintBound.js';
import type { PostgresTables } from './postgresTables.js';

/** The document statements of a driver; `putDoc` takes no prune request (the driver runs it first). */
export interface DocMethods extends Pick<StoreDriver<'text'>, 'getDoc' | 'deleteDoc' | 'dueDocs'> {
  putDoc(kind: DocKind, key: string, expectedVersion: number, value: string, write: DocWrite): Promise<boolean>;
}

interface DocRow { readonly version: unknown; readonly value: unknown; readonly due_at: unknown }

/**
 * The document statements for one schema. A write over version 0 is an `INSERT
 * ... ON CONFLICT DO NOTHING`; over a version, an `UPDATE ... WHERE version = $`,
 * which PostgreSQL re-checks on the newest row after waiting for a concurrent
 * writer, so a racing delete or update makes it a conflict (an upsert guarded by
 * `EXISTS` could re-insert a row a delete just removed).
 */
const docQueries = (t: PostgresTables) => {
  const n = (what: string): string => `callperm_doc_${what}_${t.schemaName}`;
  return {
    get: { name: n('get'), text: `SELECT version, value, due_at FROM ${t.docs} WHERE kind = $1 AND key = $2` },
    insert: {
      name: n('insert'),
      text: `INSERT INTO ${t.docs} (kind, key, version, value, due_at, expires_at) VALUES ($1, $2, 1, $3, $4, $5)
        ON CONFLICT (kind, key) DO NOTHING`,
    },
    update: {
      name: n('update'),
      text: `UPDATE ${t.docs} SET version = version + 1, value = $4, due_at = $5, expires_at = $6, updated_at = now()
        WHERE kind = $1 AND key = $2 AND version = $3`,
    },
    delete: { name: n('delete'), text: `DELETE FROM ${t.docs} WHERE kind = $1 AND key = $2 AND version = $3` },
    due: {
      name: n('due'),
      text: `SELECT key FROM ${t.docs} WHERE kind = $1 AND due_at IS NOT NULL AND due_at <= $2 ORDER BY due_at LIMIT $3`,
    },
  };
};

/**
 * The PostgreSQL driver's side documents, in the `callperm_docs` table of its
 * schema: conditional writes and deletes on the version, `dueDocs` from a partial
 * index on (kind, due_at). Rows are returned as read (the store wrapper
 * validates them). Expired documents are deleted by the driver's prune.
 *
 * @example
 * const docs = postgresDocs(pool, postgresTables('callperm'));
 * await docs.putDoc('inbox', 'k', 0, '{}', { now: 0, dueAt: 5, expiresAt: null }); // true
 */
export const postgresDocs = (pool: Pool, tables: PostgresTables): DocMethods => {
  const q = docQueries(tables);
  const read = async (kind: string, key: string): Promise<DocRow | undefined> =>
    (await pool.query<DocRow>({ ...q.get, values: [kind, key] })).rows[0];

  return {
    async getDoc(kind, key): Promise<RawDocRow | null> {
      const row = await read(kind, key);
      return row === undefined ? null : { version: row.version, value: row.value, dueAt: row.due_at };
    },
    async putDoc(kind, key, expectedVersion, value, write): Promise<boolean> {
      const r = expectedVersion === 0
        ? await pool.query({ ...q.insert, values: [kind, key, value, write.dueAt, write.expiresAt] })
        : await pool.query({ ...q.update, values: [kind, key, expectedVersion, value, write.dueAt, write.expiresAt] });
      return r.rowCount === 1;
    },
    async deleteDoc(kind, key, expectedVersion): Promise<boolean> {
      return expectedVersion === 0
        ? (await read(kind, key)) === undefined
        : (await pool.query({ ...q.delete, values: [kind, key, expectedVersion] })).rowCount === 1;
    },
    async dueDocs(kind, before, limit): Promise<string[]> {
      const { rows } = await pool.query<{ key: string }>({ ...q.due, values: [kind, atMost(before), limitOf(limit)] });
      return rows.map((r) => r.key);
    },
  };
};
