import { fc, test } from '@fast-check/vitest';
import { isRight } from 'fp-ts/lib/Either.js';
import { describe, expect } from 'vitest';
import { answerInstantOf, anyCaseArb, pageIdArb, timestampEncodingArb, webhookBodyArb, withoutIds } from '../../../testing/src/arbitraries/index.js';
import type { WebhookEventContent } from '../../../testing/src/arbitraries/index.js';
import { decodeWebhook, noRefusals, parseWebhook } from '../../src/index.js';
import { WebhookEventCodec } from '../../src/service/WebhookEventCodec.js';
import type { CallEvent, WebhookEvent } from '../../src/webhookEvent.js';

type Content = WebhookEventContent;
/** One WhatsApp `changes[]` item and the events it must decode to. */
interface Part { readonly change: Record<string, unknown>; readonly expected: readonly Content[] }

const WABA = '366634483210360';
/** A business phone-number id (Page-id-like digits), and its number as people dial it. */
const phoneArb = pageIdArb;
const displayArb = fc.stringMatching(/^1[0-9]{10}$/);
/** The person: a phone number (`wa_id`), never equal to a display number (12 to 15 digits, from 2). */
const waIdArb = fc.stringMatching(/^[2-9][0-9]{11,14}$/);
const bsuidArb = fc.stringMatching(/^[A-Z]{2}\.[0-9]{20}$/);
const wamidArb = fc.stringMatching(/^wamid\.[A-Za-z0-9+/=_-]{20,80}$/);
const wacidArb = fc.stringMatching(/^wacid\.[A-Za-z0-9_-]{20,80}$/);
/** WhatsApp's instants are whole seconds (sent as strings of seconds). */
const secondsArb = fc.integer({ min: 1_000_000_000, max: 4_102_444_799 }).map((s) => s * 1000);

