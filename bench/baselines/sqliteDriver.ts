import type { SqliteStore } from '../../packages/adapters/src/storage/sqlite.js';
import { packRecordToBytes, unpackRecordBytes, type PermissionRecord, type Thread } from '../../packages/core/src/internals.js';
import { stepEvent, type RawDriver, type RawEvent } from './handPipeline.js';

type Database = SqliteStore['database'];

/**
 * The raw SQLite driver: the deliveries of one event-loop turn applied in one
 * transaction with plain statements (dedupe upsert, select, step, upsert), on the
 * same compact row layout as the product (INTEGER ids, packed BLOB), with each
 * transition's history entry appended to a table indexed as the product's,
 * resolved after COMMIT. Like the product, it keeps dedupe data bounded: an index on
 * `until` and a prune every minute of callers' time.
 *
 * @example
 * const p = handPipeline(sqliteDriver(db), clock);
 */
export const sqliteDriver = (db: Database): RawDriver & { read(t: Thread): Promise<PermissionRecord | null> } => {
  db.exec(`CREATE TABLE IF NOT EXISTS raw_threads (page_id NOT NULL, psid NOT NULL, version INTEGER NOT NULL, record BLOB NOT NULL,
      due_at INTEGER, PRIMARY KEY (page_id, psid)) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS raw_threads_due ON raw_threads (due_at) WHERE due_at IS NOT NULL;
    CREATE TABLE IF NOT EXISTS raw_dedupe (event_id TEXT PRIMARY KEY, until INTEGER NOT NULL) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS raw_dedupe_until ON raw_dedupe (until);
    CREATE TABLE IF NOT EXISTS raw_history (page_id NOT NULL, psid NOT NULL, at INTEGER NOT NULL, version INTEGER NOT NULL, idx INTEGER NOT NULL, entry TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS raw_history_thread ON raw_history (page_id, psid, at, version, idx);
    CREATE INDEX IF NOT EXISTS raw_history_at ON raw_history (at);`);
  // Dedupe data stays bounded, as the product's: expired ids are deleted through the index on until.
  const prune = db.prepare<[number]>('DELETE FROM raw_dedupe WHERE until <= ?');
  let lastPrune = -Infinity;
  const seen = db.prepare<[string, number, number]>(`INSERT INTO raw_dedupe (event_id, until) VALUES (?, ?)
    ON CONFLICT (event_id) DO UPDATE SET until = excluded.until WHERE raw_dedupe.until <= ?`);
  const select = db.prepare<[bigint, bigint], { version: number; record: Uint8Array }>('SELECT version, record FROM raw_threads WHERE page_id = ? AND psid = ?');
  const upsert = db.prepare<[bigint, bigint, Uint8Array, number | null], { version: number }>(`INSERT INTO raw_threads (page_id, psid, version, record, due_at) VALUES (?, ?, 1, ?, ?)
    ON CONFLICT (page_id, psid) DO UPDATE SET version = version + 1, record = excluded.record, due_at = excluded.due_at RETURNING version`);
  const append = db.prepare<[bigint, bigint, number, number, string]>('INSERT INTO raw_history (page_id, psid, at, version, idx, entry) VALUES (?, ?, ?, ?, 0, ?)');
  let queue: { events: readonly RawEvent[]; now: number; until: number; done: () => void }[] = [];
  const flush = (): void => {
    const batch = queue;
    queue = [];
    db.exec('BEGIN IMMEDIATE');
    for (const { events, now, until } of batch) {
      if (now - lastPrune >= 60_000) {
        prune.run(now);
        lastPrune = now;
      }
      for (const e of events) {
        if (seen.run(e.id, until, now).changes === 0) continue;
        const [page, psid] = [BigInt(e.thread.pageId), BigInt(e.thread.psid)];
        const row = select.get(page, psid);
        const next = stepEvent(row ? unpackRecordBytes(row.record, 0, row.record.length).record : null, e, now);
        if (!next.changed) continue;
        const packed = packRecordToBytes(next.record);
        if (next.entry === null) upsert.run(page, psid, packed, next.record.dueAt);
        else append.run(page, psid, next.entry.at, upsert.get(page, psid, packed, next.record.dueAt)!.version, next.entry.text);
      }
    }
    db.exec('COMMIT');
    for (const b of batch) b.done();
  };
  return {
    apply: (events, now, until) => new Promise<void>((done) => {
      if (queue.length === 0) setImmediate(flush);
      queue.push({ events, now, until, done });
    }),
    read: (t) => {
      const row = select.get(BigInt(t.pageId), BigInt(t.psid));
      return Promise.resolve(row ? unpackRecordBytes(row.record, 0, row.record.length).record : null);
    },
    close: () => Promise.resolve(),
  };
};
