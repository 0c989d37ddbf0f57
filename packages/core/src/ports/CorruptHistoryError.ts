import type { Instant, Thread } from '../thread.js';

/**
 * A stored consent-history entry that does not decode (damaged, or written by a
 * newer release). The thread and the entry's instant are named; the entry stays
 * in the store for inspection.
 *
 * @example
 * await permissions.history(thread).catch((e) => e instanceof CorruptHistoryError && e.at);
 */
export class CorruptHistoryError extends Error {
  readonly code = 'corrupt_history' as const;
  constructor(readonly thread: Thread, readonly at: Instant, readonly detail: string, options?: { cause?: unknown }) {
    super(`A stored history entry of page ${thread.pageId}, psid ${thread.psid} at ${at} is corrupted (${detail}). `
      + 'Inspect it; the entries around it still read with `before`.', options);
    this.name = 'CorruptHistoryError';
  }
}
