import * as t from 'io-ts';
import { ok } from '../result.js';
import type { Result } from '../result.js';
import type { WebhookEvent } from '../webhookEvent.js';
import { admissionDefaults, admitEvents, type AdmissionLimits } from './admitEvents.js';
import { addRefusals, noRefusals, type DecodeReport, type RefusalCounts, type RefusalReason, type RefusalSink } from './DecodeReport.js';
import { decodeCallItem } from './decodeCallItem.js';
import { decodeChangeItem } from './decodeChangeItem.js';
import { decodeMessagingItem } from './decodeMessagingItem.js';
import { decodePermissionReply } from './decodePermissionReply.js';
import { decodeWith } from './decodeWith.js';
import { entryContext } from './EntryContext.js';
import { decodeWhatsAppEntry } from './whatsapp/decodeWhatsAppEntry.js';

/** The envelope of every Page webhook; what is inside is decoded item by item. */
const PageWebhook = t.type({ object: t.literal('page'), entry: t.array(t.unknown) }, 'PageWebhook');

/** WhatsApp's `object`, read in any letter case. */
const WHATSAPP_OBJECT = 'whatsapp_business_account';

/** The envelope of a WhatsApp Business Account webhook (`object` already checked); entries are decoded change by change. */
const WhatsAppWebhook = t.type({ object: t.string, entry: t.array(t.unknown) }, 'WhatsAppWebhook');

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === 'object' && u !== null && !Array.isArray(u);

const itemsOf = (u: unknown): readonly unknown[] => (Array.isArray(u) ? u : []);

/** How another Meta product names its webhooks' `object`: `instagram`, `whatsapp_business_account`, `user`, `permissions`... */
const OBJECT_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/** Whether a body claims to be a WhatsApp webhook: `object` is `whatsapp_business_account` in any letter case. */
const isWhatsAppBody = (json: unknown): boolean =>
  isRecord(json) && typeof json.object === 'string' && json.object.toLowerCase() === WHATSAPP_OBJECT;

/**
 * The `object` of a body that some other Meta product sent to the same callback
 * URL, or null when the body claims to be a Page webhook (`page` in any case: a
 * misspelt Page body stays refused, never silently dropped) or a WhatsApp one
 * (decoded), or names no object callperm could report (absent, not a string,
 * not a short plain name).
 */
const otherObjectOf = (json: unknown): string | null => {
  if (!isRecord(json)) return null;
  const { object } = json;
  if (typeof object !== 'string' || !OBJECT_NAME.test(object)) return null;
  const name = object.toLowerCase();
  return name === 'page' || name === WHATSAPP_OBJECT ? null : object;
};

const pushIf = (events: WebhookEvent[], e: WebhookEvent | null): void => {
  if (e !== null) events.push(e);
};

const decodeEntry = (entry: Readonly<Record<string, unknown>>, events: WebhookEvent[], refuse: RefusalSink): void => {
  const ctx = entryContext(entry);
  // Shape A: the guide puts the reply's fields directly on the entry.
  if ('call_permission_reply' in entry) pushIf(events, decodePermissionReply(entry, entry.call_permission_reply, ctx, refuse));
  for (const item of itemsOf(entry.messaging)) pushIf(events, decodeMessagingItem(item, ctx, refuse));
  // Handover protocol: the app that does not hold thread control gets the same items under `standby`.
  for (const item of itemsOf(entry.standby)) pushIf(events, decodeMessagingItem(item, ctx, refuse));
  for (const item of itemsOf(entry.changes)) events.push(...decodeChangeItem(item, ctx, refuse));
  for (const item of itemsOf(entry.calls)) pushIf(events, decodeCallItem(item, ctx, refuse));
};

/**
 * A decoded delivery: the events to apply, in order, the items refused, by
 * reason, and, for a body of another Meta product, its `object`.
 */
export interface DecodedWebhook {
  readonly events: readonly WebhookEvent[];
  readonly refused: RefusalCounts;
  /**
   * The `object` of a body that is neither a Page webhook nor a WhatsApp one but
   * another product's (`instagram`, `user`, `permissions`...) sharing the callback
   * URL: callperm ignores it whole (no events). Null for a Page or WhatsApp webhook.
   */
  readonly otherObject: string | null;
}

