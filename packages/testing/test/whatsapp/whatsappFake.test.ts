import { describe, expect, it } from 'vitest';
import { graph, OFFER } from '../fakeGraph/callRequests.js';
import { fakePerTest } from '../fakeGraph/startFake.js';
import { fakeWhatsAppErrors, whatsappThread, type FakeGraphApi } from '@callperm/testing';

const NUMBER = '1065';
const WA = '4915112345678';
const thread = whatsappThread(NUMBER, WA);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const sec = (ms: number) => Math.floor(ms / 1000);

const start = fakePerTest();
const startWa = (options = {}) => start({ whatsappNumbers: [NUMBER], ...options });

const check = (f: FakeGraphApi, query = `user_wa_id=${WA}`) => graph(f, 'GET', `/v23.0/${NUMBER}/call_permissions?${query}`);
const request = (f: FakeGraphApi, to = WA) => graph(f, 'POST', `/v23.0/${NUMBER}/messages`, {
  messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'interactive',
  interactive: { type: 'call_permission_request', action: { name: 'call_permission_request' }, body: { text: 'May we call you?' } },
});
const connect = (f: FakeGraphApi, to = WA) => graph(f, 'POST', `/v23.0/${NUMBER}/calls`, {
  messaging_product: 'whatsapp', to, action: 'connect', session: { sdp_type: 'offer', sdp: OFFER },
});
/** A call the business places and the person picks up, then hangs up: a connected call. */
const connectedCall = async (f: FakeGraphApi): Promise<string> => {
  const r = await connect(f);
  expect(r.status).toBe(200);
  const id = (r.json.calls as { id: string }[])[0]!.id;
  expect(f.answerCall(id)).toBe(true);
  f.clock.advance(60_000);
  expect(f.endCall(id, 'hung_up')).toBeDefined();
  return id;
};
const waError = (e: { status: number; body: { error: { code: number; message: string } } }) => ({
  status: e.status,
  json: { error: { ...e.body.error, error_data: { messaging_product: 'whatsapp', details: expect.any(String) as unknown }, fbtrace_id: expect.any(String) as unknown } },
});
const requestAction = (r: { json: Record<string, unknown> }) => (r.json.actions as Record<string, unknown>[])[0]!;
const callAction = (r: { json: Record<string, unknown> }) => (r.json.actions as Record<string, unknown>[])[1]!;

describe('GET /{phone-number-id}/call_permissions (facts §9.1)', () => {
  it('answers no_permission with both actions and their limits for a new pair', async () => {
    const f = await startWa();
    const r = await check(f);
    expect(r).toEqual({
      status: 200,
      json: {
        messaging_product: 'whatsapp',
        permission: { status: 'no_permission' },
        actions: [
          {
            action_name: 'send_call_permission_request', can_perform_action: true,
            limits: [{ time_period: 'PT24H', max_allowed: 1, current_usage: 0 }, { time_period: 'P7D', max_allowed: 2, current_usage: 0 }],
          },
          { action_name: 'start_call', can_perform_action: false, limits: [{ time_period: 'PT24H', max_allowed: 100, current_usage: 0 }] },
        ],
      },
    });
    expect(f.requests.map((q) => q.endpoint)).toEqual(['check']);
  });

  it('reports temporary with expiration_time, permanent without, and reads recipient= too', async () => {
    const f = await startWa();
    f.grant(thread);
    const t = await check(f, `recipient=%2B${WA}`);
    expect(t.json.permission).toEqual({ status: 'temporary', expiration_time: sec(f.clock.now() + 7 * DAY) });
    expect(callAction(t).can_perform_action).toBe(true);
    f.grant(thread, null);
    const p = await check(f);
    expect(p.json.permission).toEqual({ status: 'permanent' });
    expect(requestAction(p).can_perform_action).toBe(false);
    expect(callAction(p).can_perform_action).toBe(true);
  });

  it('refuses a check naming no person with 100', async () => {
    const f = await startWa();
    expect(await check(f, '')).toEqual(waError(fakeWhatsAppErrors.invalidParameter));
  });
});

