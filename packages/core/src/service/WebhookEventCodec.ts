import * as t from 'io-ts';
import type { WebhookEvent } from '../webhookEvent.js';

const nullable = <C extends t.Mixed>(c: C) => t.union([c, t.null]);
/** `channel` is absent on Messenger (and on every event stored before WhatsApp existed). */
const channel = t.partial({ channel: t.literal('whatsapp') });
const thread = t.readonly(t.intersection([t.type({ pageId: t.string, psid: t.string }), channel]));
const base = { id: t.string, at: t.number };

const reply = t.readonly(t.intersection([
  t.type({
    ...base, kind: t.literal('permission_reply'), thread,
    response: t.keyof({ approve: null, reject: null }), expiresAt: nullable(t.number),
  }),
  t.partial({ permanent: t.boolean, automatic: t.boolean }),
]));
const inbound = t.readonly(t.type({ ...base, kind: t.literal('inbound_message'), thread }));
const call = t.readonly(t.intersection([
  t.type({
    ...base, kind: t.literal('call'), pageId: t.string, psid: nullable(t.string), callId: t.string,
    event: t.keyof({ connect: null, call_status: null, media_update: null, terminate: null }),
    direction: nullable(t.keyof({ business_initiated: null, user_initiated: null })),
    callStatus: nullable(t.string), terminateStatus: nullable(t.string), durationSec: nullable(t.number),
  }),
  channel,
]));
const implicit = t.readonly(t.type({
  ...base, kind: t.literal('implicit_grant'), thread, cause: t.keyof({ connected_call: null, missed_call: null }),
}));

const pageSettings = t.readonly(t.type({ ...base, kind: t.literal('page_settings'), pageId: t.string }));

/**
 * io-ts codec of a decoded {@link WebhookEvent}: what the inbox stores is checked
 * when it is read back, like every record. WhatsApp's fields (`thread.channel`,
 * `CallEvent.channel`, a reply's `permanent` and `automatic`) are optional, so
 * events stored before them still decode.
 *
 * @example
 * import { isRight } from 'fp-ts/lib/Either.js';
 * isRight(WebhookEventCodec.decode({ kind: 'inbound_message', id: 'm', at: 1, thread: { pageId: '1', psid: '2' } })); // true
 */
export const WebhookEventCodec: t.Type<WebhookEvent, WebhookEvent, unknown> = t.union(
  [reply, inbound, call, implicit, pageSettings],
  'WebhookEvent',
);
