import { isRight } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { Instant } from '../../thread.js';
import type { WebhookEvent } from '../../webhookEvent.js';
import type { RefusalSink } from '../DecodeReport.js';
import { toEpochMs } from '../timestamps.js';
import { decodeWhatsAppCall, decodeWhatsAppCallStatus } from './decodeWhatsAppCall.js';
import { decodeWhatsAppMessage } from './decodeWhatsAppMessage.js';
import { whatsAppContext } from './WhatsAppContext.js';

/** A WhatsApp Business Account change: `{field, value}`. */
const ChangeItem = t.type({ field: t.string, value: t.UnknownRecord }, 'WhatsAppChangeItem');

const itemsOf = (u: unknown): readonly unknown[] => (Array.isArray(u) ? u : []);

const isEvent = <E>(e: E | null): e is E => e !== null;

/**
 * Decodes one `entry[].changes[]` item of a WhatsApp webhook: `messages`
 * (`value.messages[]`: permission replies and what the person writes;
 * `value.statuses[]`, the business's own messages' receipts, give nothing) and
 * `calls` (`value.calls[]`: `connect`, `terminate`; `value.statuses[]`: `RINGING`,
 * `ACCEPTED`, `REJECTED`). The business number is `value.metadata.phone_number_id`;
 * a change without one, another field or an unknown shape gives no events. Items
 * refused for their ids or values are told to `refuse`.
 *
 * @example
 * decodeWhatsAppChange({ field: 'calls', value: { metadata: { phone_number_id: '1065' },
 *   statuses: [{ id: 'wacid.A', type: 'call', status: 'RINGING', timestamp: '1749196900', recipient_id: '4915112345678' }] } }, null);
 * // [{ kind: 'call', channel: 'whatsapp', event: 'call_status', callStatus: 'ringing', ... }]
 */
export const decodeWhatsAppChange = (
  item: unknown,
  time: Instant | null,
  refuse: RefusalSink = () => undefined,
): WebhookEvent[] => {
  const decoded = ChangeItem.decode(item);
  if (!isRight(decoded)) return [];
  const { field, value } = decoded.right;
  const ctx = whatsAppContext(value, time);
  if (ctx === null) return [];
  switch (field.trim().toLowerCase()) {
    case 'messages':
      return itemsOf(value.messages).map((m) => decodeWhatsAppMessage(m, ctx, refuse)).filter(isEvent);
    case 'calls':
      return [
        ...itemsOf(value.calls).map((c) => decodeWhatsAppCall(c, ctx, refuse)).filter(isEvent),
        ...itemsOf(value.statuses).map((s) => decodeWhatsAppCallStatus(s, ctx, refuse)).filter(isEvent),
      ];
    default:
      return [];
  }
};

/**
 * Decodes one `entry[]` of a WhatsApp webhook (`{id: <WABA id>, changes: [...]}`)
 * into `events`, change by change, in order.
 *
 * @example
 * const events: WebhookEvent[] = [];
 * decodeWhatsAppEntry({ id: '1022', changes: [] }, events, () => undefined); // events stays []
 */
export const decodeWhatsAppEntry = (
  entry: Readonly<Record<string, unknown>>,
  events: WebhookEvent[],
  refuse: RefusalSink,
): void => {
  const time = toEpochMs(entry.time);
  for (const item of itemsOf(entry.changes)) events.push(...decodeWhatsAppChange(item, time.ok ? time.value : null, refuse));
};
