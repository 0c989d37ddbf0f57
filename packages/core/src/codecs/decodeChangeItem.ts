import { isRight } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { WebhookEvent } from '../webhookEvent.js';
import { decodeCallItem } from './decodeCallItem.js';
import { decodePermissionReply, isPermissionReplyBody } from './decodePermissionReply.js';
import { eventInstant, type EntryContext } from './EntryContext.js';
import { webhookEventId } from './webhookEventId.js';
import type { RefusalSink } from './DecodeReport.js';

/** A Graph Page-webhook change: `{field, value}`. */
const ChangeItem = t.type({ field: t.string, value: t.UnknownRecord }, 'ChangeItem');

/**
 * The reply object of a Shape C change: `value.call_permission_reply`, else the
 * first `value` member whose name starts with `call_permission` and that reads as a
 * reply (the reference copy truncates the member's name).
 */
const replyBodyOf = (value: Readonly<Record<string, unknown>>): unknown => {
  if (isPermissionReplyBody(value.call_permission_reply)) return value.call_permission_reply;
  const key = Object.keys(value).find((k) => k.startsWith('call_permission') && isPermissionReplyBody(value[k]));
  return key === undefined ? undefined : value[key];
};

const isEvent = <E>(e: E | null): e is E => e !== null;

/**
 * A `call_settings_update` change: the Page's settings moved, so the Page is
 * checked again. Meta documents no shape for it; the instant is `value.timestamp`
 * or the entry's `time` (either unit), else none is known and the event is dropped.
 */
const pageSettingsOf = (value: Readonly<Record<string, unknown>>, entry: EntryContext): WebhookEvent[] => {
  const at = eventInstant(value.timestamp, entry);
  if (at === null || entry.pageId === null) return [];
  return [{ kind: 'page_settings', id: webhookEventId('page_settings', [entry.pageId, at]), at, pageId: entry.pageId }];
};

/**
 * Decodes one `entry[].changes[]` item: `call_permission_reply` (Shape C, the
 * reply's `sender`, `recipient` and `timestamp` on `value`), `calls` (`value`
 * is one call item, or holds a `calls` array) and `call_settings_update`. Other fields and unknown shapes
 * give no events; items refused for their ids or values are told to `refuse`.
 *
 * @example
 * decodeChangeItem(
 *   { field: 'calls', value: { calls: [{ id: 'c_1', event: 'terminate', timestamp: 1671644900, status: 'Failed' }] } },
 *   { pageId: '1234', time: null },
 * ); // [{ kind: 'call', event: 'terminate', terminateStatus: 'failed', ... }]
 */
export const decodeChangeItem = (
  item: unknown,
  entry: EntryContext,
  refuse: RefusalSink = () => undefined,
): WebhookEvent[] => {
  const decoded = ChangeItem.decode(item);
  if (!isRight(decoded)) return [];
  const { field, value } = decoded.right;
  switch (field.trim().toLowerCase()) {
    case 'call_permission_reply': {
      const reply = decodePermissionReply(value, replyBodyOf(value), entry, refuse);
      return reply === null ? [] : [reply];
    }
    case 'calls': {
      const items: readonly unknown[] = Array.isArray(value.calls) ? value.calls : [value];
      return items.map((c) => decodeCallItem(c, entry, refuse)).filter(isEvent);
    }
    case 'call_settings_update':
      return pageSettingsOf(value, entry);
    default:
      return [];
  }
};
