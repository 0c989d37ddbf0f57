import { threadKey, type PermissionStore, type Thread } from '@callperm/core';

/** A thread left `requested` that no sweep will reconcile in time, and why. */
export interface StrandedRequest {
  readonly thread: string;
  /**
   * `no_due_at`: nothing is due for it; `not_indexed`: its `dueAt` is not in the
   * store's due index; `cut_short_late`: a send cut short comes due only after `dueInMinutes`.
   */
  readonly problem: 'no_due_at' | 'not_indexed' | 'cut_short_late';
  readonly dueInMinutes?: number;
}

/**
 * The threads left `requested` with no follow-up the store will hand to a
 * sweep: no `dueAt`, or a `dueAt` the store's due index does not list. A
 * request whose outcome was never written (its host died) must still come due;
 * with `cutShortWithinMs`, a send reserved with no outcome written (no message
 * id, not ambiguous: nothing is in flight once its host is dead) must come due
 * within that long of its reservation, not at the end of the pending window.
 *
 * @example
 * expect(await requestedWithoutFollowUp(store, threads, { cutShortWithinMs: 15 * 60_000 })).toEqual([]);
 */
export const requestedWithoutFollowUp = async (
  store: PermissionStore, threads: readonly Thread[], options: { readonly cutShortWithinMs?: number } = {},
): Promise<StrandedRequest[]> => {
  const out: StrandedRequest[] = [];
  for (const t of threads) {
    const record = (await store.get(t))?.record;
    if (record?.state !== 'requested') continue;
    const thread = threadKey(t);
    if (record.dueAt === null) {
      out.push({ thread, problem: 'no_due_at' });
      continue;
    }
    const listed = await store.due(record.dueAt, 100_000);
    if (!listed.some((d) => threadKey(d) === thread)) out.push({ thread, problem: 'not_indexed' });
    const p = record.pending;
    const bound = options.cutShortWithinMs;
    if (bound !== undefined && p !== null && p.messageId === null && !p.ambiguous && record.dueAt > p.at + bound) {
      out.push({ thread, problem: 'cut_short_late', dueInMinutes: Math.round((record.dueAt - p.at) / 60_000) });
    }
  }
  return out;
};
