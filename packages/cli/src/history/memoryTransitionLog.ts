import { threadKey } from '@callperm/core';
import { DEFAULT_HISTORY_LIMIT, toHistoryEntry, type HistoryEntry, type TransitionLog } from './TransitionLog.js';

/**
 * A transition log in this process's memory, for `--store memory` and tests.
 *
 * @example
 * const log = memoryTransitionLog();
 * log.append(notice);
 * (await log.read(notice.thread)).length; // 1
 */
export const memoryTransitionLog = (limit = DEFAULT_HISTORY_LIMIT): TransitionLog => {
  const byThread = new Map<string, HistoryEntry[]>();
  return {
    append(n) {
      const key = threadKey(n.thread);
      const steps = byThread.get(key) ?? [];
      steps.push(toHistoryEntry(n));
      if (steps.length > limit) steps.splice(0, steps.length - limit);
      byThread.set(key, steps);
    },
    read: (thread) => Promise.resolve([...(byThread.get(threadKey(thread)) ?? [])]),
    flush: () => Promise.resolve(),
  };
};