describe('POST /{phone-number-id}/messages call_permission_request (facts §9.2)', () => {
  it('sends inside the service window, answering in WhatsApp\'s shape and recording it with the channel', async () => {
    const f = await startWa();
    f.inbound(thread);
    const r = await request(f, `+${WA}`);
    expect(r.status).toBe(200);
    const id = (r.json.messages as { id: string }[])[0]!.id;
    expect(r.json).toEqual({ messaging_product: 'whatsapp', contacts: [{ input: `+${WA}`, wa_id: WA }], messages: [{ id: expect.stringMatching(/^wamid\./) }] });
    expect(f.sends).toEqual([{ seq: 2, at: f.clock.now(), pageId: NUMBER, psid: WA, outcome: 'accepted', messageId: id, channel: 'whatsapp', message: 'interactive' }]);
    expect(f.optIns.map((o) => [o.thread, o.messageId])).toEqual([[thread, id]]);
  });

  it('refuses outside the 24 h window with 131047 and a bad body with 100', async () => {
    const f = await startWa();
    expect(await request(f)).toEqual(waError(fakeWhatsAppErrors.reengagement));
    f.inbound(thread);
    f.clock.advance(DAY);
    expect((await request(f)).json.error).toMatchObject({ code: 131047 });
    f.inbound(thread);
    const bad = await graph(f, 'POST', `/v23.0/${NUMBER}/messages`, { messaging_product: 'whatsapp', to: WA, type: 'text', text: { body: 'hi' } });
    expect(bad).toEqual(waError(fakeWhatsAppErrors.invalidParameter));
    expect(f.sends.map((s) => [s.outcome, s.refusal, s.code, s.channel])).toEqual([
      ['refused', 'outside_window', 131047, 'whatsapp'], ['refused', 'outside_window', 131047, 'whatsapp'], ['refused', 'invalid', 100, 'whatsapp'],
    ]);
  });

  it('takes the template request outside the window, and counts it in the same limits as the interactive one', async () => {
    const f = await startWa();
    const template = (name = 'call_permission_ask') => graph(f, 'POST', `/v23.0/${NUMBER}/messages`, {
      messaging_product: 'whatsapp', recipient_type: 'individual', to: WA, type: 'template', template: { name, language: { code: 'en_US' } },
    });
    expect((await template()).status).toBe(200); // the person never wrote
    f.clock.advance(HOUR);
    f.inbound(thread);
    expect((await request(f)).json.error).toMatchObject({ code: 138009 }); // 1 per 24 h, template and interactive together
    f.clock.advance(DAY);
    expect((await template('')).json.error).toMatchObject({ code: 100 }); // a template needs its name
    expect((await request(f)).json.error).toMatchObject({ code: 131047 });
    expect((await template()).status).toBe(200);
    expect(f.sends.map((s) => [s.outcome, s.refusal ?? s.message])).toEqual([
      ['accepted', 'template'], ['refused', 'request_limit'], ['refused', 'invalid'], ['refused', 'outside_window'], ['accepted', 'template'],
    ]);
  });

  it('allows 1 request per 24 h and 2 per 7 days (138009), with limit_expiration_time when used up', async () => {
    const f = await startWa();
    const t0 = f.clock.now();
    f.inbound(thread);
    expect((await request(f)).status).toBe(200);
    f.clock.advance(HOUR);
    f.inbound(thread);
    expect(await request(f)).toEqual(waError(fakeWhatsAppErrors.requestLimit));
    const day = await check(f);
    expect(requestAction(day)).toEqual({
      action_name: 'send_call_permission_request', can_perform_action: false,
      limits: [
        { time_period: 'PT24H', max_allowed: 1, current_usage: 1, limit_expiration_time: sec(t0 + DAY) },
        { time_period: 'P7D', max_allowed: 2, current_usage: 1 },
      ],
    });
    f.clock.advance(DAY);
    f.inbound(thread);
    expect((await request(f)).status).toBe(200);
    f.clock.advance(DAY + HOUR);
    f.inbound(thread);
    expect((await request(f)).json.error).toMatchObject({ code: 138009 });
    expect(requestAction(await check(f)).limits).toEqual([
      { time_period: 'PT24H', max_allowed: 1, current_usage: 0 },
      { time_period: 'P7D', max_allowed: 2, current_usage: 2, limit_expiration_time: sec(t0 + 7 * DAY) },
    ]);
    f.clock.advance(7 * DAY);
    f.inbound(thread);
    expect((await request(f)).status).toBe(200);
    expect(f.sends.map((s) => s.refusal ?? s.outcome)).toEqual(['accepted', 'request_limit', 'accepted', 'request_limit', 'accepted']);
  });

  it('resets the request limits after a connected call', async () => {
    const f = await startWa();
    f.inbound(thread);
    expect((await request(f)).status).toBe(200);
    f.grant(thread); // the person accepted
    f.inbound(thread);
    expect((await request(f)).json.error).toMatchObject({ code: 138009 });
    // A call the person did not pick up resets nothing.
    const missed = await connect(f);
    f.endCall((missed.json.calls as { id: string }[])[0]!.id, 'missed');
    expect((await request(f)).json.error).toMatchObject({ code: 138009 });
    await connectedCall(f);
    expect(requestAction(await check(f))).toMatchObject({ can_perform_action: true, limits: [{ current_usage: 0 }, { current_usage: 0 }] });
    expect((await request(f)).status).toBe(200);
  });

  it('a person\'s own call that the business picks up resets the limits too', async () => {
    const f = await startWa();
    f.inbound(thread);
    await request(f);
    const call = f.incomingCall(thread);
    f.answerCall(call.callId);
    expect((await request(f)).status).toBe(200);
  });

  it('refuses with 138017 while a permanent permission is held', async () => {
    const f = await startWa();
    f.inbound(thread);
    f.grant(thread, null);
    expect(await request(f)).toEqual(waError(fakeWhatsAppErrors.permanentHeld));
    expect(f.sends.map((s) => [s.refusal, s.code])).toEqual([['permission_held', 138017]]);
    f.grant(thread); // a temporary one: a new request may ask for more
    expect((await request(f)).status).toBe(200);
  });
});

