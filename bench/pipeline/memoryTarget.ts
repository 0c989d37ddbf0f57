import { memoryStore, type PermissionRecord } from '../../packages/core/src/internals.js';
import { memoryDriver } from '../baselines/memoryDriver.js';
import type { PipelineTarget } from '../pipelineBench.js';
import { clock } from '../pipelineBench.js';
import { productPipeline } from './productPipeline.js';

/**
 * P2 on memory: `memoryStore` (packed records) against a Map of record objects.
 *
 * @example
 * await pipelineBench(options, memoryTarget);
 */
export const memoryTarget: PipelineTarget = {
  name: 'memory',
  inFlight: 1,
  deliveries: 20_000,
  product: () => {
    const store = memoryStore();
    const pipe = productPipeline(store, clock);
    return Promise.resolve({ ...pipe, read: async (t) => (await store.get(t))?.record ?? null });
  },
  raw: () => {
    const rows = new Map<string, PermissionRecord>();
    const driver = memoryDriver(rows);
    return Promise.resolve({ ...driver, read: (t) => Promise.resolve(rows.get(`${t.pageId}:${t.psid}`) ?? null) });
  },
};
