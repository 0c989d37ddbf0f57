import type { DecisionReason, Instant, LifecycleState, PermissionEvent, Thread, TransitionNotice } from '@callperm/core';

/** One step of a thread's history, as the chart replays it. */
export interface HistoryEntry {
  readonly at: Instant;
  readonly from: LifecycleState;
  readonly to: LifecycleState;
  readonly event: PermissionEvent['type'];
  /** The decision's reason right after the step (null: a call may start). */
  readonly reason: DecisionReason | null;
}

/** How many steps a log keeps per thread by default; older ones are dropped. */
export const DEFAULT_HISTORY_LIMIT = 100;

/**
 * A bounded, per-thread log of committed transitions, kept by the CLI next to the
 * store (the stores keep only the current record). Fed from the service's
 * `onTransition`, which is synchronous: `append` never throws and never waits;
 * `flush` waits for writes still in flight.
 *
 * @example
 * const service = createCallPermissions({ graph, store, onTransition: (n) => log.append(n) });
 * await log.flush();
 * const steps = await log.read({ pageId: '1', psid: '2' });
 */
export interface TransitionLog {
  append(notice: TransitionNotice): void;
  /** The thread's kept steps, oldest first. */
  read(thread: Thread): Promise<readonly HistoryEntry[]>;
  /** Resolves when every append so far is stored; rejects with the first write error, if any. */
  flush(): Promise<void>;
}

/**
 * The entry a notice becomes.
 *
 * @example
 * toHistoryEntry(notice).to; // 'approved'
 */
export const toHistoryEntry = (n: TransitionNotice): HistoryEntry => ({
  at: n.at, from: n.from, to: n.to, event: n.event, reason: n.reason,
});
