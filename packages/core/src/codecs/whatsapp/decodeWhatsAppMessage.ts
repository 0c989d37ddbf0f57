import { isRight } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { Thread } from '../../thread.js';
import type { InboundMessageEvent, PermissionReplyEvent } from '../../webhookEvent.js';
import { caseInsensitive } from '../caseInsensitive.js';
import { idOrNull, lowerOrNull } from '../decodeCallItem.js';
import type { RefusalSink } from '../DecodeReport.js';
import { answerInstant, eventInstant } from '../EntryContext.js';
import { idProblem, metaIdLimits } from '../MetaId.js';
import { toEpochMs } from '../timestamps.js';
import { webhookEventId } from '../webhookEventId.js';
import type { WhatsAppContext } from './WhatsAppContext.js';

/** WhatsApp answers `accept` or `reject` (any case); `approve` is read too, as on Messenger. */
const ReplyResponse = caseInsensitive('WhatsAppReplyResponse', ['approve', 'reject'], { accept: 'approve' });

/** `interactive.call_permission_reply` (facts §9.4). */
const ReplyBody = t.intersection([
  t.type({ response: ReplyResponse }),
  t.partial({ expiration_timestamp: t.unknown, is_permanent: t.unknown, response_source: t.unknown }),
], 'WhatsAppCallPermissionReply');

/** One `value.messages[]` item: who wrote (`from`, or `from_user_id` when only the business-scoped id is sent), what and when. */
const MessageItem = t.partial({
  id: t.unknown, from: t.unknown, from_user_id: t.unknown, timestamp: t.unknown, type: t.unknown, interactive: t.unknown,
}, 'WhatsAppMessage');

/** A `system` message (the person changed number...) is WhatsApp speaking, not the person: it opens no window. */
const NOT_THE_PERSON = new Set(['system']);

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === 'object' && u !== null && !Array.isArray(u);

/** `is_permanent`: `true`, or `"true"` in any case; anything else is a temporary permission. */
const isTrue = (u: unknown): boolean => u === true || lowerOrNull(u) === 'true';

/**
 * Decodes one WhatsApp `messages[]` item on the business number `ctx.pageId`:
 * an `interactive` `call_permission_reply` is the person's answer (or Meta's
 * automatic grant or revocation: `response_source: automatic`); any other
 * message the person sends (text, media, a button or list reply, a reaction...)
 * opens the customer-service window. `system` messages, items naming no person
 * or no instant, and replies with an unknown `response` are null (skipped); an
 * item whose ids are too long or not well-formed is told to `refuse` and null too.
 * The thread is `{ channel: 'whatsapp', pageId: phone_number_id, psid: from }`.
 *
 * @example
 * decodeWhatsAppMessage(
 *   { from: '16505551234', id: 'wamid.A', timestamp: '1739321024', type: 'interactive',
 *     interactive: { type: 'call_permission_reply', call_permission_reply: { response: 'accept', is_permanent: false,
 *       expiration_timestamp: '1739925824', response_source: 'user_action' } } },
 *   { pageId: '106540352242922', displayPhoneNumber: null, time: null },
 * ); // { kind: 'permission_reply', response: 'approve', expiresAt: 1739925824000, permanent: false, automatic: false, ... }
 */
export const decodeWhatsAppMessage = (
  item: unknown,
  ctx: WhatsAppContext,
  refuse: RefusalSink = () => undefined,
): PermissionReplyEvent | InboundMessageEvent | null => {
  const decoded = MessageItem.decode(item);
  if (!isRight(decoded)) return null;
  const m = decoded.right;
  const psid = idOrNull(m.from) ?? idOrNull(m.from_user_id);
  const type = lowerOrNull(m.type);
  const at = eventInstant(m.timestamp, ctx);
  if (psid === null || type === null || at === null || NOT_THE_PERSON.has(type)) return null;
  const wamid = idOrNull(m.id);
  const thread: Thread = { channel: 'whatsapp', pageId: ctx.pageId, psid };
  const interactive = isRecord(m.interactive) ? m.interactive : null;
  const isReply = type === 'interactive' && interactive !== null && lowerOrNull(interactive.type) === 'call_permission_reply';
  const reply = isReply ? ReplyBody.decode(interactive.call_permission_reply) : null;
  if (reply !== null && !isRight(reply)) return null; // a reply callperm cannot read is no message of the person either
  const problem = idProblem(thread.pageId, metaIdLimits.person) ?? idProblem(psid, metaIdLimits.person)
    ?? (wamid === null ? null : idProblem(wamid, metaIdLimits.object));
  if (problem !== null) {
    refuse(problem);
    return null;
  }
  if (reply === null) {
    return { kind: 'inbound_message', id: webhookEventId('inbound_message', ['whatsapp', thread.pageId, psid, at, wamid]), at, thread };
  }
  const { response } = reply.right;
  const permanent = response === 'approve' && isTrue(reply.right.is_permanent);
  const expiry = toEpochMs(reply.right.expiration_timestamp);
  // Only an accepted temporary permission expires (a permanent one never does; a reject has nothing to expire).
  const expiresAt = response === 'approve' && !permanent && expiry.ok ? expiry.value : null;
  const automatic = lowerOrNull(reply.right.response_source) === 'automatic';
  return {
    kind: 'permission_reply',
    // The id keeps the instant as Meta sent it; the answer reads as late in its second as it may be (see answerInstant).
    id: webhookEventId('permission_reply', [
      'whatsapp', thread.pageId, psid, at, response, expiresAt, permanent ? 'permanent' : '', automatic ? 'automatic' : '', wamid,
    ]),
    at: answerInstant(m.timestamp, ctx) ?? at,
    thread,
    response,
    expiresAt,
    permanent,
    automatic,
  };
};
