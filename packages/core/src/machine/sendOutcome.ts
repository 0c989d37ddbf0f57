import type { ResolvedPolicy } from '../policy.js';
import type { Instant } from '../thread.js';
import type { PermissionRecord } from './PermissionRecord.js';

/**
 * When the pending opt-in counts as cut short, or null when it does not: a send
 * reserved but with no outcome written (no message id, not reported ambiguous)
 * reaches `sendOutcomeTimeout` after its reservation without a remote check
 * stored since that instant. Its host died or lost the store mid-send, so nobody
 * will write the outcome: like an ambiguous send, it waits for a check, which
 * gives the slot back when Meta's count shows the send never arrived.
 *
 * @example
 * cutShortAt(reservedRecord, resolvePolicy(messengerPolicy)); // reservedAt + 5 min
 */
export const cutShortAt = (r: PermissionRecord, p: ResolvedPolicy): Instant | null => {
  const pd = r.pending;
  if (r.state !== 'requested' || pd === null || pd.ambiguous || pd.messageId !== null) return null;
  const at = pd.at + p.sendOutcomeTimeoutMs;
  return r.remote !== null && r.remote.at >= at ? null : at;
};

/**
 * Whether the pending send's fate is unknown: Meta's answer was ambiguous, or
 * the outcome was never written (in flight, or cut short; see {@link cutShortAt}).
 * Either way only the send's outcome or a remote check resolves it.
 *
 * @example
 * sendInDoubt(record, resolvePolicy(messengerPolicy)); // true right after the reservation
 */
export const sendInDoubt = (r: PermissionRecord, p: ResolvedPolicy): boolean =>
  r.state === 'requested' && r.pending !== null && (r.pending.ambiguous || cutShortAt(r, p) !== null);
