import type { PostgresTables } from './postgresTables.js';

/** A named (server-side prepared) statement: `name` is unique per schema and text. */
export interface NamedQuery {
  readonly name: string;
  readonly text: string;
}

/** Every thread, dedupe and history statement the PostgreSQL driver runs, for one schema. */
export interface PostgresQueries {
  readonly get: NamedQuery;
  /** $1 pages, $2 psids (one thread per index); returns `ord` (1-based index), version, record of the stored ones. */
  readonly getMany: NamedQuery;
  /** $1 now: deletes the expired ids no running transaction holds; rowCount is how many. */
  readonly pruneDedupe: NamedQuery;
  /**
   * $1 now, $2 historyBefore: deletes expired ids, expired documents and history
   * entries with `at < $2`, skipping rows a running transaction holds (they go
   * next time), so a prune never waits for a lock and closes no deadlock cycle.
   */
  readonly prune: NamedQuery;
  readonly due: NamedQuery;
  /** A batch of commits in one statement: see {@link commitManySql} for parameters and rows. */
  readonly commitMany: NamedQuery;
  /** A retire in one statement: see {@link retireSql} for parameters and rows. */
  readonly retire: NamedQuery;
  /** $1 page, $2 psid, $3 before (exclusive), $4 limit: `at` and `entry`, newest first (at, version, idx). */
  readonly history: NamedQuery;
}

/**
 * The statement that commits a batch of driver commits at once: one round
 * trip and one implicit transaction, so each call's write, ids and history land together.
 *
 * Parameters, one array element per call (`ord` = 1-based index in the arrays):
 * $1 page ids, $2 psids, $3 expected versions, $4 record JSON (NULL: record null,
 * nothing written), $5 dueAt; then one element per event id: $6 its call's
 * `ord`, $7 the id, $8 its call's `now`, $9 its call's `until`; then one element
 * per history entry: $10 its call's `ord`, $11 its index in that call, $12 its
 * `at`, $13 its text.
 *
 * Rows: one per successful call (`ord`, `version`, `n` NULL), then one per id
 * seen for the first time (`ord`, `version` NULL, `n` = 1-based index of the id in $6..$9).
 *
 * Shape and why:
 * - `w` is a compare-and-set made set-based: insert at `expected + 1`, only
 *   tried for version 0 or an existing row (a missing thread at version > 0 is
 *   a conflict, never an insert), `ON CONFLICT DO UPDATE ... WHERE version =
 *   expected` (EXCLUDED carries `expected + 1`). It never reads the stored
 *   record, so a row that no longer decodes can be replaced (an operator's reset).
 *   The existing row is found `FOR KEY SHARE`: a retire deleting it after this
 *   statement's snapshot would otherwise let the upsert insert it again at
 *   `expected + 1` (both would win at one version); the lock makes the delete wait
 *   for this commit (then find the version moved on), or this commit wait for the
 *   delete (then find no row: a conflict). KEY SHARE conflicts with deletes only,
 *   never with the upserts' own row locks (FOR NO KEY UPDATE: no key column
 *   changes), so batches do not wait on each other for it, whatever its order.
 *   One upsert rather than an UPDATE plus an INSERT, so each batch locks its
 *   threads in one stream, in one order (`COLLATE "C"`) shared by every batch
 *   and process: concurrent batches then wait for each other but cannot deadlock.
 *   It needs each thread at most once per batch (the caller defers a repeat,
 *   or answers it as a conflict when it expects the same version: see `takeCommits`).
 * - `won`: the calls written (mapped back by page and psid, unique in the batch);
 *   `ok` adds the record-null calls, which always succeed at their expected version.
 * - `fresh` inserts the ids of the calls in `ok`, in one order (`COLLATE "C"`),
 *   overwriting only an expired id, with each id's own call's `now` (ids are
 *   unique per batch: the caller defers repeats, as `ON CONFLICT DO UPDATE`
 *   cannot touch a row twice). The `ok` calls are read through an aggregate (an
 *   InitPlan, run before the first id is inserted), so every thread lock is
 *   taken before any id lock: no batch holds an id while waiting for a thread.
 * - `appended` inserts the history entries of the calls in `won` only (a
 *   conflict appends nothing), keyed by the version their call wrote. The main
 *   query does not read it, so it runs last, after every thread and id lock.
 *   The key is new for every winning write: versions only grow, and a retire
 *   moves the entries of the row it deletes below version 1 (see
 *   {@link retireSql}). Should a thread's row have been deleted by hand and
 *   rewritten, a new entry replaces the old one at its key rather than failing
 *   the batch.
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
      AND (g.old = 0 OR EXISTS (SELECT 1 FROM ${t.threads} x WHERE x.page_id = g.page AND x.psid = g.psid FOR KEY SHARE))
    ORDER BY g.page COLLATE "C", g.psid COLLATE "C"
    ON CONFLICT (page_id, psid) DO UPDATE
      SET version = EXCLUDED.version, record = EXCLUDED.record, due_at = EXCLUDED.due_at, updated_at = now()
      WHERE t.version = EXCLUDED.version - 1
    RETURNING t.page_id, t.psid, t.version
  ),
  won AS (
    SELECT g.ord, w.page_id, w.psid, w.version FROM w JOIN g ON g.page = w.page_id AND g.psid = w.psid AND g.rec IS NOT NULL
  ),
  ok AS (
    SELECT won.ord, won.version FROM won
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
  ),
  appended AS (
    INSERT INTO ${t.history} AS h (page_id, psid, version, idx, at, entry)
    SELECT won.page_id, won.psid, won.version, u.idx, u.at, u.entry
    FROM unnest($10::integer[], $11::integer[], $12::bigint[], $13::text[]) AS u(call, idx, at, entry)
    JOIN won ON won.ord = u.call
    ORDER BY won.page_id COLLATE "C", won.psid COLLATE "C", u.idx
    ON CONFLICT (page_id, psid, version, idx) DO UPDATE SET at = EXCLUDED.at, entry = EXCLUDED.entry
  )
  SELECT ok.ord, ok.version, NULL::integer AS n FROM ok
  UNION ALL
  SELECT e.call, NULL, e.n FROM fresh JOIN e ON e.id = fresh.event_id`;

/**
 * The statement that retires a thread: deletes its row at a version and keeps
 * its consent history, out of the way of a row written again later.
 *
 * Parameters: $1 page id, $2 psid, $3 expected version (>= 1; bigint, so a
 * version past integer's range matches no row instead of failing). One row:
 * `gone`, 1 when the row was deleted, 0 on a conflict.
 *
 * - `gone` deletes the row only at the expected version; the partial `due_at`
 *   index loses it with the row. A concurrent commit of the version holds the
 *   row `FOR KEY SHARE` or `FOR NO KEY UPDATE` (see {@link commitManySql}): the
 *   delete waits for it, then finds the version moved on.
 * - `kept` and `moved` renumber the thread's history entries, only when the row
 *   was deleted: their versions keep their order but move below the lowest one
 *   (and so below 1), where a row written again from version 1 cannot meet them
 *   (history entries are keyed by thread, version and index, and versions start
 *   again at 1). Read order (`at`, then version, then index) is unchanged, and
 *   a later row's entries sort after them. The new versions are all below every
 *   old one, so no update meets a key that is still in use.
 * - The caller read the version it retires, so this statement's snapshot holds
 *   every entry of the row (all appended by commits up to that version).
 */
