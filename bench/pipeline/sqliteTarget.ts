import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteStore } from '../../packages/adapters/src/storage/sqlite.js';
import { sqliteDriver } from '../baselines/sqliteDriver.js';
import type { PipelineTarget } from '../pipelineBench.js';
import { clock } from '../pipelineBench.js';
import { productPipeline } from './productPipeline.js';

/**
 * P2 on SQLite (WAL, synchronous=NORMAL, a fresh file per round): the product's
 * store with group commit against the raw driver batching each turn's deliveries.
 *
 * @example
 * await pipelineBench(options, await sqliteTarget());
 */
export const sqliteTarget = (): Promise<PipelineTarget> => {
  const dir = mkdtempSync(join(tmpdir(), 'callperm-bench-sqlite-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  const file = (): string => join(dir, `round-${(files += 1)}.sqlite`);
  return Promise.resolve({
    name: 'sqlite',
    inFlight: 64,
    deliveries: 12_000,
    notes: ['group commit: the operations of one event-loop turn share one transaction; both sides on the same compact row layout'],
    product: async () => {
      const store = await sqliteStore({ filename: file() });
      const pipe = productPipeline(store, clock);
      return { ...pipe, read: async (t) => (await store.get(t))?.record ?? null };
    },
    raw: async () => {
      const store = await sqliteStore({ filename: file() }); // only for its connection (same pragmas)
      const driver = sqliteDriver(store.database);
      return { ...driver, close: () => store.close() };
    },
  });
};
