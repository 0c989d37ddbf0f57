import { isRight } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { CallEvent } from '../../webhookEvent.js';
import { isAcceptableField } from '../admitEvents.js';
import { caseInsensitive } from '../caseInsensitive.js';
import { durationOrNull, idOrNull, lowerOrNull } from '../decodeCallItem.js';
import type { RefusalSink } from '../DecodeReport.js';
import { eventInstant } from '../EntryContext.js';
import { idProblem, MetaId, metaIdLimits } from '../MetaId.js';
import { webhookEventId } from '../webhookEventId.js';
import type { WhatsAppContext } from './WhatsAppContext.js';

/** WhatsApp's `calls[].event`: `connect` or `terminate` (any case). */
const CallEventName = caseInsensitive('WhatsAppCallEventName', ['connect', 'terminate']);
/** `BUSINESS_INITIATED` or `USER_INITIATED`, read into callperm's lower-case union. */
const Direction = caseInsensitive('WhatsAppCallDirection', ['business_initiated', 'user_initiated']);
/** A `statuses[]` item of a `calls` change: `RINGING`, `ACCEPTED` or `REJECTED` (business-initiated calls). */
const CallStatusName = caseInsensitive('WhatsAppCallStatus', ['ringing', 'accepted', 'rejected']);

/** One `value.calls[]` item: `id` (the `wacid`) and `event` identify it. */
const CallItem = t.intersection([
  t.type({ id: MetaId, event: CallEventName }),
  t.partial({
    timestamp: t.unknown, to: t.unknown, from: t.unknown, to_user_id: t.unknown, from_user_id: t.unknown,
    direction: t.unknown, status: t.unknown, duration: t.unknown,
  }),
], 'WhatsAppCallItem');

/** One `value.statuses[]` item of a `calls` change. */
const CallStatusItem = t.intersection([
  t.type({ id: MetaId, status: CallStatusName }),
  t.partial({ type: t.unknown, timestamp: t.unknown, recipient_id: t.unknown, recipient_user_id: t.unknown }),
], 'WhatsAppCallStatusItem');

type Decoded = t.TypeOf<typeof CallItem>;

/**
 * The person on a call: the callee (`to`) of a business-initiated call, the
 * caller (`from`) of a user-initiated one, each falling back to its
 * business-scoped `*_user_id`; with no direction, whichever end is not the
 * business's display number, else null.
 */
const personOf = (c: Decoded, direction: CallEvent['direction'], ctx: WhatsAppContext): string | null => {
  const to = idOrNull(c.to) ?? idOrNull(c.to_user_id);
  const from = idOrNull(c.from) ?? idOrNull(c.from_user_id);
  if (direction === 'business_initiated') return to;
  if (direction === 'user_initiated') return from;
  if (ctx.displayPhoneNumber === null) return null;
  return to === ctx.displayPhoneNumber ? from : from === ctx.displayPhoneNumber ? to : null;
};

/** The checks every WhatsApp call event passes before it is kept: ids bounded and well-formed, statuses short text. */
const callProblem = (e: Omit<CallEvent, 'id'>) =>
  idProblem(e.pageId, metaIdLimits.person) ?? idProblem(e.callId, metaIdLimits.object)
  ?? (e.psid === null ? null : idProblem(e.psid, metaIdLimits.person))
  ?? (isAcceptableField(e.callStatus) && isAcceptableField(e.terminateStatus) ? null : 'field_malformed');

/**
 * The event with its dedupe id: `whatsapp` first, then the values Meta's retries
 * repeat (never the same number of parts as a Messenger call id, so the two never meet).
 */
const withId = (e: Omit<CallEvent, 'id'>): CallEvent => ({
  ...e,
  id: webhookEventId('call', [
    'whatsapp', e.pageId, e.callId, e.event, e.at, e.psid, e.direction, e.callStatus, e.terminateStatus, e.durationSec, null,
  ]),
});