/**
 * Decodes a Page or WhatsApp webhook body like {@link parseWebhook} and tells what it refused:
 * items whose ids are too long or not well-formed (a lone surrogate, NUL, a control
 * character) or whose status text is not, and events past the per-delivery caps
 * (`limits.maxEventsPerDelivery`, `limits.maxThreadsPerDelivery`). The rest of the
 * delivery is kept. Instants are not judged here (that needs a clock: `ingest`
 * does it). Unlike `parseWebhook`, a body of another Meta product on the same
 * callback URL (`object` is a plain name other than `page` and
 * `whatsapp_business_account`, e.g. `instagram`) is no failure: it decodes to no
 * events, with its name in `otherObject`, whatever its `entry` holds. Never
 * throws on any JSON value.
 *
 * @example
 * const r = decodeWebhook(JSON.parse(body));
 * if (r.ok && r.value.refused.id_malformed > 0) console.log('hostile ids refused');
 * if (r.ok && r.value.otherObject !== null) console.log(`ignored a ${r.value.otherObject} webhook`);
 */
export const decodeWebhook = (json: unknown, limits: AdmissionLimits = admissionDefaults): Result<DecodedWebhook, DecodeReport> => {
  const otherObject = otherObjectOf(json);
  if (otherObject !== null) return ok({ events: [], refused: noRefusals, otherObject });
  const whatsapp = isWhatsAppBody(json);
  const body = decodeWith('webhook', whatsapp ? WhatsAppWebhook : PageWebhook, json);
  if (!body.ok) return body;
  const events: WebhookEvent[] = [];
  let counts: Record<RefusalReason, number> | null = null;
  const refuse: RefusalSink = (reason) => {
    counts ??= { ...noRefusals };
    counts[reason] += 1;
  };
  const decode = whatsapp ? decodeWhatsAppEntry : decodeEntry;
  for (const entry of body.value.entry) if (isRecord(entry)) decode(entry, events, refuse);
  const decodeRefusals: RefusalCounts = counts ?? noRefusals;
  if (events.length <= limits.maxEventsPerDelivery && events.length <= limits.maxThreadsPerDelivery) {
    return ok({ events, refused: decodeRefusals, otherObject: null });
  }
  const admitted = admitEvents(events, { now: null, limits, checkIds: false });
  return ok({ events: admitted.accepted, refused: addRefusals(decodeRefusals, admitted.refused), otherObject: null });
};

/**
 * Decodes a Page or WhatsApp webhook body into callperm's events. The envelope must be
 * `{object: "page", entry: [...]}` or `{object: "whatsapp_business_account", entry: [...]}`
 * (any letter case) or the result is a report; inside it decoding is
 * lenient: an entry or item of a shape callperm does not recognise is skipped,
 * unknown fields are ignored, and an item refused for its ids (see
 * {@link decodeWebhook}, which counts them) is left out. It reads
 * `call_permission_reply` in all three documented envelopes (on `entry[]`, in
 * `entry[].messaging[]`, in `entry[].changes[]`), the person acting in the
 * thread (a message that is not an echo, a postback, referral, optin or
 * reaction) from `messaging[]` and from `standby[]` (the handover protocol's
 * copy for the app without thread control), and call events from
 * `entry[].calls[]` and `changes[{field: "calls"}]`. A WhatsApp body is read
 * from `entry[].changes[]`: `messages` (permission replies, what the person
 * writes) and `calls` (calls and their statuses), every thread and call carrying
 * `channel: 'whatsapp'` and the business phone-number id as its `pageId`. Events
 * keep the body's order; each has a dedupe `id` that Meta's retries reproduce,
 * never shared by a Messenger and a WhatsApp event. A body of another Meta product
 * (`object` other than `page` or `whatsapp_business_account`) is a report here;
 * `decodeWebhook` tells it apart instead. Never throws on any JSON value.
 *
 * @example
 * const r = parseWebhook({ object: 'page', entry: [{ sender: { id: '5678' }, recipient: { id: '1234' },
 *   timestamp: 1671644824, call_permission_reply: { response: 'approve', expiration_timestamp: 1672249624 } }] });
 * if (r.ok) r.value[0]?.kind; // 'permission_reply'
 */
export const parseWebhook = (json: unknown): Result<WebhookEvent[], DecodeReport> => {
  const r = decodeWebhook(json, { ...admissionDefaults, maxEventsPerDelivery: Infinity, maxThreadsPerDelivery: Infinity });
  if (!r.ok) return r;
  if (r.value.otherObject === null) return ok([...r.value.events]);
  // Another product's body is no Page webhook here: the envelope's report says where (`$.object`).
  const strict = decodeWith('webhook', PageWebhook, json);
  return strict.ok ? ok([]) : strict;
};
