import { isRight } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { CallEvent } from '../webhookEvent.js';
import { caseInsensitive } from './caseInsensitive.js';
import { eventInstant } from './EntryContext.js';
import type { EntryContext } from './EntryContext.js';
import { isAcceptableField } from './admitEvents.js';
import type { RefusalSink } from './DecodeReport.js';
import { idProblem, MetaId, metaIdLimits } from './MetaId.js';
import { webhookEventId } from './webhookEventId.js';

const CallEventName = caseInsensitive('CallEventName', ['connect', 'call_status', 'media_update', 'terminate']);
const Direction = caseInsensitive('CallDirection', ['business_initiated', 'user_initiated']);

/** One `calls[]` item: `id` and `event` identify it; the rest depends on the event. */
const CallItem = t.intersection([
  t.type({ id: MetaId, event: CallEventName }),
  t.partial({
    timestamp: t.unknown, to: t.unknown, from: t.unknown, call_direction: t.unknown, recipient_id: t.unknown,
    call_status: t.unknown, status: t.unknown, duration: t.unknown, session: t.unknown,
  }),
], 'CallItem');

/**
 * A Meta id, or null when absent or not one.
 *
 * @example
 * idOrNull(5678); // '5678'
 */
export const idOrNull = (u: unknown): string | null => {
  const r = MetaId.decode(u);
  return isRight(r) ? r.right : null;
};

/**
 * A status word trimmed and lower-cased, or null when absent or empty.
 *
 * @example
 * lowerOrNull(' COMPLETED '); // 'completed'
 */
export const lowerOrNull = (u: unknown): string | null => {
  const s = typeof u === 'string' ? u.trim().toLowerCase() : '';
  return s === '' ? null : s;
};

/**
 * `duration` in seconds; absent, null, `""` or unreadable means the business never connected.
 *
 * @example
 * durationOrNull('159'); // 159
 */
export const durationOrNull = (u: unknown): number | null => {
  const n = typeof u === 'number' ? u : typeof u === 'string' && /^\s*\d+(?:\.\d+)?\s*$/.test(u) ? Number(u) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : null;
};

/** `session.version` of a `media_update` (Meta increments it with each new SDP). */
const sessionVersion = (u: unknown): number | null =>
  typeof u === 'object' && u !== null && 'version' in u && typeof u.version === 'number' ? u.version : null;

/**
 * Decodes one `calls` webhook item (`connect`, `call_status`, `media_update`,
 * `terminate`). The Page is `entry.id`; without one, a `connect` names it in
 * `to` (or `from` when `business_initiated`). The PSID is, for `connect`, whichever
 * of `to`/`from` is not the Page; for `call_status`, `recipient_id`; otherwise null.
 * Statuses and directions are lower-cased. Unknown shapes are null (skipped); so
 * is an item with an id too long or not well-formed, or a status that is not short
 * well-formed text, told to `refuse`.
 *
 * @example
 * decodeCallItem(
 *   { id: 'c_1', event: 'terminate', timestamp: 1671644900, status: 'Completed', duration: '' },
 *   { pageId: '1234', time: null },
 * ); // { kind: 'call', event: 'terminate', terminateStatus: 'completed', durationSec: null, psid: null, ... }
 */
export const decodeCallItem = (
  item: unknown,
  entry: EntryContext,
  refuse: RefusalSink = () => undefined,
): CallEvent | null => {
  const decoded = CallItem.decode(item);
  if (!isRight(decoded)) return null;
  const c = decoded.right;
  const dir = Direction.decode(c.call_direction);
  const direction = isRight(dir) ? dir.right : null;
  const to = idOrNull(c.to);
  const from = idOrNull(c.from);
  const pageId = entry.pageId ?? (c.event === 'connect' ? (direction === 'business_initiated' ? from : to) : null);
  const at = eventInstant(c.timestamp, entry);
  if (pageId === null || at === null) return null;
  let psid: string | null = null;
  if (c.event === 'connect') psid = to === pageId ? from : from === pageId ? to : null;
  if (c.event === 'call_status') psid = idOrNull(c.recipient_id);
  const callStatus = c.event === 'call_status' ? lowerOrNull(c.call_status) : null;
  const terminateStatus = c.event === 'terminate' ? lowerOrNull(c.status) : null;
  const durationSec = c.event === 'terminate' ? durationOrNull(c.duration) : null;
  const version = c.event === 'media_update' ? sessionVersion(c.session) : null;
  const problem = idProblem(pageId, metaIdLimits.person) ?? idProblem(c.id, metaIdLimits.object)
    ?? (psid === null ? null : idProblem(psid, metaIdLimits.person))
    ?? (isAcceptableField(callStatus) && isAcceptableField(terminateStatus) ? null : 'field_malformed');
  if (problem !== null) {
    refuse(problem);
    return null;
  }
  return {
    kind: 'call',
    id: webhookEventId('call', [
      pageId, c.id, c.event, at, psid, direction, callStatus, terminateStatus, durationSec, version,
    ]),
    at,
    pageId,
    psid,
    callId: c.id,
    event: c.event,
    direction,
    callStatus,
    terminateStatus,
    durationSec,
  };
};
