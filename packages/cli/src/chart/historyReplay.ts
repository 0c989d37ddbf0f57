import type { HistoryEntry, HistoryQuery, Thread } from '@callperm/core';
import type { ChartReplay } from './toHtml.js';

/** How many of a thread's newest history entries a chart replays by default. */
export const REPLAY_LIMIT = 1000;

/** What a replay reads a thread's consent history from: a `PermissionStore` or a `CallPermissions` service. */
export interface HistoryReader {
  /** Newest first. */
  history(thread: Thread, query?: HistoryQuery): Promise<HistoryEntry[]>;
}

/**
 * A thread's replay from its consent history: the newest `limit` entries, oldest
 * first. It starts from the oldest replayed entry's `from` ('none' when that is
 * unknown, after an operator's reset), or, when the thread has no history, from
 * `currentState()` (the state stored now). `cut` is set when the thread has more
 * than `limit` entries and the older ones were left out.
 *
 * @example
 * const replay = await historyReplay(store, thread, async () => (await store.get(thread))?.record.state ?? 'none');
 * if (replay.cut) console.warn('only the newest steps');
 */
export const historyReplay = async (
  reader: HistoryReader,
  thread: Thread,
  currentState: () => Promise<string>,
  limit = REPLAY_LIMIT,
): Promise<ChartReplay> => {
  const newestFirst = await reader.history(thread, { limit: limit + 1 });
  const cut = newestFirst.length > limit;
  const steps = newestFirst.slice(0, limit).reverse();
  const oldest = steps[0];
  const start = oldest === undefined ? await currentState() : (oldest.from ?? 'none');
  return cut ? { thread, start, steps, cut } : { thread, start, steps };
};
