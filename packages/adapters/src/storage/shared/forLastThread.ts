import type { Thread } from '@callperm/core';

/**
 * Memoises `compute` for the last thread it saw. A command reads a thread and
 * then writes it, so a store names it (converts its ids, builds its key) once per
 * command instead of per call. The ids are compared too, in case a caller reuses
 * one thread object for another thread.
 *
 * @example
 * const keyOf = forLastThread((t) => `${t.pageId}:${t.psid}`);
 */
export const forLastThread = <T>(compute: (t: Thread) => T): ((t: Thread) => T) => {
  let last: { readonly thread: Thread; readonly pageId: string; readonly psid: string; readonly value: T } | null = null;
  return (t) => {
    if (last === null || t !== last.thread || t.pageId !== last.pageId || t.psid !== last.psid) {
      last = { thread: t, pageId: t.pageId, psid: t.psid, value: compute(t) };
    }
    return last.value;
  };
};
