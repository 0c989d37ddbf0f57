import { isRight } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { PermissionReplyEvent } from '../webhookEvent.js';
import { caseInsensitive } from './caseInsensitive.js';
import { answerInstant, eventInstant } from './EntryContext.js';
import type { EntryContext } from './EntryContext.js';
import type { RefusalSink } from './DecodeReport.js';
import { idProblem, MetaRef, metaIdLimits } from './MetaId.js';
import { toEpochMs } from './timestamps.js';
import { webhookEventId } from './webhookEventId.js';

/** `approve` or `reject` in any case; WhatsApp's `accept` reads as `approve`. */
const ReplyResponse = caseInsensitive('ReplyResponse', ['approve', 'reject'], { accept: 'approve' });

/** The `call_permission_reply` object itself. */
const ReplyBody = t.intersection([
  t.type({ response: ReplyResponse }),
  t.partial({ expiration_timestamp: t.unknown }),
], 'CallPermissionReply');

/** The item around it: who answered (`sender`), to which Page (`recipient`), and when. */
const ReplyItem = t.intersection([
  t.type({ sender: MetaRef }),
  t.partial({ recipient: t.unknown, timestamp: t.unknown }),
], 'CallPermissionReplyItem');

/**
 * Tells whether a value is a `call_permission_reply` object callperm understands
 * (a recognised `response`). Used to find the reply under a `changes[].value` key.
 *
 * @example
 * isPermissionReplyBody({ response: 'APPROVE', expiration_timestamp: '1745343479' }); // true
 * isPermissionReplyBody({ response: '[approve|reject]' });                             // false
 */
export const isPermissionReplyBody = (u: unknown): boolean => isRight(ReplyBody.decode(u));

/**
 * Decodes one `call_permission_reply`, whatever envelope carried it: `item` holds
 * `sender`, `recipient` and `timestamp` (an `entry[]`, a `messaging[]` item, or a
 * `changes[].value`), `body` is the reply object. Returns null for a shape it does
 * not recognise (no PSID, no Page, no instant, an unknown `response`): the caller
 * skips it. A Page id or PSID over its length limit or not well-formed is told to
 * `refuse` and gives null too. `expiresAt` is null on `reject` and when the expiry
 * is absent or unreadable.
 *
 * @example
 * decodePermissionReply(
 *   { sender: { id: '5678' }, recipient: { id: '1234' }, timestamp: 1671644824 },
 *   { response: 'approve', expiration_timestamp: '1672249624' },
 *   { pageId: null, time: null },
 * ); // { kind: 'permission_reply', response: 'approve', expiresAt: 1672249624000, ... }
 */
export const decodePermissionReply = (
  item: unknown,
  body: unknown,
  entry: EntryContext,
  refuse: RefusalSink = () => undefined,
): PermissionReplyEvent | null => {
  const fields = ReplyItem.decode(item);
  const reply = ReplyBody.decode(body);
  if (!isRight(fields) || !isRight(reply)) return null;
  const recipient = MetaRef.decode(fields.right.recipient);
  const pageId = isRight(recipient) ? recipient.right.id : entry.pageId;
  // The id keeps the instant as Meta sent it, so a redelivery dedupes the same across versions.
  const sent = eventInstant(fields.right.timestamp, entry);
  const at = answerInstant(fields.right.timestamp, entry);
  if (pageId === null || sent === null || at === null) return null;
  const psid = fields.right.sender.id;
  const problem = idProblem(pageId, metaIdLimits.person) ?? idProblem(psid, metaIdLimits.person);
  if (problem !== null) {
    refuse(problem);
    return null;
  }
  const { response } = reply.right;
  const expiry = toEpochMs(reply.right.expiration_timestamp);
  const expiresAt = response === 'approve' && expiry.ok ? expiry.value : null;
  return {
    kind: 'permission_reply',
    id: webhookEventId('permission_reply', [pageId, psid, sent, response, expiresAt]),
    at,
    thread: { pageId, psid },
    response,
    expiresAt,
  };
};
