import { isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { admitEvents, decodeWebhook, parsePermissionCheck, parseWebhook } from '../../src/codecs/index.js';
import type { Result } from '../../src/result.js';
import { WebhookEventCodec } from '../../src/service/WebhookEventCodec.js';
import type { CallEvent, WebhookEvent } from '../../src/webhookEvent.js';
import { fixture } from './fixture.js';

/** Values of the fixtures under `fixtures/whatsapp/` (shaped on Meta's WhatsApp calling samples, facts §9). */
const PHONE = '436666719526789';
const DISPLAY = '13175551399';
const USER = '12185552828';
const BSUID = 'US.13491208655302741918';
const WACID = 'wacid.HBgLMTIxODU1NTI4MjgVAgARGCAyODRQIAFRoA';
const WACID_IN = 'wacid.ABGGFjFVU2AfAgo6V-Hc5eCgK5Gh';
const S = 1000;
const thread = { channel: 'whatsapp', pageId: PHONE, psid: USER } as const;

const value = <T, E>(r: Result<T, E>): T => {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
};

const wa = (name: string): unknown => fixture(`whatsapp/${name}`);
const events = (name: string): WebhookEvent[] => value(parseWebhook(wa(name)));
const withoutIds = (es: readonly WebhookEvent[]): unknown[] => es.map(({ id: _id, ...rest }) => rest);
const check = (name: string) => value(parsePermissionCheck(wa(name)));

describe('WhatsApp permission check fixtures (GET /{phone-number-id}/call_permissions)', () => {
  it('no_permission, nothing used: a request may be sent, no call placed', () => {
    expect(check('check-no-permission.json')).toEqual({
      status: 'no_permission', rawStatus: 'no_permission', expiresAt: null,
      request: { canPerform: true, limits: [{ period: 'PT24H', max: 1, used: 0 }, { period: 'P7D', max: 2, used: 0 }] },
      startCall: { canPerform: false, limits: [{ period: 'PT24H', max: 5, used: 0 }] },
    });
  });

  it('no_permission with both request limits used up: each says when it frees (number or string seconds)', () => {
    expect(check('check-no-permission-limits-exhausted.json')).toEqual({
      status: 'no_permission', rawStatus: 'no_permission', expiresAt: null,
      request: { canPerform: false, limits: [
        { period: 'PT24H', max: 1, used: 1, freesAt: 1745400000 * S },
        { period: 'P7D', max: 2, used: 2, freesAt: 1745900000 * S },
      ] },
      startCall: { canPerform: false, limits: [{ period: 'PT24H', max: 5, used: 0 }] },
    });
  });

  it('temporary: has_permission, not permanent, expiring at expiration_time', () => {
    expect(check('check-temporary.json')).toEqual({
      status: 'has_permission', rawStatus: 'temporary', expiresAt: 1745343479 * S, permanent: false,
      request: { canPerform: false, limits: [
        { period: 'PT24H', max: 1, used: 1, freesAt: 1744820000 * S },
        { period: 'P7D', max: 2, used: 1 },
      ] },
      startCall: { canPerform: true, limits: [{ period: 'PT24H', max: 5, used: 1 }] },
    });
  });

  it('TEMPORARY with the field table\'s `expiration` (a numeric string) reads the same expiry', () => {
    const r = check('check-temporary-expiration-field.json');
    expect([r.status, r.rawStatus, r.expiresAt, r.permanent]).toEqual(['has_permission', 'TEMPORARY', 1745343479 * S, false]);
  });

  it('temporary with every limit used up, start_call included', () => {
    expect(check('check-temporary-call-limit-exhausted.json')).toEqual({
      status: 'has_permission', rawStatus: 'temporary', expiresAt: 1745343479 * S, permanent: false,
      request: { canPerform: false, limits: [
        { period: 'PT24H', max: 1, used: 1, freesAt: 1744820000 * S },
        { period: 'P7D', max: 2, used: 2, freesAt: 1745300000 * S },
      ] },
      startCall: { canPerform: false, limits: [{ period: 'PT24H', max: 5, used: 5, freesAt: 1744830000 * S }] },
    });
  });

  it('permanent: has_permission with no expiry', () => {
    expect(check('check-permanent.json')).toEqual({
      status: 'has_permission', rawStatus: 'permanent', expiresAt: null, permanent: true,
      request: { canPerform: false, limits: [{ period: 'PT24H', max: 1, used: 0 }, { period: 'P7D', max: 2, used: 0 }] },
      startCall: { canPerform: true, limits: [{ period: 'PT24H', max: 100, used: 3 }] },
    });
  });

  it('Permanent with the connected-call quota used up', () => {
    expect(check('check-permanent-call-limit-exhausted.json')).toEqual({
      status: 'has_permission', rawStatus: 'Permanent', expiresAt: null, permanent: true,
      request: { canPerform: false, limits: [] },
      startCall: { canPerform: false, limits: [{ period: 'PT24H', max: 100, used: 100, freesAt: 1744830000 * S }] },
    });
  });

  it('a permanent status ignores any expiry sent with it; unknown statuses stay no_permission with the raw value', () => {
    const permanent = parsePermissionCheck({ permission: { status: 'PERMANENT', expiration_time: 1745343479 }, actions: [] });
    expect(permanent.ok && [permanent.value.expiresAt, permanent.value.permanent]).toEqual([null, true]);
    const unknown = value(parsePermissionCheck({ messaging_product: 'whatsapp', permission: { status: 'expired' } }));
    expect(unknown).toEqual({ status: 'no_permission', rawStatus: 'expired', expiresAt: null, request: null, startCall: null });
  });

  it('expiration_time wins over expiration; null or empty limit_expiration_time means no freesAt; an unreadable one is reported', () => {
    const both = value(parsePermissionCheck({ permission: { status: 'temporary', expiration_time: 1745343479, expiration: 1 } }));
    expect(both.expiresAt).toBe(1745343479 * S);
    const empty = value(parsePermissionCheck({ permission: { status: 'no_permission' }, actions: [{
      action_name: 'start_call', can_perform_action: true,
      limits: [{ time_period: 'PT24H', max_allowed: 5, current_usage: 0, limit_expiration_time: null },
        { time_period: 'P7D', max_allowed: 5, current_usage: 0, limit_expiration_time: '' }],
    }] }));
    expect(empty.startCall).toEqual({ canPerform: true, limits: [{ period: 'PT24H', max: 5, used: 0 }, { period: 'P7D', max: 5, used: 0 }] });
    const bad = parsePermissionCheck({ permission: { status: 'no_permission' }, actions: [{
      action_name: 'start_call', can_perform_action: true, limits: [{ time_period: 'PT24H', max_allowed: 5, current_usage: 5, limit_expiration_time: 'soon' }],
    }] });
    expect(bad.ok ? null : bad.error.issues[0]?.path).toBe('$.actions.0.limits.0.limit_expiration_time');
  });
});

describe('WhatsApp call_permission_reply fixtures (messages[].interactive)', () => {
  // Each reply's time is a string of whole seconds: it reads as the last millisecond of that second.
  const reply = (over: Record<string, unknown>) => ({
    kind: 'permission_reply', thread, response: 'approve', expiresAt: null, permanent: false, automatic: false, ...over,
  });

  it('accept, temporary: expires at expiration_timestamp', () => {
    expect(withoutIds(events('reply-accept-temporary.json'))).toEqual([
      reply({ at: 1739321024 * S + 999, expiresAt: 1739925824 * S }),
    ]);
  });

  it('accept, permanent: no expiry', () => {
    expect(withoutIds(events('reply-accept-permanent.json'))).toEqual([reply({ at: 1739321030 * S + 999, permanent: true })]);
  });

  it('reject', () => {
    expect(withoutIds(events('reply-reject.json'))).toEqual([reply({ at: 1739321040 * S + 999, response: 'reject' })]);
  });

  it('automatic grant after a call (context.id is the wacid)', () => {
    expect(withoutIds(events('reply-automatic-grant.json'))).toEqual([
      reply({ at: 1749197010 * S + 999, expiresAt: 1749801810 * S, automatic: true }),
    ]);
  });

  it('automatic revocation after unanswered calls (no context)', () => {
    expect(withoutIds(events('reply-automatic-revocation.json'))).toEqual([
      reply({ at: 1749300000 * S + 999, response: 'reject', automatic: true }),
    ]);
  });

  it('a reply naming the person by business-scoped id only (no from)', () => {
    expect(withoutIds(events('reply-bsuid-only.json'))).toEqual([
      reply({ at: 1739321050 * S + 999, expiresAt: 1739925850 * S, thread: { ...thread, psid: BSUID } }),
    ]);
  });

  it('each reply has its own id; none is a Messenger id', () => {
    const ids = ['reply-accept-temporary.json', 'reply-accept-permanent.json', 'reply-reject.json', 'reply-automatic-grant.json',
      'reply-automatic-revocation.json', 'reply-bsuid-only.json'].map((f) => events(f)[0]?.id);
    expect(new Set(ids).size).toBe(6);
    for (const id of ids) expect(id).toMatch(/^permission_reply:whatsapp:/);
  });
});

describe('WhatsApp messages fixtures', () => {
  it('a text from the person opens the window on the WhatsApp thread', () => {
    expect(withoutIds(events('message-text.json'))).toEqual([{ kind: 'inbound_message', at: 1739321000 * S, thread }]);
  });

  it('statuses of the business\'s own messages give nothing', () => {
    expect(events('message-statuses.json')).toEqual([]);
  });
});

describe('WhatsApp calls fixtures (field calls)', () => {
  const call = (over: Partial<CallEvent>): Omit<CallEvent, 'id'> => ({
    kind: 'call', channel: 'whatsapp', at: 0, pageId: PHONE, psid: USER, callId: WACID, event: 'connect',
    direction: null, callStatus: null, terminateStatus: null, durationSec: null, ...over,
  });

  it('connect, business-initiated: the person is `to`', () => {
    expect(withoutIds(events('calls-connect-business-initiated.json'))).toEqual([
      call({ at: 1749196895 * S, direction: 'business_initiated' }),
    ]);
  });

  it('connect, user-initiated: the person is `from`', () => {
    expect(withoutIds(events('calls-connect-user-initiated.json'))).toEqual([
      call({ at: 1749196950 * S, callId: WACID_IN, direction: 'user_initiated' }),
    ]);
  });

  it('statuses RINGING, ACCEPTED, REJECTED read as call_status, lower-cased, like Messenger\'s', () => {
    expect(withoutIds([
      ...events('calls-status-ringing.json'), ...events('calls-status-accepted.json'), ...events('calls-status-rejected.json'),
    ])).toEqual([
      call({ event: 'call_status', at: 1749196896 * S, callStatus: 'ringing' }),
      call({ event: 'call_status', at: 1749196905 * S, callStatus: 'accepted' }),
      call({ event: 'call_status', at: 1749196910 * S, callStatus: 'rejected' }),
    ]);
  });

  it('terminate COMPLETED, business-initiated: the duration connected', () => {
    expect(withoutIds(events('calls-terminate-completed-business-initiated.json'))).toEqual([
      call({ event: 'terminate', at: 1749197010 * S, direction: 'business_initiated', terminateStatus: 'completed', durationSec: 105 }),
    ]);
  });

  it('terminate COMPLETED, user-initiated', () => {
    expect(withoutIds(events('calls-terminate-completed-user-initiated.json'))).toEqual([
      call({ event: 'terminate', at: 1749197020 * S, callId: WACID_IN, direction: 'user_initiated', terminateStatus: 'completed', durationSec: 60 }),
    ]);
  });

  it('terminate FAILED: no duration', () => {
    expect(withoutIds(events('calls-terminate-failed.json'))).toEqual([
      call({ event: 'terminate', at: 1749196940 * S, direction: 'business_initiated', terminateStatus: 'failed' }),
    ]);
  });

  it('every call item has its own id, none a Messenger id', () => {
    const ids = ['calls-connect-business-initiated.json', 'calls-connect-user-initiated.json', 'calls-status-ringing.json',
      'calls-status-accepted.json', 'calls-status-rejected.json', 'calls-terminate-completed-business-initiated.json',
      'calls-terminate-completed-user-initiated.json', 'calls-terminate-failed.json'].map((f) => events(f)[0]?.id);
    expect(new Set(ids).size).toBe(8);
    for (const id of ids) expect(id).toMatch(/^call:whatsapp:/);
  });
});

/** A WhatsApp body with the given change. */
const body = (field: string, val: Record<string, unknown>, object = 'whatsapp_business_account') => ({
  object, entry: [{ id: '366634483210360', changes: [{ field, value: { messaging_product: 'whatsapp', metadata: { display_phone_number: DISPLAY, phone_number_id: PHONE }, ...val } }] }],
});
const text = (from: unknown, id = 'wamid.X1', type: unknown = 'text') => ({ from, id, timestamp: '1739321000', type, text: { body: 'hi' } });

describe('decoding WhatsApp bodies', () => {
  it('reads the object in any letter case, and is no other product', () => {
    for (const object of ['whatsapp_business_account', 'WHATSAPP_BUSINESS_ACCOUNT', 'WhatsApp_Business_Account']) {
      const r = decodeWebhook(body('messages', { messages: [text(USER)] }, object));
      expect(r.ok && [r.value.otherObject, r.value.events.length]).toEqual([null, 1]);
    }
    const noEntries = parseWebhook({ object: 'whatsapp_business_account' });
    expect(noEntries.ok ? null : noEntries.error.issues[0]?.path).toBe('$.entry');
  });

  it('every kind of message from the person opens the window; system messages and unreadable replies do not', () => {
    const kinds = ['text', 'image', 'audio', 'document', 'sticker', 'location', 'contacts', 'button', 'reaction', 'order', 'unsupported', 'REQUEST_WELCOME'];
    const messages = kinds.map((type, i) => text(USER, `wamid.K${i}`, type));
    const interactive = { from: USER, id: 'wamid.LR', timestamp: '1739321001', type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'a', title: 'A' } } };
    const system = { from: USER, id: 'wamid.SY', timestamp: '1739321002', type: 'system', system: { body: 'changed number', type: 'user_changed_number' } };
    const badReply = { from: USER, id: 'wamid.BR', timestamp: '1739321003', type: 'interactive', interactive: { type: 'call_permission_reply', call_permission_reply: { response: 'maybe' } } };
    const noType = { from: USER, id: 'wamid.NT', timestamp: '1739321004' };
    const noPerson = { id: 'wamid.NP', timestamp: '1739321005', type: 'text' };
    const noTime = { from: USER, id: 'wamid.NI', type: 'text' };
    const es = value(parseWebhook(body('messages', { messages: [...messages, interactive, system, badReply, noType, noPerson, noTime] })));
    expect(es.map((e) => e.kind)).toEqual([...kinds.map(() => 'inbound_message'), 'inbound_message']);
    expect(new Set(es.map((e) => e.id)).size).toBe(es.length);
  });

  it('skips a change naming no business phone number, other fields, and calls items it does not know', () => {
    const noMetadata = { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { messages: [text(USER)] } }] }] };
    expect(value(parseWebhook(noMetadata))).toEqual([]);
    expect(value(parseWebhook(body('message_template_status_update', { messages: [text(USER)] })))).toEqual([]);
    const unknown = value(parseWebhook(body('calls', {
      calls: [{ id: WACID, event: 'media_update', timestamp: '1749196895' }, { id: WACID, event: 'connect' }],
      statuses: [{ id: WACID, type: 'message', status: 'RINGING', timestamp: '1749196895' }, { id: WACID, type: 'call', status: 'BUSY', timestamp: '1749196895' }],
    })));
    expect(unknown).toEqual([]);
  });

  it('never takes entry.id (the WhatsApp Business Account) for the business number', () => {
    const es = value(parseWebhook(body('messages', { messages: [text(USER)] })));
    expect(es[0]?.kind === 'inbound_message' && es[0].thread.pageId).toBe(PHONE);
  });

  it('with no direction, the person is the end that is not the business display number', () => {
    const es = value(parseWebhook(body('calls', { calls: [
      { id: WACID, from: USER, to: DISPLAY, event: 'connect', timestamp: '1749196895' },
      { id: WACID, from: DISPLAY, to: USER, event: 'terminate', timestamp: '1749196999', status: 'Completed' },
      { id: WACID, from: '1', to: '2', event: 'terminate', timestamp: '1749197000', status: 'Completed' },
    ] })));
    expect(es.map((e) => (e.kind === 'call' ? e.psid : undefined))).toEqual([USER, USER, null]);
  });

  it('refuses and counts items with ids too long or not well-formed, and statuses that are not short text', () => {
    const long = '9'.repeat(300);
    const r = decodeWebhook({ object: 'whatsapp_business_account', entry: [
      { changes: [{ field: 'messages', value: { metadata: { phone_number_id: '9'.repeat(65) }, messages: [text(USER)] } }] },
      { changes: [{ field: 'messages', value: { metadata: { phone_number_id: PHONE }, messages: [text('12\u0000'), text(USER, long), text(USER, 'wamid.ok')] } }] },
      { changes: [{ field: 'calls', value: { metadata: { phone_number_id: PHONE }, calls: [
        { id: long, from: USER, to: DISPLAY, event: 'connect', timestamp: '1749196895', direction: 'USER_INITIATED' },
        { id: WACID, from: '\ud800', to: DISPLAY, event: 'connect', timestamp: '1749196895', direction: 'USER_INITIATED' },
        { id: WACID, event: 'terminate', timestamp: '1749196999', status: 'x'.repeat(65), direction: 'USER_INITIATED', from: USER },
      ], statuses: [{ id: WACID, type: 'call', status: 'ACCEPTED', timestamp: '1749196895', recipient_id: '1'.repeat(65) }] } }] },
    ] });
    expect(r.ok && r.value.events.length).toBe(1);
    expect(r.ok && r.value.refused).toEqual({
      id_too_long: 4, id_malformed: 2, field_malformed: 1, implausible_instant: 0, too_many_events: 0, too_many_threads: 0,
    });
  });

  it('the Messenger items inside a WhatsApp body are not read (entry.messaging, entry.calls)', () => {
    const r = value(parseWebhook({ object: 'whatsapp_business_account', entry: [{
      id: '1', time: 1671644824,
      messaging: [{ sender: { id: '5' }, recipient: { id: '1' }, timestamp: 1671644824, message: { mid: 'm_1', text: 'hi' } }],
      calls: [{ id: 'c_1', event: 'terminate', timestamp: 1671644824, status: 'Failed' }],
    }] }));
    expect(r).toEqual([]);
  });
});

