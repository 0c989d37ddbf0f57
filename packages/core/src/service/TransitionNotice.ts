import type { DecisionReason } from '../machine/DecisionReason.js';
import type { LifecycleState } from '../machine/LifecycleState.js';
import type { PermissionEvent } from '../machine/PermissionEvent.js';
import type { HistorySource } from '../store/HistoryEntry.js';
import type { Instant, Thread } from '../thread.js';

/**
 * One committed transition, as `onTransition` observers receive it: the hook for
 * logs, metrics and inspection. It carries what the consent history stores
 * (`at`, `from`/`to`, `event`, `source`, `expiresAt`, `provisional`, `reason`,
 * `recordedAt`); `recorded` says whether this step went into the history (a step
 * that only moves the messaging window or a check's quota view does not).
 *
 * @example
 * createCallPermissions({ graph, store, onTransition: (n) => console.log(n.from, '->', n.to, n.event, n.source.kind) });
 */
export interface TransitionNotice {
  readonly thread: Thread;
  readonly from: LifecycleState;
  readonly to: LifecycleState;
  readonly event: PermissionEvent['type'];
  /** When the event happened. */
  readonly at: Instant;
  /** When the store committed it. */
  readonly recordedAt: Instant;
  readonly source: HistorySource;
  /** When the permission ends after this step (null: none held, or no known expiry). */
  readonly expiresAt: Instant | null;
  readonly provisional: boolean;
  /** The decision's reason right after the step (null: a call may start). */
  readonly reason: DecisionReason | null;
  /** Whether the step is in the thread's consent history. */
  readonly recorded: boolean;
}
