import type { Instant } from '@callperm/core';
import type { PruneRequest } from '@callperm/core/store';
import type BetterSqlite3 from 'better-sqlite3';
import { SQLITE_TABLES } from './migrations.js';

const { dedupe: D, docs: DOCS, history: H } = SQLITE_TABLES;

/**
 * What a prune deletes in SQLite, each through its own index: remembered event
 * ids whose `until` has come (`callperm_dedupe_until`), side documents whose
 * `expires_at` has come (`callperm_docs_expires`), history entries older than
 * the retention (`callperm_history_at`). Synchronous statements: the driver runs
 * `run` inside the transaction of the commit or `putDoc` that carries the request,
 * before that call's own work.
 *
 * @example
 * const prune = sqlitePrune(db);
 * prune.run({ now: 60_000, historyBefore: 0 });
 * prune.dedupe(60_000); // how many ids were deleted
 */
export const sqlitePrune = (db: BetterSqlite3.Database) => {
  const ids = db.prepare<[Instant]>(`DELETE FROM ${D} WHERE until <= ?`);
  const docs = db.prepare<[Instant]>(`DELETE FROM ${DOCS} WHERE expires_at IS NOT NULL AND expires_at <= ?`);
  const history = db.prepare<[Instant]>(`DELETE FROM ${H} WHERE at < ?`);
  return {
    /** Deletes everything `request` names. */
    run({ now, historyBefore }: PruneRequest): void {
      ids.run(now);
      docs.run(now);
      history.run(historyBefore);
    },
    /** Deletes remembered ids whose `until` is at or before `now`; returns how many. */
    dedupe: (now: Instant): number => ids.run(now).changes,
  };
};
