import type { Instant } from '../thread.js';
import type { LifecycleState } from './LifecycleState.js';
import type { PermissionRecord } from './PermissionRecord.js';

/**
 * The state a record reads as at `at`: an approval whose expiry has come reads as
 * `expired` even before a `TICK` has stored that.
 *
 * @example
 * effectiveState({ ...emptyRecord(), state: 'approved', expiresAt: 10 }, 10); // 'expired'
 */
export const effectiveState = (record: PermissionRecord, at: Instant): LifecycleState =>
  record.state === 'approved' && record.expiresAt !== null && at >= record.expiresAt ? 'expired' : record.state;
