import type { CasResult, Instant, PermissionStore, VersionedDoc } from '@callperm/core';
import type { Pool } from 'pg';
import { docRow } from '../shared/docRow.js';
import type { PostgresTables } from './postgresTables.js';

/** The document half of the `PermissionStore` port. */
export type DocMethods = Pick<PermissionStore, 'getDoc' | 'putDoc' | 'deleteDoc' | 'dueDocs'>;

interface DocRow { readonly version: unknown; readonly value: unknown; readonly due_at: unknown }

const CONFLICT: CasResult = { ok: false, reason: 'conflict' };

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
    prune: { name: n('prune'), text: `DELETE FROM ${t.docs} WHERE expires_at IS NOT NULL AND expires_at <= $1` },
  };
};

/**
 * The PostgreSQL store's side documents, in the `callperm_docs` table of its
 * schema: conditional writes and deletes on the version, `dueDocs` from a partial
 * index on (kind, due_at). Expired documents are deleted when a writer's `now` is
 * at least `pruneEveryMs` past this process's last prune. `open` throws once the
 * store is closed.
 *
 * @example
 * const docs = postgresDocs(pool, postgresTables('callperm'), () => undefined, 60_000);
 * await docs.putDoc('inbox', 'k', 0, '{}', { now: 0, dueAt: 5, expiresAt: null }); // { ok: true, version: 1 }
 */
export const postgresDocs = (pool: Pool, tables: PostgresTables, open: () => void, pruneEveryMs: number): DocMethods => {
  const q = docQueries(tables);
  let lastPrune = -Infinity;
  const read = async (kind: string, key: string): Promise<DocRow | undefined> =>
    (await pool.query<DocRow>({ ...q.get, values: [kind, key] })).rows[0];

  return {
    async getDoc(kind, key): Promise<VersionedDoc | null> {
      open();
      const row = await read(kind, key);
      return row === undefined ? null : docRow(kind, key, row.version, row.value, row.due_at);
    },
    async putDoc(kind, key, expectedVersion, value, write): Promise<CasResult> {
      open();
      if (write.now - lastPrune >= pruneEveryMs) {
        lastPrune = write.now;
        await pool.query({ ...q.prune, values: [write.now] });
      }
      const r = expectedVersion === 0
        ? await pool.query({ ...q.insert, values: [kind, key, value, write.dueAt, write.expiresAt] })
        : await pool.query({ ...q.update, values: [kind, key, expectedVersion, value, write.dueAt, write.expiresAt] });
      return r.rowCount === 1 ? { ok: true, version: expectedVersion + 1 } : CONFLICT;
    },
    async deleteDoc(kind, key, expectedVersion): Promise<CasResult> {
      open();
      const gone = expectedVersion === 0
        ? (await read(kind, key)) === undefined
        : (await pool.query({ ...q.delete, values: [kind, key, expectedVersion] })).rowCount === 1;
      return gone ? { ok: true, version: 0 } : CONFLICT;
    },
    async dueDocs(kind, before: Instant, limit): Promise<string[]> {
      open();
      if (limit <= 0) return [];
      const { rows } = await pool.query<{ key: string }>({ ...q.due, values: [kind, before, Math.trunc(limit)] });
      return rows.map((r) => r.key);
    },
  };
};
