/**
 * P4:sqlite: bytes on disk per idle thread in the SQLite store (schema 3: INTEGER
 * ids, packed BLOB records, the due index), against the JSON-text layout a store
 * would use without packing (TEXT ids, JSON record, same index), in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyRecord, fastStep, messengerPolicy, resolvePolicy, type PermissionRecord } from '../packages/core/src/internals.js';
import { sqliteStore, type SqliteStore } from '../packages/adapters/src/storage/sqlite.js';
import type { BenchOptions } from './harness/BenchOptions.js';
import type { Metric } from './harness/Metric.js';
import { ceilingMetricOf } from './harness/metricOf.js';
import { statsOf } from './harness/Stats.js';
import { eventHistories } from './workload/eventHistories.js';
import { benchThread } from './workload/deliveries.js';

const bytesOf = (db: SqliteStore['database']): number => {
  db.pragma('wal_checkpoint(TRUNCATE)');
  return Number(db.pragma('page_count', { simple: true })) * Number(db.pragma('page_size', { simple: true }));
};

/**
 * Measures P4:sqlite (<= 150 bytes a thread): 100 000 threads (400 000 with --long), written in random order.
 *
 * @example
 * const m = await sqliteDiskBench(benchOptions([]));
 */
export const sqliteDiskBench = async (o: BenchOptions): Promise<Metric> => {
  const threads = Math.round(100_000 * o.scale);
  const policy = resolvePolicy(messengerPolicy);
  const lived: PermissionRecord[] = eventHistories(2000, 25, policy, 23).map((h) => h.reduce((r, e) => fastStep(r, e, policy).record, emptyRecord()));
  const dir = mkdtempSync(join(tmpdir(), 'callperm-bench-disk-'));
  const product: number[] = [];
  const json: number[] = [];
  try {
    for (let round = 0; round < 2; round += 1) {
      const store = await sqliteStore({ filename: join(dir, `product-${round}.sqlite`) });
      const empty = bytesOf(store.database);
      for (let i = 0; i < threads; i += 1000) {
        await Promise.all(Array.from({ length: Math.min(1000, threads - i) }, (_, k) =>
          store.compareAndSet(benchThread(i + k), 0, lived[(i + k) % lived.length]!)));
      }
      product.push((bytesOf(store.database) - empty) / threads);
      await store.close();

      const plain = await sqliteStore({ filename: join(dir, `json-${round}.sqlite`) }); // for its connection and pragmas
      const db = plain.database;
      db.exec(`CREATE TABLE json_threads (page_id TEXT NOT NULL, psid TEXT NOT NULL, version INTEGER NOT NULL, record TEXT NOT NULL,
        due_at INTEGER, PRIMARY KEY (page_id, psid)) WITHOUT ROWID;
        CREATE INDEX json_threads_due ON json_threads (due_at) WHERE due_at IS NOT NULL;`);
      const before = bytesOf(db);
      const insert = db.prepare('INSERT INTO json_threads VALUES (?, ?, 1, ?, ?)');
      db.transaction(() => {
        for (let i = 0; i < threads; i += 1) {
          const t = benchThread(i);
          const r = lived[i % lived.length]!;
          insert.run(t.pageId, t.psid, JSON.stringify(r), r.dueAt);
        }
      })();
      json.push((bytesOf(db) - before) / threads);
      await plain.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return ceilingMetricOf({
    metric: 'P4:sqlite', what: `bytes on disk per idle thread, SQLite (${threads.toLocaleString('en')} threads)`, unit: 'bytes',
    value: statsOf(product), baseline: statsOf(json), baselineWhat: 'JSON-text rows (TEXT ids, JSON record, same due index)',
    absolute: 150,
  });
};