describe('POST /{phone-number-id}/calls connect (facts §9.3, §9.5)', () => {
  it('places a call with a live permission, answering wacid, and records it with its facts', async () => {
    const f = await startWa();
    f.grant(thread);
    const r = await connect(f);
    expect(r).toEqual({ status: 200, json: { messaging_product: 'whatsapp', calls: [{ id: expect.stringMatching(/^wacid\./) }] } });
    const id = (r.json.calls as { id: string }[])[0]!.id;
    expect(f.connects).toEqual([{
      seq: 1, at: f.clock.now(), pageId: NUMBER, thread, outcome: 'placed', callId: id, channel: 'whatsapp',
      permitted: true, overQuota: false, pageAllowed: true,
    }]);
    expect(f.call(id)?.thread).toEqual(thread);
    // The existing terminate works on a WhatsApp call.
    expect(await graph(f, 'POST', `/v23.0/${NUMBER}/calls`, { messaging_product: 'whatsapp', call_id: id, action: 'terminate' }))
      .toEqual({ status: 200, json: { success: true } });
  });

  it('refuses without permission (138006, 401), and after an expiry', async () => {
    const f = await startWa();
    expect(await connect(f)).toEqual(waError(fakeWhatsAppErrors.noPermission));
    f.grant(thread, f.clock.now() + HOUR);
    f.clock.advance(HOUR);
    expect((await connect(f)).json.error).toMatchObject({ code: 138006 });
    expect(f.connects.map((c) => [c.outcome, c.code, c.permitted, c.channel])).toEqual([
      ['no_call_permission', 138006, false, 'whatsapp'], ['no_call_permission', 138006, false, 'whatsapp'],
    ]);
  });

  it('refuses over the connected-call quota (138012): calls the person picked up count', async () => {
    const f = await startWa({ whatsappRules: { connectedCallQuota: { period: 'PT24H', max: 2 } } });
    f.grant(thread, null);
    await connectedCall(f);
    const unanswered = await connect(f); // placed, never picked up: not a connected call
    f.endCall((unanswered.json.calls as { id: string }[])[0]!.id, 'declined');
    await connectedCall(f);
    expect(callAction(await check(f))).toMatchObject({
      can_perform_action: false, limits: [{ time_period: 'PT24H', max_allowed: 2, current_usage: 2, limit_expiration_time: expect.any(Number) as unknown }],
    });
    expect(await connect(f)).toEqual(waError(fakeWhatsAppErrors.callLimit));
    expect(f.connects.at(-1)).toMatchObject({ outcome: 'call_limit', code: 138012, permitted: true, overQuota: true, channel: 'whatsapp' });
    f.clock.advance(DAY);
    expect((await connect(f)).status).toBe(200);
  });

  it('defaults to 100 connected calls per 24 h', async () => {
    const f = await startWa();
    f.grant(thread, null);
    for (let i = 0; i < 100; i += 1) f.connectCall(thread);
    expect((await connect(f)).json.error).toMatchObject({ code: 138012 });
  });
});

describe('Messenger beside WhatsApp', () => {
  it('keeps a Messenger thread with the same ids apart, and Messenger edges refused on a WhatsApp number', async () => {
    const f = await start({ whatsappNumbers: [NUMBER] });
    const messenger = { pageId: '1001', psid: WA };
    f.grant(thread, null);
    f.inbound(thread);
    await request(f);
    expect(f.threads.permitted({ pageId: NUMBER, psid: WA })).toBe(false);
    expect(f.threads.view({ pageId: NUMBER, psid: WA }).request.used).toBe(0);
    // The Messenger side still answers as before on a Page.
    const m = await graph(f, 'GET', `/v23.0/1001/messenger_call_permissions?psid=${WA}`);
    expect(m.json).toMatchObject({ permission: { status: 'no_permission' } });
    f.grant(messenger);
    expect((await graph(f, 'GET', `/v23.0/1001/messenger_call_permissions?psid=${WA}`)).json).toMatchObject({ permission: { status: 'has_permission' } });
    expect((await graph(f, 'GET', `/v23.0/1001/call_permissions?user_wa_id=${WA}`)).json.error).toMatchObject({ code: 2500 });
    expect((await graph(f, 'GET', `/v23.0/${NUMBER}/messenger_call_permissions?psid=${WA}`)).json.error).toMatchObject({ code: 2500 });
    expect((await check(f)).json.permission).toEqual({ status: 'permanent' });
  });

  it('a fake without whatsappNumbers treats the id as a Page', async () => {
    const f = await start();
    expect((await check(f)).json.error).toMatchObject({ code: 2500 });
    const r = await graph(f, 'GET', `/v23.0/${NUMBER}/messenger_call_permissions?psid=${WA}`);
    expect(r.status).toBe(200);
  });
});