const retireSql = (t: PostgresTables): string => `WITH gone AS (
    DELETE FROM ${t.threads} WHERE page_id = $1 AND psid = $2 AND version = $3::bigint
    RETURNING version
  ),
  kept AS (
    SELECT h.version AS old, dense_rank() OVER (ORDER BY h.version) AS r
    FROM ${t.history} h
    WHERE h.page_id = $1 AND h.psid = $2 AND EXISTS (SELECT 1 FROM gone)
    GROUP BY h.version
  ),
  moved AS (
    UPDATE ${t.history} h SET version = s.low - s.n - 1 + k.r
    FROM kept k, (SELECT min(old) AS low, max(r) AS n FROM kept) s
    WHERE h.page_id = $1 AND h.psid = $2 AND h.version = k.old
  )
  SELECT count(*)::integer AS gone FROM gone`;

/**
 * The prune of {@link PostgresQueries.prune}: three deletes in one statement,
 * each through its index (`until`, `expires_at`, `at`) and `SKIP LOCKED`: a
 * commit batch locks ids in id order and this scan does not, so waiting could
 * close a deadlock cycle; a skipped row goes next time.
 */
const pruneSql = (t: PostgresTables): string => `WITH ids AS (
    DELETE FROM ${t.dedupe} WHERE event_id IN (SELECT event_id FROM ${t.dedupe} WHERE until <= $1 FOR UPDATE SKIP LOCKED)
    RETURNING 1
  ),
  docs AS (
    DELETE FROM ${t.docs} WHERE (kind, key) IN (
      SELECT kind, key FROM ${t.docs} WHERE expires_at IS NOT NULL AND expires_at <= $1 FOR UPDATE SKIP LOCKED)
    RETURNING 1
  ),
  history AS (
    DELETE FROM ${t.history} WHERE (page_id, psid, version, idx) IN (
      SELECT page_id, psid, version, idx FROM ${t.history} WHERE at < $2 FOR UPDATE SKIP LOCKED)
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM ids)::integer AS ids, (SELECT count(*) FROM docs)::integer AS docs,
    (SELECT count(*) FROM history)::integer AS history`;

/**
 * Builds the driver's SQL for one schema (side documents have theirs in
 * `postgresDocs`). Every write to a thread is `commitMany`: a conditional
 * upsert whose insert branch is only attempted for version 0 or an existing row
 * (so an invented version of a missing thread is a conflict, not an insert), and
 * whose `ON CONFLICT DO UPDATE ... WHERE version = expected` writes only over the
 * expected version. PostgreSQL decides an `ON CONFLICT` upsert atomically, even
 * under READ COMMITTED.
 *
 * @example
 * postgresQueries(postgresTables('callperm')).commitMany.name; // 'callperm_commit_key_share_callperm'
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
    pruneDedupe: {
      name: n('prune'),
      text: `DELETE FROM ${t.dedupe} WHERE event_id IN (SELECT event_id FROM ${t.dedupe} WHERE until <= $1 FOR UPDATE SKIP LOCKED)`,
    },
    prune: { name: n('prune_all'), text: pruneSql(t) },
    due: {
      name: n('due'),
      text: `SELECT page_id, psid FROM ${t.threads}
        WHERE due_at IS NOT NULL AND due_at <= $1 ORDER BY due_at LIMIT $2`,
    },
    // Named apart from earlier releases' `commit_many` and `commit_history`: its text differs (two copies of this package may share a pool).
    commitMany: { name: n('commit_key_share'), text: commitManySql(t) },
    retire: { name: n('retire'), text: retireSql(t) },
    history: {
      name: n('history'),
      text: `SELECT at, entry FROM ${t.history} WHERE page_id = $1 AND psid = $2 AND at < $3
        ORDER BY at DESC, version DESC, idx DESC LIMIT $4`,
    },
  };
};
