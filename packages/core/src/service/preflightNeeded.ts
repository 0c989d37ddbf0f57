import type { PermissionRecord } from '../machine/PermissionRecord.js';
import { requestBlocker } from '../machine/requestBlocker.js';
import type { ResolvedPolicy } from '../policy.js';
import type { Instant } from '../thread.js';

/**
 * Whether `request` asks Meta first (one permission check) before it reserves a
 * slot. Never when the record already refuses the request (nothing will be sent).
 * One rule per line:
 * - the record holds no check, or none newer than `preflightMaxAge`;
 * - the request is a reminder: the person may have answered the opt-in it reminds
 *   of with the webhook still on its way (Meta retries for an hour), and a second
 *   message to them waits for Meta's word, however recent the last check.
 *
 * @example
 * preflightNeeded(emptyRecord(), now, resolvePolicy(messengerPolicy)); // true: no check yet
 */
export const preflightNeeded = (record: PermissionRecord, now: Instant, policy: ResolvedPolicy): boolean =>
  requestBlocker(record, now, policy) === null && (
    record.remote === null
    || now - record.remote.at >= policy.preflightMaxAgeMs
    || (record.state === 'requested' && record.pending !== null));
