import type { DecisionReason } from '../machine/DecisionReason.js';
import type { LifecycleState } from '../machine/LifecycleState.js';
import type { PermissionEvent } from '../machine/PermissionEvent.js';
import type { Instant, Thread } from '../thread.js';

/**
 * One committed transition, as `onTransition` observers receive it: the hook for
 * logs, metrics and inspection. `reason` is the decision's reason right after it.
 *
 * @example
 * createCallPermissions({ graph, store, onTransition: (n) => console.log(n.from, '->', n.to, n.event) });
 */
export interface TransitionNotice {
  readonly thread: Thread;
  readonly from: LifecycleState;
  readonly to: LifecycleState;
  readonly event: PermissionEvent['type'];
  readonly at: Instant;
  readonly reason: DecisionReason | null;
}
