import type { ResolvedPolicy } from '../policy.js';
import type { Instant } from '../thread.js';
import type { PermissionRecord } from './PermissionRecord.js';

/**
 * When the pending opt-in counts as cut short, or null when it does not: a send
 * reserved but with no outcome written (no message id, not reported ambiguous)
 * reaches `sendOutcomeTimeout` after its reservation with no remote check stored
 * since the reservation. Its host died or lost the store mid-send, so nobody will
 * write the outcome: like an ambiguous send, it waits for a check, which gives the
 * slot back when Meta's count shows the send never arrived. A check stored after
 * the reservation (one that reconciled an ambiguous send and found it counted, or
 * any other) settles it as an ordinary pending opt-in: it is not checked again.
 *
 * @example
 * cutShortAt(reservedRecord, resolvePolicy(messengerPolicy)); // reservedAt + 5 min
 */
export const cutShortAt = (r: PermissionRecord, p: ResolvedPolicy): Instant | null => {
  const pd = r.pending;
  if (r.state !== 'requested' || pd === null || pd.ambiguous || pd.messageId !== null) return null;
  return r.remote !== null && r.remote.at > pd.at ? null : pd.at + p.sendOutcomeTimeoutMs;
};

/**
 * Whether the pending opt-in is known to have reached Meta: Meta answered its
 * message id, or a check stored after its reservation did not give its slot back
 * (it counted it, or said nothing that proves otherwise). The person writing after
 * such an opt-in lifts the reminder wait.
 *
 * @example
 * sentKnown(record); // true once REQUEST_SENT carried the message id
 */
export const sentKnown = (r: PermissionRecord): boolean => {
  const pd = r.pending;
  return pd !== null && (pd.messageId !== null || (!pd.ambiguous && r.remote !== null && r.remote.at > pd.at));
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
