import type { PostgresTables } from './postgresTables.js';

/** A named (server-side prepared) statement: `name` is unique per schema and text. */
export interface NamedQuery {
  readonly name: string;
  readonly text: string;
}

/** Every statement the PostgreSQL store runs, for one schema. */
export interface PostgresQueries {
  readonly get: NamedQuery;
  /** $1 page, $2 psid, $3 expected version, $4 record JSON, $5 dueAt; returns the new version, or no row. */
  readonly compareAndSet: NamedQuery;
  /** $1 event id, $2 until, $3 now; one row affected the first time. */
  readonly remember: NamedQuery;
  readonly prune: NamedQuery;
  readonly due: NamedQuery;
}

/**
 * Builds the store's SQL. Compare-and-set is one conditional upsert: the insert
 * branch is only attempted for version 0 or an existing row (so an invented
 * version of a missing thread is a conflict, not an insert), and `ON CONFLICT DO
 * UPDATE ... WHERE version = $3` writes only over the expected version.
 * PostgreSQL decides an `ON CONFLICT` upsert atomically, even under READ COMMITTED.
 *
 * @example
 * postgresQueries(postgresTables('callperm')).compareAndSet.name; // 'callperm_cas_callperm'
 */
export const postgresQueries = (t: PostgresTables): PostgresQueries => {
  const n = (what: string): string => `callperm_${what}_${t.schemaName}`;
  return {
    get: { name: n('get'), text: `SELECT version, record FROM ${t.threads} WHERE page_id = $1 AND psid = $2` },
    compareAndSet: {
      name: n('cas'),
      text: `INSERT INTO ${t.threads} AS t (page_id, psid, version, record, due_at)
        SELECT $1::text, $2::text, $3::integer + 1, $4::text, $5::bigint
        WHERE $3::integer = 0 OR EXISTS (SELECT 1 FROM ${t.threads} WHERE page_id = $1::text AND psid = $2::text)
        ON CONFLICT (page_id, psid) DO UPDATE
          SET version = EXCLUDED.version, record = EXCLUDED.record, due_at = EXCLUDED.due_at, updated_at = now()
          WHERE t.version = $3::integer
        RETURNING version`,
    },
    remember: {
      name: n('remember'),
      text: `INSERT INTO ${t.dedupe} AS d (event_id, until) VALUES ($1, $2)
        ON CONFLICT (event_id) DO UPDATE SET until = EXCLUDED.until WHERE d.until <= $3`,
    },
    prune: { name: n('prune'), text: `DELETE FROM ${t.dedupe} WHERE until <= $1` },
    due: {
      name: n('due'),
      text: `SELECT page_id, psid FROM ${t.threads}
        WHERE due_at IS NOT NULL AND due_at <= $1 ORDER BY due_at LIMIT $2`,
    },
  };
};
