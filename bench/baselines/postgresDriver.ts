import type { PostgresStore } from '../../packages/adapters/src/storage/postgres.js';
import type { PermissionRecord, Thread } from '../../packages/core/src/internals.js';
import { stepEvent, type RawDriver, type RawEvent } from './handPipeline.js';

type Pool = PostgresStore['pool'];

/**
 * The raw PostgreSQL driver on a pool of 16: each event-loop turn's deliveries
 * are one transaction on a pooled connection (turns overlap, up to the pool),
 * with set-based statements: dedupe insert RETURNING the new ids, one SELECT of
 * the batch's threads, step, one INSERT of new threads and one UPDATE FROM
 * unnest guarded by the versions read, one INSERT of the history entries (one
 * per transition, with the product's indexes); records as JSON text like the
 * product's. Like the product, it keeps dedupe data bounded: an index on `until`
 * and a prune every minute of callers' time.
 *
 * @example
 * const p = handPipeline(await postgresDriver(pool, 'raw'), clock);
 */
export const postgresDriver = async (pool: Pool, schema: string): Promise<RawDriver & { read(t: Thread): Promise<PermissionRecord | null> }> => {
  const t = `"${schema}".raw_threads`;
  const d = `"${schema}".raw_dedupe`;
  const h = `"${schema}".raw_history`;
  await pool.query(`CREATE TABLE IF NOT EXISTS ${t} (page_id text NOT NULL, psid text NOT NULL, version integer NOT NULL, record text,
      due_at bigint, PRIMARY KEY (page_id, psid));
    CREATE INDEX IF NOT EXISTS raw_threads_due ON ${t} (due_at) WHERE due_at IS NOT NULL;
    CREATE TABLE IF NOT EXISTS ${d} (event_id text PRIMARY KEY, until bigint NOT NULL);
    CREATE INDEX IF NOT EXISTS raw_dedupe_until ON ${d} (until);
    CREATE TABLE IF NOT EXISTS ${h} (page_id text NOT NULL, psid text NOT NULL, version integer NOT NULL, idx integer NOT NULL,
      at bigint NOT NULL, entry text NOT NULL, PRIMARY KEY (page_id, psid, version, idx));
    CREATE INDEX IF NOT EXISTS raw_history_thread ON ${h} (page_id, psid, at DESC, version DESC, idx DESC);
    CREATE INDEX IF NOT EXISTS raw_history_at ON ${h} (at)`);
  // Dedupe data stays bounded, as the product's: expired ids are deleted through the index on until.
  let lastPrune = -Infinity;
  let queue: { events: readonly RawEvent[]; now: number; until: number; done: () => void; fail: (e: unknown) => void }[] = [];

  const run = async (batch: typeof queue): Promise<void> => {
    const events = batch.flatMap((b) => b.events.map((e) => ({ e, now: b.now, until: b.until })));
    const keys = [...new Map(events.map(({ e }) => [`${e.thread.pageId}\u0000${e.thread.psid}`, e.thread])).values()];
    const client = await pool.connect();
    try {
      const now = events[0]?.now ?? 0;
      if (now - lastPrune >= 60_000) {
        lastPrune = now;
        await client.query(`DELETE FROM ${d} WHERE until <= $1`, [now]);
      }
      await client.query('BEGIN');
      const ids = [...new Map(events.map(({ e, until }) => [e.id, until])).entries()];
      const fresh = await client.query<{ event_id: string }>(`INSERT INTO ${d} AS x (event_id, until) SELECT * FROM unnest($1::text[], $2::bigint[])
        ON CONFLICT (event_id) DO UPDATE SET until = EXCLUDED.until WHERE x.until <= $3 RETURNING event_id`,
      [ids.map(([id]) => id), ids.map(([, until]) => until), events[0]?.now ?? 0]);
      const isFresh = new Set(fresh.rows.map((r) => r.event_id));
      const rows = await client.query<{ page_id: string; psid: string; version: number; record: string | null }>(
        `SELECT page_id, psid, version, record FROM ${t} WHERE (page_id, psid) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
        [keys.map((k) => k.pageId), keys.map((k) => k.psid)]);
      const state = new Map(keys.map((k) => [`${k.pageId}\u0000${k.psid}`, {
        thread: k, version: 0, record: null as PermissionRecord | null, changed: false, history: [] as { at: number; text: string }[],
      }]));
      for (const r of rows.rows) {
        const s = state.get(`${r.page_id}\u0000${r.psid}`)!;
        s.version = r.version;
        s.record = r.record === null ? null : JSON.parse(r.record) as PermissionRecord;
      }
      for (const { e } of events) {
        if (!isFresh.has(e.id)) continue;
        isFresh.delete(e.id); // an id twice in one batch applies once
        const s = state.get(`${e.thread.pageId}\u0000${e.thread.psid}`)!;
        const next = stepEvent(s.record, e, now);
        if (next.changed) {
          s.record = next.record;
          s.changed = true;
          if (next.entry !== null) s.history.push(next.entry);
        }
      }
      // Optimistic: insert new threads, update the others where the version is still the one read.
      const changed = [...state.values()].filter((s) => s.changed && s.record !== null);
      const cols = (xs: typeof changed) => [xs.map((s) => s.thread.pageId), xs.map((s) => s.thread.psid), xs.map((s) => JSON.stringify(s.record)),
        xs.map((s) => s.record!.dueAt), xs.map((s) => s.version)];
      const inserted = changed.filter((s) => s.version === 0);
      const updated = changed.filter((s) => s.version > 0);
      let written = 0;
      if (inserted.length > 0) {
        written += (await client.query(`INSERT INTO ${t} (page_id, psid, record, due_at, version)
          SELECT p, s, r, d, 1 FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::integer[]) AS v(p, s, r, d, old)
          ON CONFLICT DO NOTHING`, cols(inserted))).rowCount ?? 0;
      }
      if (updated.length > 0) {
        written += (await client.query(`UPDATE ${t} AS t SET version = t.version + 1, record = v.r, due_at = v.d
          FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::integer[]) AS v(p, s, r, d, old)
          WHERE t.page_id = v.p AND t.psid = v.s AND t.version = v.old`, cols(updated))).rowCount ?? 0;
      }
      if (written !== changed.length) throw new Error('raw driver: a concurrent batch won a thread (retry not implemented: the bench keeps batches apart)');
      const entries = changed.flatMap((s) => s.history.map((x, idx) => ({ s, x, idx })));
      if (entries.length > 0) {
        await client.query(`INSERT INTO ${h} (page_id, psid, version, idx, at, entry)
          SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::integer[], $5::bigint[], $6::text[])`,
        [entries.map((e) => e.s.thread.pageId), entries.map((e) => e.s.thread.psid), entries.map((e) => e.s.version + 1),
          entries.map((e) => e.idx), entries.map((e) => e.x.at), entries.map((e) => e.x.text)]);
      }
      await client.query('COMMIT');
      for (const b of batch) b.done();
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      for (const b of batch) b.fail(e);
    } finally {
      client.release();
    }
  };

  const flush = (): void => {
    const all = queue;
    queue = [];
    void run(all);
  };
  return {
    apply: (events, now, until) => new Promise<void>((done, fail) => {
      if (queue.length === 0) setImmediate(flush);
      queue.push({ events, now, until, done, fail });
    }),
    read: async (th) => {
      const r = await pool.query<{ record: string | null }>(`SELECT record FROM ${t} WHERE page_id = $1 AND psid = $2`, [th.pageId, th.psid]);
      const rec = r.rows[0]?.record;
      return rec === undefined || rec === null ? null : JSON.parse(rec) as PermissionRecord;
    },
    close: () => Promise.resolve(),
  };
};
