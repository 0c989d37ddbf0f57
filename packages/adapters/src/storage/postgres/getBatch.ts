import type { Thread, Versioned } from '@callperm/core';
import type { Pool } from 'pg';
import { parseVersion } from '../shared/parseVersion.js';
import { decodeRecord } from '../shared/recordJson.js';
import type { PostgresQueries } from './postgresQueries.js';
import type { TakeBatch, Waiter } from './turnBatch.js';

interface ThreadRow { readonly version: unknown; readonly record: unknown }

/** Settles one `get` from its row (or none): a row that does not decode rejects this get only. */
const settle = (w: Waiter<Thread, Versioned | null>, row: ThreadRow | undefined): void => {
  if (row === undefined) {
    w.resolve(null);
    return;
  }
  try {
    w.resolve({ version: parseVersion(w.input, row.version), record: decodeRecord(w.input, row.record) });
  } catch (e) {
    w.reject(e instanceof Error ? e : new Error(String(e)));
  }
};

/** The largest batch of gets one statement carries. */
const MAX_GETS = 1000;

const alone = (t: Thread): boolean => t.pageId.includes('\u0000') || t.psid.includes('\u0000');

/**
 * Picks the gets of one statement: all of them (up to a bound), but a thread
 * that PostgreSQL text cannot hold (NUL) is read in a batch of its own, so the
 * error it gets fails no other get.
 *
 * @example
 * const gets = turnBatch(run, takeGets);
 */
export const takeGets: TakeBatch<Thread, Versioned | null> = (queue) => {
  const head = queue[0];
  if (head !== undefined && alone(head.input)) return { batch: [head], rest: queue.slice(1) };
  const batch: Waiter<Thread, Versioned | null>[] = [];
  const rest: Waiter<Thread, Versioned | null>[] = [];
  for (const w of queue) (alone(w.input) || batch.length >= MAX_GETS ? rest : batch).push(w);
  return { batch, rest };
};

/**
 * Runs the `get` calls of one turn: one `get` alone as the single-row
 * statement, more as one `getMany` (a join of the threads table with the
 * batch's keys), rows mapped back by their index in the batch. Each row is
 * decoded on its own, so a corrupted record rejects only the gets of its thread.
 *
 * @example
 * const gets = turnBatch((batch) => runGets(pool, q, batch));
 * await gets.add({ pageId: '1', psid: '2' }); // null or { version, record }
 */
export const runGets = async (pool: Pool, q: Pick<PostgresQueries, 'get' | 'getMany'>, batch: readonly Waiter<Thread, Versioned | null>[]): Promise<void> => {
  const only = batch.length === 1 ? batch[0] : undefined;
  if (only !== undefined) {
    const { rows } = await pool.query<ThreadRow>({ ...q.get, values: [only.input.pageId, only.input.psid] });
    settle(only, rows[0]);
    return;
  }
  const values = [batch.map((w) => w.input.pageId), batch.map((w) => w.input.psid)];
  const { rows } = await pool.query<ThreadRow & { readonly ord: number }>({ ...q.getMany, values });
  const byOrd = new Map(rows.map((r) => [r.ord, r]));
  batch.forEach((w, i) => settle(w, byOrd.get(i + 1)));
};