const metadata = (phone: string, display: string) => ({ display_phone_number: display, phone_number_id: phone });
const change = (field: fc.Arbitrary<string>, phone: string, display: string, value: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> =>
  field.map((f) => ({ field: f, value: { messaging_product: 'whatsapp', metadata: metadata(phone, display), ...value } }));

interface ReplySpec {
  readonly phone: string; readonly display: string; readonly person: string; readonly byUserId: boolean; readonly wamid: string;
  readonly at: number; readonly response: 'approve' | 'reject'; readonly permanent: boolean; readonly automatic: boolean;
  readonly expiresAt: number | null;
}

const replySpecArb: fc.Arbitrary<ReplySpec> = fc.record({
  phone: phoneArb, display: displayArb, person: fc.oneof(waIdArb, bsuidArb), byUserId: fc.boolean(), wamid: wamidArb,
  at: secondsArb, response: fc.constantFrom('approve' as const, 'reject' as const), permanent: fc.boolean(), automatic: fc.boolean(),
  expiresAt: fc.option(secondsArb, { nil: null }),
});

const replyContent = (s: ReplySpec): Content => ({
  kind: 'permission_reply', at: s.at, thread: { channel: 'whatsapp', pageId: s.phone, psid: s.person }, response: s.response,
  expiresAt: s.response === 'approve' && !s.permanent ? s.expiresAt : null,
  permanent: s.response === 'approve' && s.permanent, automatic: s.automatic,
});

/** A reply as Meta may write it: enums in any case, instants in seconds or ms, numbers or strings, `is_permanent` a flag or its word. */
const renderReply = (s: ReplySpec): fc.Arbitrary<Part> => fc.record({
  field: anyCaseArb('messages'),
  type: anyCaseArb('interactive'),
  itype: anyCaseArb('call_permission_reply'),
  response: s.response === 'approve' ? anyCaseArb('accept') : anyCaseArb('reject'),
  source: anyCaseArb(s.automatic ? 'automatic' : 'user_action'),
  ts: timestampEncodingArb(s.at),
  exp: s.expiresAt === null ? fc.constantFrom(undefined, null, '') : timestampEncodingArb(s.expiresAt),
  isPermanent: s.permanent ? fc.constantFrom<unknown>(true, 'true', 'TRUE') : fc.constantFrom<unknown>(false, undefined, 'false'),
  context: fc.option(fc.oneof(wamidArb, wacidArb), { nil: undefined }),
}).chain((r) => change(fc.constant(r.field), s.phone, s.display, {
  contacts: [{ profile: { name: 'A person' }, wa_id: s.person }],
  messages: [{
    ...(r.context === undefined ? {} : { context: { from: s.display, id: r.context } }),
    ...(s.byUserId ? { from_user_id: s.person } : { from: s.person }),
    id: s.wamid, timestamp: r.ts, type: r.type,
    interactive: {
      type: r.itype,
      call_permission_reply: {
        response: r.response, response_source: r.source,
        ...(r.isPermanent === undefined ? {} : { is_permanent: r.isPermanent }),
        ...(r.exp === undefined ? {} : { expiration_timestamp: r.exp }),
      },
    },
  }],
}).map((c) => ({ change: c, expected: [{ ...replyContent(s), at: answerInstantOf(s.at, r.ts) }] })));

const MESSAGE_TYPES = ['text', 'image', 'button', 'reaction', 'location', 'interactive', 'unsupported'] as const;
const inboundArb: fc.Arbitrary<Part> = fc.record({
  phone: phoneArb, display: displayArb, person: waIdArb, wamid: wamidArb, at: secondsArb, type: fc.constantFrom(...MESSAGE_TYPES),
}).chain((s) => fc.record({ ts: timestampEncodingArb(s.at), type: anyCaseArb(s.type) }).chain(({ ts, type }) =>
  change(anyCaseArb('messages'), s.phone, s.display, {
    messages: [{ from: s.person, id: s.wamid, timestamp: ts, type, ...(s.type === 'interactive' ? { interactive: { type: 'button_reply', button_reply: { id: 'b', title: 'B' } } } : {}) }],
  })).map((c) => ({ change: c, expected: [{ kind: 'inbound_message', at: s.at, thread: { channel: 'whatsapp', pageId: s.phone, psid: s.person } }] })));

interface CallSpec {
  readonly phone: string; readonly display: string; readonly person: string; readonly callId: string; readonly at: number;
  readonly item: 'connect' | 'terminate' | 'status'; readonly direction: 'business_initiated' | 'user_initiated';
  readonly status: string; readonly duration: number | null;
}

const callSpecArb: fc.Arbitrary<CallSpec> = fc.record({
  phone: phoneArb, display: displayArb, person: waIdArb, callId: wacidArb, at: secondsArb,
  item: fc.constantFrom('connect' as const, 'terminate' as const, 'status' as const),
  direction: fc.constantFrom('business_initiated' as const, 'user_initiated' as const),
  terminateStatus: fc.constantFrom('completed', 'failed'), callStatus: fc.constantFrom('ringing', 'accepted', 'rejected'),
  duration: fc.option(fc.nat({ max: 7200 }), { nil: null }),
}).map(({ terminateStatus, callStatus, ...s }) => ({ ...s, status: s.item === 'status' ? callStatus : terminateStatus }));

const callContent = (s: CallSpec): Omit<CallEvent, 'id'> => ({
  kind: 'call', channel: 'whatsapp', at: s.at, pageId: s.phone, psid: s.person, callId: s.callId,
  event: s.item === 'status' ? 'call_status' : s.item,
  direction: s.item === 'status' ? null : s.direction,
  callStatus: s.item === 'status' ? s.status : null,
  terminateStatus: s.item === 'terminate' ? s.status : null,
  durationSec: s.item === 'terminate' ? s.duration : null,
});

/** A calls change: `event`, `direction` and statuses in any case, instants and durations as numbers or strings. */
const renderCall = (s: CallSpec): fc.Arbitrary<Part> => fc.record({
  ts: timestampEncodingArb(s.at),
  event: anyCaseArb(s.item === 'status' ? 'call' : s.item),
  direction: anyCaseArb(s.direction),
  status: anyCaseArb(s.status),
  duration: s.duration === null ? fc.constantFrom<unknown>(undefined, null, '') : fc.constantFrom<unknown>(s.duration, String(s.duration)),
}).chain((r) => {
  const [from, to] = s.direction === 'business_initiated' ? [s.display, s.person] : [s.person, s.display];
  const value = s.item === 'status'
    ? { statuses: [{ id: s.callId, timestamp: r.ts, type: r.event, status: r.status, recipient_id: s.person }] }
    : { calls: [{
      id: s.callId, from, to, event: r.event, timestamp: r.ts, direction: r.direction,
      ...(s.item === 'terminate' ? { status: r.status, ...(r.duration === undefined ? {} : { duration: r.duration }) } : {}),
    }] };
  return change(anyCaseArb('calls'), s.phone, s.display, value);
}).map((c) => ({ change: c, expected: [callContent(s)] }));

/** Changes that mean nothing: receipts of the business's messages, system messages, other fields, no business number. */
const noiseArb: fc.Arbitrary<Part> = fc.record({ phone: phoneArb, display: displayArb, person: waIdArb, wamid: wamidArb, at: secondsArb })
  .chain((s) => fc.oneof(
    change(fc.constant('messages'), s.phone, s.display, { statuses: [{ id: s.wamid, status: 'read', timestamp: String(s.at / 1000), recipient_id: s.person }] }),
    change(fc.constant('messages'), s.phone, s.display, { messages: [{ from: s.person, id: s.wamid, timestamp: String(s.at / 1000), type: 'system', system: { body: 'x' } }] }),
    change(fc.constant('account_update'), s.phone, s.display, { event: 'VERIFIED_ACCOUNT' }),
    fc.constant({ field: 'messages', value: { messages: [{ from: s.person, id: s.wamid, timestamp: '1739321000', type: 'text' }] } }),
    fc.jsonValue({ maxDepth: 3 }).map((value) => ({ field: 'calls', value: { metadata: metadata(s.phone, s.display), calls: value, statuses: value } })),
  ).map((c) => ({ change: c, expected: [] })));

const partArb = fc.oneof(replySpecArb.chain(renderReply), inboundArb, callSpecArb.chain(renderCall), noiseArb);

/** A whole WhatsApp body (`object` in any case) with the events it must decode to, in order. */
const whatsAppBodyArb = fc.record({
  object: anyCaseArb('whatsapp_business_account'),
  parts: fc.array(fc.array(partArb, { minLength: 1, maxLength: 3 }), { maxLength: 4 }),
}).map(({ object, parts }) => ({
  payload: { object, entry: parts.map((changes) => ({ id: WABA, changes: changes.map((p) => p.change) })) },
  expected: parts.flat().flatMap((p) => p.expected),
}));

const decoded = (payload: unknown): WebhookEvent[] => {
  const r = parseWebhook(payload);
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
};

/** The channel of every thread or call an event names. */
const channelsOf = (e: WebhookEvent): readonly (string | undefined)[] => {
  if (e.kind === 'call') return [e.channel];
  if (e.kind === 'page_settings') return [undefined];
  return [e.thread.channel];
};

describe('WhatsApp webhooks', () => {
  test.prop([whatsAppBodyArb])('decode to the events they mean, in order, nothing refused', ({ payload, expected }) => {
    expect(withoutIds(decoded(payload))).toEqual(expected);
    const r = decodeWebhook(payload);
    expect(r.ok && r.value.refused).toEqual(noRefusals);
  });

  test.prop([replySpecArb.chain((s) => fc.tuple(renderReply(s), renderReply(s)))])(
    'a reply keeps its id whatever the casing of its enums and whether its instants are strings or numbers, seconds or ms',
    ([first, second]) => {
      const [a, b] = [first, second].map((p) => decoded({ object: 'whatsapp_business_account', entry: [{ id: WABA, changes: [p.change] }] }));
      expect(a).toHaveLength(1);
      expect(a?.[0]?.id).toBe(b?.[0]?.id);
    },
  );

  test.prop([callSpecArb.chain((s) => fc.tuple(renderCall(s), renderCall(s)))])('a call item keeps its id across renderings', ([first, second]) => {
    const [a, b] = [first, second].map((p) => decoded({ object: 'WHATSAPP_BUSINESS_ACCOUNT', entry: [{ changes: [p.change] }] }));
    expect(a).toHaveLength(1);
    expect(a?.[0]?.id).toBe(b?.[0]?.id);
  });

  test.prop([whatsAppBodyArb])('two events share an id only when they are the same event', ({ payload }) => {
    const events = decoded(payload);
    for (const a of events) for (const b of events) if (a.id === b.id) expect(withoutIds([a])).toEqual(withoutIds([b]));
  });

  test.prop([fc.oneof(
    whatsAppBodyArb.map(({ payload }) => payload as unknown),
    fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 4 }).map((entry) => ({ object: 'whatsapp_business_account', entry })),
    fc.array(partArb.map((p) => p.change), { maxLength: 4 }).chain((changes) => fc.jsonValue({ maxDepth: 2 })
      .map((junk) => ({ object: 'whatsapp_business_account', entry: [{ changes: [...changes, junk] }, junk] }))),
  )])('a WhatsApp body never yields a thread or call without channel whatsapp', (payload) => {
    for (const e of decoded(payload)) expect(channelsOf(e)).toEqual(['whatsapp']);
  });

  test.prop([fc.oneof(
    webhookBodyArb.map(({ payload }) => payload),
    fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 4 }).map((entry) => ({ object: 'page', entry })),
    // WhatsApp's changes inside a Page body are read as Page changes, never as WhatsApp ones.
    fc.array(partArb.map((p) => p.change), { maxLength: 4 }).map((changes) => ({ object: 'page', entry: [{ id: '106378625516323', time: 1671644824, changes }] })),
  )])('a Messenger body never yields a thread or call with a channel', (payload) => {
    for (const e of decoded(payload)) {
      expect(channelsOf(e)).toEqual([undefined]);
      if (e.kind === 'call') expect(e).not.toHaveProperty('channel');
      if (e.kind !== 'call' && e.kind !== 'page_settings') expect(e.thread).not.toHaveProperty('channel');
      if (e.kind === 'permission_reply') expect(Object.keys(e)).not.toContain('permanent');
    }
  });

  test.prop([webhookBodyArb, whatsAppBodyArb])('Messenger and WhatsApp events never share an id', (messenger, whatsapp) => {
    const ids = new Set(decoded(messenger.payload).map((e) => e.id));
    for (const e of decoded(whatsapp.payload)) expect(ids.has(e.id)).toBe(false);
  });

  test.prop([fc.record({ page: pageIdArb, person: waIdArb, at: secondsArb, callId: wacidArb, wamid: wamidArb })])(
    'the same ids and instant on both channels give different ids',
    ({ page, person, at, callId, wamid }) => {
      const s = String(at / 1000);
      const messenger = decoded({ object: 'page', entry: [{ id: page, time: at, messaging: [
        { sender: { id: person }, recipient: { id: page }, timestamp: at, message: { mid: wamid, text: 'hi' } },
        { sender: { id: person }, recipient: { id: page }, timestamp: at, call_permission_reply: { response: 'accept' } },
      ], calls: [{ id: callId, event: 'call_status', timestamp: at, call_status: 'accepted', recipient_id: person }] }] });
      const value = { metadata: { phone_number_id: page } };
      const whatsapp = decoded({ object: 'whatsapp_business_account', entry: [{ changes: [
        { field: 'messages', value: { ...value, messages: [
          { from: person, id: wamid, timestamp: s, type: 'text' },
          { from: person, timestamp: s, type: 'interactive', interactive: { type: 'call_permission_reply', call_permission_reply: { response: 'accept' } } },
        ] } },
        { field: 'calls', value: { ...value, statuses: [{ id: callId, type: 'call', status: 'ACCEPTED', timestamp: s, recipient_id: person }] } },
      ] }] });
      expect(messenger).toHaveLength(3);
      expect(whatsapp).toHaveLength(3);
      expect(withoutIds(whatsapp).map((e) => e.kind)).toEqual(withoutIds(messenger).map((e) => e.kind));
      for (const e of whatsapp) expect(messenger.map((m) => m.id)).not.toContain(e.id);
    },
  );

  test.prop([whatsAppBodyArb])('every decoded WhatsApp event round-trips through the inbox codec', ({ payload }) => {
    for (const e of decoded(payload)) {
      const back = WebhookEventCodec.decode(JSON.parse(JSON.stringify(WebhookEventCodec.encode(e))));
      expect(isRight(back) ? back.right : null).toEqual(e);
    }
  });
});
