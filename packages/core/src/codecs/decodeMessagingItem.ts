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
  t.partial({ timestamp: t.unknown, message: t.unknown, postback: t.unknown }),
], 'MessagingItem');

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

/** The message or postback id, when Meta gave one: it tells two writes in the same millisecond apart. */
const midOf = (u: Record<string, unknown>): string | null => (typeof u.mid === 'string' && u.mid !== '' ? u.mid : null);

/**
 * Decodes one `entry[].messaging[]` item: a `call_permission_reply` (Shape B) or
 * the person writing to the Page (a `message` that is not an echo, or a
 * `postback`), which opens the messaging window. Page = `recipient.id`, PSID =
 * `sender.id`. Anything else (deliveries, reads, echoes, unknown shapes) is null;
 * so is an item whose ids are too long or not well-formed, told to `refuse`.
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
  const { sender, recipient, timestamp, message, postback } = decoded.right;
  let mid: string | null;
  if (isRecord(message)) {
    if (message.is_echo === true) return null; // the Page's own message, sent back
    mid = midOf(message);
  } else if (isRecord(postback)) {
    mid = midOf(postback);
  } else {
    return null;
  }
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
