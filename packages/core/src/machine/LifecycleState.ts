/** The five states of a thread's calling permission. */
export const lifecycleStates = ['none', 'requested', 'approved', 'rejected', 'expired'] as const;

/**
 * Where a thread stands.
 *
 * @example
 * const s: LifecycleState = 'approved';
 */
export type LifecycleState = (typeof lifecycleStates)[number];