const kept = (e: Omit<CallEvent, 'id'>, refuse: RefusalSink): CallEvent | null => {
  const problem = callProblem(e);
  if (problem === null) return withId(e);
  refuse(problem);
  return null;
};

/**
 * Decodes one WhatsApp `calls[]` item (`connect`, `terminate`) on the business
 * number `ctx.pageId` into a `CallEvent` with `channel: 'whatsapp'`: `callId` is
 * the `wacid`, `direction` is lower-cased, the person is `to` (business-initiated)
 * or `from` (user-initiated), `terminateStatus` is the terminate's `status`
 * lower-cased and `durationSec` its `duration` (absent when nobody picked up).
 * Unknown events and items with no instant are null; an item with ids too long or
 * not well-formed, or a status that is not short well-formed text, is told to
 * `refuse` and null too.
 *
 * @example
 * decodeWhatsAppCall(
 *   { id: 'wacid.A', to: '12185552828', from: '13175551399', event: 'terminate', timestamp: '1749197000',
 *     direction: 'BUSINESS_INITIATED', status: 'COMPLETED', duration: 105 },
 *   { pageId: '436666719526789', displayPhoneNumber: '13175551399', time: null },
 * ); // { kind: 'call', channel: 'whatsapp', event: 'terminate', psid: '12185552828', terminateStatus: 'completed', durationSec: 105, ... }
 */
export const decodeWhatsAppCall = (item: unknown, ctx: WhatsAppContext, refuse: RefusalSink = () => undefined): CallEvent | null => {
  const decoded = CallItem.decode(item);
  if (!isRight(decoded)) return null;
  const c = decoded.right;
  const at = eventInstant(c.timestamp, ctx);
  if (at === null) return null;
  const dir = Direction.decode(c.direction);
  const direction = isRight(dir) ? dir.right : null;
  const terminate = c.event === 'terminate';
  return kept({
    kind: 'call',
    channel: 'whatsapp',
    at,
    pageId: ctx.pageId,
    psid: personOf(c, direction, ctx),
    callId: c.id,
    event: c.event,
    direction,
    callStatus: null,
    terminateStatus: terminate ? lowerOrNull(c.status) : null,
    durationSec: terminate ? durationOrNull(c.duration) : null,
  }, refuse);
};

/**
 * Decodes one `statuses[]` item of a WhatsApp `calls` change (`RINGING`,
 * `ACCEPTED`, `REJECTED` of a business-initiated call) into a `call_status`
 * `CallEvent` read like Messenger's: `callStatus` lower-cased, the person from
 * `recipient_id` (or `recipient_user_id`), no direction. An item of another
 * `type` than `call`, an unknown status or no instant is null; ids too long or
 * not well-formed are told to `refuse`.
 *
 * @example
 * decodeWhatsAppCallStatus(
 *   { id: 'wacid.A', timestamp: '1749196900', type: 'call', status: 'ACCEPTED', recipient_id: '12185552828' },
 *   { pageId: '436666719526789', displayPhoneNumber: null, time: null },
 * ); // { kind: 'call', channel: 'whatsapp', event: 'call_status', callStatus: 'accepted', psid: '12185552828', ... }
 */
export const decodeWhatsAppCallStatus = (
  item: unknown,
  ctx: WhatsAppContext,
  refuse: RefusalSink = () => undefined,
): CallEvent | null => {
  const decoded = CallStatusItem.decode(item);
  if (!isRight(decoded)) return null;
  const s = decoded.right;
  const type = lowerOrNull(s.type);
  const at = eventInstant(s.timestamp, ctx);
  if ((type !== null && type !== 'call') || at === null) return null;
  return kept({
    kind: 'call',
    channel: 'whatsapp',
    at,
    pageId: ctx.pageId,
    psid: idOrNull(s.recipient_id) ?? idOrNull(s.recipient_user_id),
    callId: s.id,
    event: 'call_status',
    direction: null,
    callStatus: s.status,
    terminateStatus: null,
    durationSec: null,
  }, refuse);
};
