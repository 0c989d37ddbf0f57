import type { Thread } from '@callperm/core';
import type { RawThreadRow } from '@callperm/core/store';
import type { Pool } from 'pg';
import type { PostgresQueries } from './postgresQueries.js';
import type { TakeBatch, Waiter } from './turnBatch.js';

/** The largest batch of gets one statement carries. */
const MAX_GETS = 1000;

const alone = (t: Thread): boolean => t.pageId.includes('\u0000') || t.psid.includes('\u0000');

const rawRow = (row: RawThreadRow | undefined): RawThreadRow | null =>
  (row === undefined ? null : { version: row.version, record: row.record });

/**
 * Picks the gets of one statement: all of them (up to a bound), but a thread
 * that PostgreSQL text cannot hold (NUL) is read in a batch of its own, so the
 * error it gets fails no other get.
 *
 * @example
 * const gets = turnBatch(run, takeGets);
 */
export const takeGets: TakeBatch<Thread, RawThreadRow | null> = (queue) => {
  const head = queue[0];
  if (head !== undefined && alone(head.input)) return { batch: [head], rest: queue.slice(1) };
  const batch: Waiter<Thread, RawThreadRow | null>[] = [];
  const rest: Waiter<Thread, RawThreadRow | null>[] = [];
  for (const w of queue) (alone(w.input) || batch.length >= MAX_GETS ? rest : batch).push(w);
  return { batch, rest };
};

/**
 * Runs the `getThread` calls of one turn: one alone as the single-row
 * statement, more as one `getMany` (a join of the threads table with the
 * batch's keys), rows mapped back by their index in the batch. Rows are
 * returned as read: the store wrapper validates and decodes each on its own,
 * so a corrupted record rejects only the gets of its thread.
 *
 * @example
 * const gets = turnBatch((batch) => runGets(pool, q, batch), takeGets);
 * await gets.add({ pageId: '1', psid: '2' }); // null or { version, record }
 */
export const runGets = async (pool: Pool, q: Pick<PostgresQueries, 'get' | 'getMany'>, batch: readonly Waiter<Thread, RawThreadRow | null>[]): Promise<void> => {
  const only = batch.length === 1 ? batch[0] : undefined;
  if (only !== undefined) {
    const { rows } = await pool.query<RawThreadRow>({ ...q.get, values: [only.input.pageId, only.input.psid] });
    only.resolve(rawRow(rows[0]));
    return;
  }
  const values = [batch.map((w) => w.input.pageId), batch.map((w) => w.input.psid)];
  const { rows } = await pool.query<RawThreadRow & { readonly ord: number }>({ ...q.getMany, values });
  const byOrd = new Map(rows.map((r) => [r.ord, r]));
  batch.forEach((w, i) => w.resolve(rawRow(byOrd.get(i + 1))));
};