describe('WhatsApp events next to Messenger ones', () => {
  it('a WhatsApp thread and a Messenger thread with the same ids count as two threads at admission', () => {
    const waEvents = value(parseWebhook(body('messages', { messages: [text(USER)] })));
    const msEvents = value(parseWebhook({ object: 'page', entry: [{ id: PHONE, time: 1739321000, messaging: [
      { sender: { id: USER }, recipient: { id: PHONE }, timestamp: 1739321000000, message: { mid: 'wamid.X1', text: 'hi' } },
    ] }] }));
    const both = [...waEvents, ...msEvents];
    expect(both).toHaveLength(2);
    expect(new Set(both.map((e) => e.id)).size).toBe(2);
    const limits = { maxEventsPerDelivery: 10, maxThreadsPerDelivery: 1, horizonMs: Infinity, skewMs: Infinity };
    expect(admitEvents(both, { now: null, limits }).refused.too_many_threads).toBe(1);
  });

  it('a WhatsApp call and a Messenger call with the same ids are two threads (and two calls when no person is named)', () => {
    const limits = { maxEventsPerDelivery: 10, maxThreadsPerDelivery: 1, horizonMs: Infinity, skewMs: Infinity };
    const wa = events('calls-status-accepted.json')[0] as CallEvent;
    const { channel: _channel, ...messenger } = { ...wa, id: 'call:messenger' };
    expect(admitEvents([wa, messenger], { now: null, limits }).refused.too_many_threads).toBe(1);
    const anonymous = [{ ...wa, psid: null }, { ...messenger, psid: null }];
    expect(admitEvents(anonymous, { now: null, limits }).refused.too_many_threads).toBe(1);
    // The reply and the call of one WhatsApp thread are one thread.
    const replyEvent = events('reply-accept-temporary.json')[0] as WebhookEvent;
    expect(admitEvents([replyEvent, wa], { now: null, limits }).refused.too_many_threads).toBe(0);
  });
});

