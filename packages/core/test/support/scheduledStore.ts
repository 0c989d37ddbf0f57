import type { fc } from '@fast-check/vitest';
import type { PermissionRecord, PermissionStore, Thread, ThreadCommit } from '../../src/internals.js';

/**
 * A store whose every thread call (read, compare-and-set, remember, commitThread)
 * waits for the fast-check scheduler: the operation itself runs when released, so
 * a property sees every interleaving of concurrent commands.
 *
 * @example
 * const store = scheduledStore(s, memoryStore());
 */
export const scheduledStore = (s: fc.Scheduler, base: PermissionStore): PermissionStore => ({
  ...base,
  get: s.scheduleFunction((t: Thread) => base.get(t)),
  compareAndSet: s.scheduleFunction((t: Thread, v: number, r: PermissionRecord) => base.compareAndSet(t, v, r)),
  remember: s.scheduleFunction((id: string, n: number, u: number) => base.remember(id, n, u)),
  commitThread: s.scheduleFunction((c: ThreadCommit) => base.commitThread(c)),
});
