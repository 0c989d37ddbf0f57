import { StoreClosedError, type Instant, type Thread } from '@callperm/core';
import type { DriverCommit, PruneRequest, RawThreadRow, StoreDriver, StoredHistoryEntry } from '@callperm/core/store';
import type { Pool } from 'pg';
import { atMost, below, limitOf } from './bigintBound.js';
import { prepareCommit, runCommits, takeCommits, type CommitOutcome, type PreparedCommit } from './commitBatch.js';
import { runGets, takeGets } from './getBatch.js';
import { postgresDocs } from './postgresDocs.js';
import { postgresQueries } from './postgresQueries.js';
import type { PostgresTables } from './postgresTables.js';
import { isPostgresConnectionFault } from './isPostgresConnectionFault.js';
import { reportUnavailable } from '../shared/reportUnavailable.js';
import { turnBatch, type Waiter } from './turnBatch.js';

/** Options of {@link postgresDriver}. */
export interface PostgresDriverOptions {
  /** End `pool` when the driver is closed (default false: it is yours). */
  readonly closeWithDriver?: boolean;
}

/** The PostgreSQL driver, with its pool, table names and a manual dedupe prune for operators. */
export interface PostgresDriver extends StoreDriver<'text'> {
  readonly pool: Pool;
  readonly tables: PostgresTables;
  /** Deletes remembered event ids whose `until` is at or before `now`; resolves to how many. */
  pruneDedupe(now: Instant): Promise<number>;
}

const NOTHING: readonly boolean[] = [];
const NO_IDS: readonly string[] = [];
const NO_THREAD: Thread = { pageId: '', psid: '' };

/** A commit that only carries a prune request: how a `putDoc`'s prune is ordered with the commits before it. */
const pruneOnly = (prune: PruneRequest): DriverCommit<'text'> => ({
  thread: NO_THREAD, expectedVersion: 0, record: null, dueAt: null, eventIds: NO_IDS, now: prune.now, until: prune.now,
  history: [], historyBefore: prune.historyBefore, historyUntil: prune.now, prune,
});

interface HistoryRow { readonly at: string; readonly entry: string }

/**
 * The PostgreSQL {@link StoreDriver} (pg 8) on tables `migratePostgres` has
 * brought up to date; `storeFromDriver` makes it a `PermissionStore`.
 *
 * `getThread` and `commit` are batched per event-loop turn: the calls of one
 * turn (concurrent webhook deliveries) share one statement, so one round trip
 * and one pooled connection, instead of one each. A commit batch is one
 * statement, hence one transaction: each call's record, ids and history entries
 * land together (see `commitMany` in `postgresQueries`); a failed statement
 * rejects every call in it. A prune request runs right before the batch its
 * call starts (a `putDoc`'s goes through the same queue, as a commit with
 * nothing else to do), deleting expired ids, documents and history.
 * A retire (`deleteThread`) is one statement of its own (`DELETE ... WHERE
 * version = $3`, the thread's history renumbered below version 1 with it: see
 * `retireSql`), sent once every commit accepted before it has settled
 * (`settled`), so it never overtakes one; the partial `due_at` index loses the
 * row with it. At version 0 it only reads (no row: true). `close()` waits for
 * the calls already accepted. A call that fails because the server is down or
 * restarting rejects with `StoreUnavailableError` (the pool opens new
 * connections once it is back).
 *
 * @example
 * await migratePostgres(pool, tables);
 * const store = storeFromDriver(postgresDriver(pool, tables));
 * await store.compareAndSet({ pageId: '1', psid: '2' }, 0, emptyRecord()); // { ok: true, version: 1 }
 */
export const postgresDriver = (pool: Pool, tables: PostgresTables, options: PostgresDriverOptions = {}): PostgresDriver => {
  const q = postgresQueries(tables);
  const docs = postgresDocs(pool, tables);
  let closed = false;
  let closing: Promise<void> | undefined;
  /** Calls outside the turn batches still running: `close()` waits for them before it ends the pool. */
  const running = new Set<Promise<unknown>>();
  const track = <T>(call: Promise<T>): Promise<T> => {
    running.add(call);
    const done = (): void => void running.delete(call);
    call.then(done, done);
    return call;
  };

  const prune = async (p: PruneRequest): Promise<void> => {
    await pool.query({ ...q.prune, values: [atMost(p.now), below(p.historyBefore)] });
  };
  /** A batch starts with the prune its first call carries, if any (see `takeCommits`); a failed prune fails the batch. */
  const runCommitBatch = async (batch: readonly Waiter<PreparedCommit, CommitOutcome>[]): Promise<void> => {
    const first = batch[0]?.input.commit.prune ?? null;
    if (first !== null) await prune(first);
    await runCommits(pool, q.commitMany, batch);
  };
  const gets = turnBatch<Thread, RawThreadRow | null>((batch) => runGets(pool, q, batch), takeGets);
  const commits = turnBatch<PreparedCommit, CommitOutcome>(runCommitBatch, takeCommits);

  return reportUnavailable<'text', PostgresDriver>({
    name: 'postgres',
    recordForm: 'text',
    pool,
    tables,
    getThread: (thread) => gets.add(thread),
    async commit(commit) {
      if (commit.record === null && commit.eventIds.length === 0 && commit.prune === null) return NOTHING;
      // Queued in this turn (no await before add): concurrent calls share a batch, and close() sees them.
      return commits.add(prepareCommit(commit));
    },
    deleteThread: (thread, expectedVersion) => track((async () => {
      // After every commit accepted before it (queued or running), as one call after another would land.
      await commits.settled();
      if (expectedVersion === 0) return (await gets.add(thread)) === null;
      const { rows } = await pool.query<{ gone: number }>({ ...q.retire, values: [thread.pageId, thread.psid, expectedVersion] });
      return rows[0]?.gone === 1;
    })()),
    dueThreads: (before, limit) => track((async () => {
      const { rows } = await pool.query<{ page_id: string; psid: string }>({ ...q.due, values: [atMost(before), limitOf(limit)] });
      return rows.map((r) => ({ pageId: r.page_id, psid: r.psid }));
    })()),
    getDoc: (kind, key) => track(docs.getDoc(kind, key)),
    putDoc: (kind, key, expectedVersion, value, write, pruneFirst) => track((async () => {
      if (pruneFirst !== null) await commits.add(prepareCommit(pruneOnly(pruneFirst)));
      return docs.putDoc(kind, key, expectedVersion, value, write);
    })()),
    deleteDoc: (kind, key, expectedVersion) => track(docs.deleteDoc(kind, key, expectedVersion)),
    dueDocs: (kind, before, limit) => track(docs.dueDocs(kind, before, limit)),
    readHistory: (thread, before, limit) => track((async (): Promise<StoredHistoryEntry[]> => {
      const { rows } = await pool.query<HistoryRow>({ ...q.history, values: [thread.pageId, thread.psid, below(before), limitOf(limit)] });
      return rows.map((r) => ({ at: Number(r.at), text: r.entry }));
    })()),
    pruneDedupe: (now) => (closed ? Promise.reject(new StoreClosedError('postgres'))
      : track(pool.query({ ...q.pruneDedupe, values: [atMost(now)] }).then((r) => r.rowCount ?? 0))),
    close() {
      closed = true;
      closing ??= (async () => {
        // Accepted calls finish (the wrapper refuses later ones); a putDoc's prune is in the commit queue.
        do {
          await Promise.all([gets.drain(), commits.drain(), Promise.allSettled(running)]);
        } while (running.size > 0);
        if (options.closeWithDriver === true) await pool.end();
      })();
      return closing;
    },
  }, isPostgresConnectionFault);
};
