import * as t from 'io-ts';
import { ok } from '../result.js';
import type { Result } from '../result.js';
import type { WebhookEvent } from '../webhookEvent.js';
import type { DecodeReport } from './DecodeReport.js';
import { decodeCallItem } from './decodeCallItem.js';
import { decodeChangeItem } from './decodeChangeItem.js';
import { decodeMessagingItem } from './decodeMessagingItem.js';
import { decodePermissionReply } from './decodePermissionReply.js';
import { decodeWith } from './decodeWith.js';
import { entryContext } from './EntryContext.js';

/** The envelope of every Page webhook; what is inside is decoded item by item. */
const PageWebhook = t.type({ object: t.literal('page'), entry: t.array(t.unknown) }, 'PageWebhook');

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === 'object' && u !== null && !Array.isArray(u);

const itemsOf = (u: unknown): readonly unknown[] => (Array.isArray(u) ? u : []);

const pushIf = (events: WebhookEvent[], e: WebhookEvent | null): void => {
  if (e !== null) events.push(e);
};

const decodeEntry = (entry: Readonly<Record<string, unknown>>, events: WebhookEvent[]): void => {
  const ctx = entryContext(entry);
  // Shape A: the guide puts the reply's fields directly on the entry.
  if ('call_permission_reply' in entry) pushIf(events, decodePermissionReply(entry, entry.call_permission_reply, ctx));
  for (const item of itemsOf(entry.messaging)) pushIf(events, decodeMessagingItem(item, ctx));
  for (const item of itemsOf(entry.changes)) events.push(...decodeChangeItem(item, ctx));
  for (const item of itemsOf(entry.calls)) pushIf(events, decodeCallItem(item, ctx));
};

/**
 * Decodes a Page webhook body into callperm's events. The envelope must be
 * `{object: "page", entry: [...]}` or the result is a report; inside it decoding is
 * lenient: an entry or item of a shape callperm does not recognise is skipped,
 * unknown fields are ignored. It reads `call_permission_reply` in all three
 * documented envelopes (on `entry[]`, in `entry[].messaging[]`, in
 * `entry[].changes[]`), inbound messages and postbacks from `messaging[]`, and
 * call events from `entry[].calls[]` and `changes[{field: "calls"}]`. Events keep
 * the body's order; each has a dedupe `id` that Meta's retries reproduce.
 *
 * @example
 * const r = parseWebhook({ object: 'page', entry: [{ sender: { id: '5678' }, recipient: { id: '1234' },
 *   timestamp: 1671644824, call_permission_reply: { response: 'approve', expiration_timestamp: 1672249624 } }] });
 * if (r.ok) r.value[0]?.kind; // 'permission_reply'
 */
export const parseWebhook = (json: unknown): Result<WebhookEvent[], DecodeReport> => {
  const body = decodeWith('webhook', PageWebhook, json);
  if (!body.ok) return body;
  const events: WebhookEvent[] = [];
  for (const entry of body.value.entry) if (isRecord(entry)) decodeEntry(entry, events);
  return ok(events);
};
