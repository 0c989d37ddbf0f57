import type { PostgresTables } from './postgresTables.js';

/** A named (server-side prepared) statement: `name` is unique per schema and text. */
export interface NamedQuery {
  readonly name: string;
  readonly text: string;
}

/** Every statement the PostgreSQL store runs, for one schema. */
export interface PostgresQueries {
  readonly get: NamedQuery;
  /** $1 pages, $2 psids (one thread per index); returns `ord` (1-based index), version, record of the stored ones. */
  readonly getMany: NamedQuery;
  /** $1 page, $2 psid, $3 expected version, $4 record JSON, $5 dueAt; returns the new version, or no row. */
  readonly compareAndSet: NamedQuery;
  /** $1 event id, $2 until, $3 now; one row affected the first time. */
  readonly remember: NamedQuery;
  /** $1 now: deletes the expired ids no running transaction holds; rowCount is how many. */
  readonly prune: NamedQuery;
  readonly due: NamedQuery;
  /** A batch of `commitThread` calls in one statement: see {@link commitManySql} for parameters and rows. */
  readonly commitMany: NamedQuery;
}

/**
 * The statement that commits a batch of `commitThread` calls at once: one round
 * trip and one implicit transaction, so each call's write and ids land together.
 *
 * Parameters, one array element per call (`ord` = 1-based index in the arrays):
 * $1 page ids, $2 psids, $3 expected versions, $4 record JSON (NULL: record null,
 * nothing written), $5 dueAt; then one element per event id: $6 its call's
 * `ord`, $7 the id, $8 its call's `now`, $9 its call's `until`.
 *
 * Rows: one per successful call (`ord`, `version`, `n` NULL), then one per id
 * seen for the first time (`ord`, `version` NULL, `n` = 1-based index of the id in $6..$9).
 *
 * Shape and why:
 * - `w` is the compare-and-set of the `compareAndSet` statement made set-based:
 *   insert at `expected + 1`, only tried for version 0 or an existing row (a
 *   missing thread at version > 0 is a conflict, never an insert), `ON CONFLICT
 *   DO UPDATE ... WHERE version = expected` (EXCLUDED carries `expected + 1`).
 *   One upsert rather than an UPDATE plus an INSERT, so each batch locks its
 *   threads in one stream, in one order (`COLLATE "C"`) shared by every batch
 *   and process: concurrent batches then wait for each other but cannot deadlock.
 *   It needs each thread at most once per batch (the caller defers a repeat,
 *   or answers it as a conflict when it expects the same version: see `takeCommits`).
 * - `ok`: the calls written (mapped back by page and psid, unique in the batch)
 *   and the record-null calls, which always succeed at their expected version.
 * - `fresh` inserts the ids of the calls in `ok`, in one order (`COLLATE "C"`),
 *   overwriting only an expired id as the `remember` statement does, with each
 *   id's own call's `now` (ids are unique per batch: the caller defers repeats,
 *   as `ON CONFLICT DO UPDATE` cannot touch a row twice). The `ok` calls are
 *   read through an aggregate (an InitPlan, run before the first id is
 *   inserted), so every thread lock is taken before any id lock: no batch holds
 *   an id while waiting for a thread.
 * - The final SELECT joins `fresh` back to its input rows by value, as the
 *   server stored it.
 */
const commitManySql = (t: PostgresTables): string => `WITH g AS (
    SELECT page, psid, old, rec, due, ord::integer AS ord
    FROM unnest($1::text[], $2::text[], $3::integer[], $4::text[], $5::bigint[]) WITH ORDINALITY AS u(page, psid, old, rec, due, ord)
  ),
  w AS (
    INSERT INTO ${t.threads} AS t (page_id, psid, version, record, due_at)
    SELECT g.page, g.psid, g.old + 1, g.rec, g.due FROM g
    WHERE g.rec IS NOT NULL
      AND (g.old = 0 OR EXISTS (SELECT 1 FROM ${t.threads} x WHERE x.page_id = g.page AND x.psid = g.psid))
    ORDER BY g.page COLLATE "C", g.psid COLLATE "C"
    ON CONFLICT (page_id, psid) DO UPDATE
      SET version = EXCLUDED.version, record = EXCLUDED.record, due_at = EXCLUDED.due_at, updated_at = now()
      WHERE t.version = EXCLUDED.version - 1
    RETURNING t.page_id, t.psid, t.version
  ),
  ok AS (
    SELECT g.ord, w.version FROM w JOIN g ON g.page = w.page_id AND g.psid = w.psid AND g.rec IS NOT NULL
    UNION ALL
    SELECT g.ord, g.old FROM g WHERE g.rec IS NULL
  ),
  e AS (
    SELECT call, id, now, until, n::integer AS n
    FROM unnest($6::integer[], $7::text[], $8::bigint[], $9::bigint[]) WITH ORDINALITY AS u(call, id, now, until, n)
  ),
  fresh AS (
    INSERT INTO ${t.dedupe} AS d (event_id, until)
    SELECT e.id, e.until FROM e
    WHERE e.call = ANY ((SELECT array_agg(ok.ord) FROM ok)::integer[])
    ORDER BY e.id COLLATE "C"
    ON CONFLICT (event_id) DO UPDATE SET until = EXCLUDED.until
      WHERE d.until <= (SELECT min(x.now) FROM e x WHERE x.id = EXCLUDED.event_id)
    RETURNING d.event_id
  )
  SELECT ok.ord, ok.version, NULL::integer AS n FROM ok
  UNION ALL
  SELECT e.call, NULL, e.n FROM fresh JOIN e ON e.id = fresh.event_id`;

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
    getMany: {
      name: n('get_many'),
      text: `SELECT k.ord::integer AS ord, t.version, t.record
        FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(page, psid, ord)
        JOIN ${t.threads} t ON t.page_id = k.page AND t.psid = k.psid`,
    },
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
    // SKIP LOCKED: the prune never waits for a row a commit batch holds (that batch locks its ids in id
    // order, this scan does not, so waiting could close a deadlock cycle); a skipped row goes next time.
    prune: {
      name: n('prune'),
      text: `DELETE FROM ${t.dedupe} WHERE event_id IN (SELECT event_id FROM ${t.dedupe} WHERE until <= $1 FOR UPDATE SKIP LOCKED)`,
    },
    due: {
      name: n('due'),
      text: `SELECT page_id, psid FROM ${t.threads}
        WHERE due_at IS NOT NULL AND due_at <= $1 ORDER BY due_at LIMIT $2`,
    },
    commitMany: { name: n('commit_many'), text: commitManySql(t) },
  };
};