describe('WhatsApp events in the inbox (WebhookEventCodec)', () => {
  const all = [
    'reply-accept-temporary.json', 'reply-accept-permanent.json', 'reply-automatic-revocation.json', 'message-text.json',
    'calls-connect-business-initiated.json', 'calls-status-accepted.json', 'calls-terminate-failed.json',
  ].flatMap(events);

  it('round-trip unchanged: channel, permanent and automatic kept', () => {
    for (const e of all) {
      const back = WebhookEventCodec.decode(JSON.parse(JSON.stringify(WebhookEventCodec.encode(e))));
      expect(isRight(back) ? back.right : back).toEqual(e);
    }
  });

  it('events stored before WhatsApp (no channel, permanent or automatic) still decode', () => {
    const old = [
      { kind: 'permission_reply', id: 'r', at: 1, thread: { pageId: '1', psid: '2' }, response: 'approve', expiresAt: null },
      { kind: 'inbound_message', id: 'm', at: 1, thread: { pageId: '1', psid: '2' } },
      { kind: 'call', id: 'c', at: 1, pageId: '1', psid: null, callId: 'c_1', event: 'terminate', direction: null, callStatus: null, terminateStatus: 'failed', durationSec: null },
    ];
    for (const e of old) expect(isRight(WebhookEventCodec.decode(e))).toBe(true);
  });

  it('refuses a channel it does not know and non-boolean flags', () => {
    const [reply] = all;
    expect(isRight(WebhookEventCodec.decode({ ...reply, thread: { pageId: '1', psid: '2', channel: 'telegram' } }))).toBe(false);
    expect(isRight(WebhookEventCodec.decode({ ...reply, permanent: 'yes' }))).toBe(false);
    expect(isRight(WebhookEventCodec.decode({ ...reply, automatic: 1 }))).toBe(false);
  });
});
