import type { Instant, PermissionRecord } from '../../packages/core/src/internals.js';
import { stepAll, type RawDriver } from './handPipeline.js';

/**
 * The raw in-memory driver: Maps of records, versions and event ids.
 *
 * @example
 * const p = handPipeline(memoryDriver(), clock);
 */
export const memoryDriver = (records = new Map<string, PermissionRecord>()): RawDriver => {
  const versions = new Map<string, number>();
  const seen = new Map<string, Instant>();
  return {
    apply(events, now, until) {
      for (const e of events) {
        const known = seen.get(e.id);
        if (known !== undefined && known > now) continue;
        const key = `${e.thread.pageId}:${e.thread.psid}`;
        const next = stepAll(records.get(key) ?? null, [e.event]);
        if (next.changed) {
          records.set(key, next.record);
          versions.set(key, (versions.get(key) ?? 0) + 1);
        }
        seen.set(e.id, until);
      }
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
};
