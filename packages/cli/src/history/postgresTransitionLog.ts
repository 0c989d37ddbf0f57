import type { PostgresStore } from '@callperm/adapters/storage/postgres';
import { threadKey } from '@callperm/core';
import { DEFAULT_HISTORY_LIMIT, type HistoryEntry, type TransitionLog } from './TransitionLog.js';
import { WriteQueue } from './WriteQueue.js';

interface Row {
  readonly at: string;
  readonly from_state: HistoryEntry['from'];
  readonly to_state: HistoryEntry['to'];
  readonly event: HistoryEntry['event'];
  readonly reason: HistoryEntry['reason'];
}

/**
 * A transition log in the PostgreSQL store's schema (one more table, created if
 * missing), trimmed to the newest `limit` steps per thread.
 *
 * @example
 * const store = await postgresStore({ connectionString: 'postgres://postgres@127.0.0.1/test' });
 * const log = await postgresTransitionLog(store);
 */
export const postgresTransitionLog = async (store: PostgresStore, limit = DEFAULT_HISTORY_LIMIT): Promise<TransitionLog> => {
  const T = `${store.tables.schema}.callperm_cli_history`;
  await store.pool.query(`CREATE TABLE IF NOT EXISTS ${T} (
    seq BIGSERIAL PRIMARY KEY, page_id TEXT NOT NULL, psid TEXT NOT NULL,
    at BIGINT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL, event TEXT NOT NULL, reason TEXT)`);
  await store.pool.query(`CREATE INDEX IF NOT EXISTS callperm_cli_history_thread ON ${T} (page_id, psid, seq)`);
  const writes = new WriteQueue();
  const insert = `WITH added AS (
      INSERT INTO ${T} (page_id, psid, at, from_state, to_state, event, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)
    )
    DELETE FROM ${T} WHERE page_id = $1 AND psid = $2 AND seq <= (
      SELECT seq FROM ${T} WHERE page_id = $1 AND psid = $2 ORDER BY seq DESC OFFSET $8 LIMIT 1)`;
  return {
    append(n) {
      const t = n.thread;
      const params = [t.pageId, t.psid, n.at, n.from, n.to, n.event, n.reason, limit - 1];
      writes.enqueue(threadKey(t), () => store.pool.query(insert, params));
    },
    async read(thread) {
      const r = await store.pool.query<Row>(
        `SELECT at, from_state, to_state, event, reason FROM ${T} WHERE page_id = $1 AND psid = $2 ORDER BY seq`,
        [thread.pageId, thread.psid],
      );
      return r.rows.map((row) => ({ at: Number(row.at), from: row.from_state, to: row.to_state, event: row.event, reason: row.reason }));
    },
    flush: () => writes.drain(),
  };
};
