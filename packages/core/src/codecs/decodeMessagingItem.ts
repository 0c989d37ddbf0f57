import { isRight } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { WebhookEvent } from '../webhookEvent.js';
import { decodePermissionReply } from './decodePermissionReply.js';
import { eventInstant } from './EntryContext.js';
import type { EntryContext } from './EntryContext.js';
import type { RefusalSink } from './DecodeReport.js';
import { idProblem, MetaRef, metaIdLimits } from './MetaId.js';
import { webhookEventId } from './webhookEventId.js';

/** A standard Messenger event: `{sender, recipient, timestamp, ...event-specific}`. */
const MessagingItem = t.intersection([
  t.type({ sender: MetaRef, recipient: MetaRef }),
  t.partial({
    timestamp: t.unknown, message: t.unknown, postback: t.unknown, referral: t.unknown, optin: t.unknown, reaction: t.unknown,
  }),
], 'MessagingItem');

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

/** The message or postback id, when Meta gave one: it tells two writes in the same millisecond apart. */
const midOf = (u: Record<string, unknown>): string | null => (typeof u.mid === 'string' && u.mid !== '' ? u.mid : null);

/** Not the person acting in the thread: no inbound event. */
const NOT_INBOUND = Symbol('not inbound');

/**
 * Whether the item is the person acting in the thread (what opens the messaging
 * window), and the id that tells it apart: a `message` that is not an echo or a
 * `postback` (their `mid`), a `referral`, an `optin` or a `reaction` (no id of
 * their own: a reaction's `mid` names the message reacted to). Receipts
 * (`delivery`, `read`), echoes and handover events are not.
 */
const interactionMid = (item: t.TypeOf<typeof MessagingItem>): string | null | typeof NOT_INBOUND => {
  const { message, postback, referral, optin, reaction } = item;
  if (isRecord(message)) return message.is_echo === true ? NOT_INBOUND : midOf(message); // an echo: the Page's own message
  if (isRecord(postback)) return midOf(postback);
  if (isRecord(referral) || isRecord(optin) || isRecord(reaction)) return null;
  return NOT_INBOUND;
};

/**
 * Decodes one `entry[].messaging[]` item (or `entry[].standby[]` item: same
 * shape): a `call_permission_reply` (Shape B) or the person acting in the thread,
 * which opens the messaging window: a `message` that is not an echo, a
 * `postback`, a `referral`, an `optin` or a `reaction`. Page = `recipient.id`,
 * PSID = `sender.id` (an item with no `sender.id`, e.g. a checkbox-plugin optin
 * that names the person by `user_ref` only, is skipped). Anything else
 * (deliveries, reads, echoes, handover events, unknown shapes) is null; so is an
 * item whose ids are too long or not well-formed, told to `refuse`.
 *
 * @example
 * decodeMessagingItem(
 *   { sender: { id: '5678' }, recipient: { id: '1234' }, timestamp: 1458692752478, message: { mid: 'm_1', text: 'hi' } },
 *   { pageId: '1234', time: null },
 * ); // { kind: 'inbound_message', thread: { pageId: '1234', psid: '5678' }, at: 1458692752478, ... }
 */
export const decodeMessagingItem = (
  item: unknown,
  entry: EntryContext,
  refuse: RefusalSink = () => undefined,
): WebhookEvent | null => {
  if (isRecord(item) && 'call_permission_reply' in item) {
    return decodePermissionReply(item, item.call_permission_reply, entry, refuse);
  }
  const decoded = MessagingItem.decode(item);
  if (!isRight(decoded)) return null;
  const { sender, recipient, timestamp } = decoded.right;
  const mid = interactionMid(decoded.right);
  if (mid === NOT_INBOUND) return null;
  const at = eventInstant(timestamp, entry);
  if (at === null) return null;
  const thread = { pageId: recipient.id, psid: sender.id };
  const problem = idProblem(thread.pageId, metaIdLimits.person) ?? idProblem(thread.psid, metaIdLimits.person)
    ?? (mid === null ? null : idProblem(mid, metaIdLimits.object));
  if (problem !== null) {
    refuse(problem);
    return null;
  }
  return {
    kind: 'inbound_message',
    id: webhookEventId('inbound_message', [thread.pageId, thread.psid, at, mid]),
    at,
    thread,
  };
};
