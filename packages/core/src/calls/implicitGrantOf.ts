import { webhookEventId } from '../codecs/webhookEventId.js';
import type { Instant } from '../thread.js';
import type { ImplicitGrantEvent } from '../webhookEvent.js';
import type { CallTrace } from './CallTrace.js';

type Cause = ImplicitGrantEvent['cause'];

/**
 * The implicit (callback) permission a call gives, if any, as far as its trace
 * tells. Meta documents two grants and defines neither; callperm reads them so:
 *
 * - **fully connected call** (`connected_call`): a business-initiated call whose
 *   consumer accepted (`call_status: accepted`, at that instant), or any call whose
 *   `terminate` carries a `duration` (Meta counts it "from when the business
 *   connects" and leaves it empty otherwise; `0` is a duration), at the terminate;
 * - **missed consumer call** (`missed_call`): a user-initiated call whose
 *   `terminate` has no duration and that was never accepted, at the terminate.
 *   A call the business rejected explicitly counts as missed: Meta's `terminate`
 *   does not tell the two apart ("Completed" includes rejected calls).
 *
 * When several apply, the latest instant wins (a connected call at equal instants),
 * so the grant only moves forward as items arrive and any order ends the same.
 * No grant without the person's PSID (a `terminate` alone does not name them).
 * Every grant is provisional: the service confirms or corrects it with a remote check.
 *
 * @example
 * implicitGrantOf({ pageId: '1', callId: 'c', psid: '2', direction: 'user_initiated', connectAt: 1000,
 *   acceptedAt: null, end: { at: 61_000, durationSec: null, status: 'completed' } });
 * // { kind: 'implicit_grant', cause: 'missed_call', at: 61_000, thread: { pageId: '1', psid: '2' }, id: ... }
 */
export const implicitGrantOf = (trace: CallTrace): ImplicitGrantEvent | null => {
  // WhatsApp announces its callback grants itself (a reply with `response_source: automatic`): nothing to infer.
  if (trace.psid === null || trace.channel === 'whatsapp') return null;
  const candidates: { at: Instant; cause: Cause }[] = [];
  if (trace.direction === 'business_initiated' && trace.acceptedAt !== null) {
    candidates.push({ at: trace.acceptedAt, cause: 'connected_call' });
  }
  const end = trace.end;
  if (end !== null && end.durationSec !== null) candidates.push({ at: end.at, cause: 'connected_call' });
  if (end !== null && end.durationSec === null && trace.direction === 'user_initiated' && trace.acceptedAt === null) {
    candidates.push({ at: end.at, cause: 'missed_call' });
  }
  let best: { at: Instant; cause: Cause } | undefined;
  for (const c of candidates) {
    if (best === undefined || c.at > best.at || (c.at === best.at && c.cause === 'connected_call')) best = c;
  }
  if (best === undefined) return null;
  return {
    kind: 'implicit_grant',
    id: webhookEventId('implicit_grant', [trace.pageId, trace.psid, trace.callId, best.at, best.cause]),
    at: best.at,
    thread: { pageId: trace.pageId, psid: trace.psid },
    cause: best.cause,
  };
};
