import type { Instant, PermissionRecord } from '../../packages/core/src/internals.js';
import { stepEvent, type RawDriver } from './handPipeline.js';

/**
 * The raw in-memory driver: Maps of records, versions, event ids and each
 * thread's history entries (one append per transition, as the product).
 *
 * @example
 * const p = handPipeline(memoryDriver(), clock);
 */
export const memoryDriver = (records = new Map<string, PermissionRecord>()): RawDriver => {
  const versions = new Map<string, number>();
  const seen = new Map<string, Instant>();
  const history = new Map<string, { at: Instant; text: string }[]>();
  return {
    apply(events, now, until) {
      for (const e of events) {
        const known = seen.get(e.id);
        if (known !== undefined && known > now) continue;
        const key = `${e.thread.pageId}:${e.thread.psid}`;
        const next = stepEvent(records.get(key) ?? null, e, now);
        if (next.changed) {
          records.set(key, next.record);
          versions.set(key, (versions.get(key) ?? 0) + 1);
          if (next.entry !== null) {
            const list = history.get(key);
            if (list === undefined) history.set(key, [next.entry]);
            else list.push(next.entry);
          }
        }
        seen.set(e.id, until);
      }
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
};
