import { describe, expect, it } from 'vitest';
import { parseWebhook, type WebhookEvent } from '@callperm/core';
import { callees, consumers, whatsappPermissionReply, whatsappTextMessage, whatsappThread } from '@callperm/testing';
import { graph } from '../fakeGraph/callRequests.js';
import { worldPerTest, type World } from '../consumerSimulator/simulatedWorld.js';

const NUMBER = '1065';
const WA = '4915112345678';
const thread = whatsappThread(NUMBER, WA);
const DAY = 86_400_000;
const sec = (ms: number) => Math.floor(ms / 1000);

const world = worldPerTest();
const startWorld = (sim = {}) => world(sim, { whatsappNumbers: [NUMBER] });

const request = async (w: World): Promise<string> => {
  const r = await graph(w.fake, 'POST', `/v23.0/${NUMBER}/messages`, {
    messaging_product: 'whatsapp', to: WA, type: 'interactive',
    interactive: { type: 'call_permission_request', action: { name: 'call_permission_request' } },
  });
  expect(r.status).toBe(200);
  return (r.json.messages as { id: string }[])[0]!.id;
};

/** Every event core decodes from what reached the host, delivery by delivery. */
const decoded = (w: World): WebhookEvent[] => w.received.flatMap((r) => {
  const p = parseWebhook(r.body);
  if (!p.ok) throw new Error(JSON.stringify(p.error));
  return p.value;
});

/** The value of the single change of a WhatsApp delivery. */
const valueOf = (body: unknown) => (body as { entry: { changes: { field: string; value: Record<string, unknown> }[] }[] }).entry[0]!.changes[0]!;

describe('the consumer simulator on WhatsApp (facts §9.4)', () => {
  it('message() posts a text message in WhatsApp\'s envelope that opens the window at the fake and decodes as inbound', async () => {
    const w = await startWorld();
    w.sim.message(thread);
    await w.sim.settle();
    expect(w.fake.whatsapp.inServiceWindow(thread)).toBe(true);
    expect(w.received).toHaveLength(1);
    expect(w.received[0]!.signed).toBe(true);
    expect(w.received[0]!.body.object).toBe('whatsapp_business_account');
    const change = valueOf(w.received[0]!.body);
    expect(change.field).toBe('messages');
    expect(change.value).toMatchObject({
      messaging_product: 'whatsapp', metadata: { phone_number_id: NUMBER, display_phone_number: expect.any(String) as unknown },
      contacts: [{ wa_id: WA }], messages: [{ from: WA, type: 'text', timestamp: String(sec(w.fake.clock.now())) }],
    });
    expect(decoded(w)).toEqual([{ kind: 'inbound_message', id: expect.any(String) as unknown, at: sec(w.fake.clock.now()) * 1000, thread }]);
  });

  it('a temporary accept: the book holds 7 days, the reply carries the request\'s wamid and decodes as an approval', async () => {
    const w = await startWorld({ behaviour: consumers.approveAfter(30_000) });
    w.sim.message(thread);
    await w.sim.settle();
    const wamid = await request(w);
    w.fake.clock.advance(30_000);
    await w.sim.settle();
    const at = w.fake.clock.now();
    const expiresAt = sec(at + 7 * DAY) * 1000;
    expect(w.fake.whatsapp.permission(thread)).toEqual({ status: 'temporary', expiresAt });
    const reply = valueOf(w.received[1]!.body).value.messages as Record<string, unknown>[];
    expect(reply).toEqual([{
      context: { from: expect.any(String) as unknown, id: wamid }, from: WA, id: expect.stringMatching(/^wamid\./), timestamp: String(sec(at)),
      type: 'interactive',
      interactive: {
        type: 'call_permission_reply',
        call_permission_reply: { response: 'accept', is_permanent: false, expiration_timestamp: String(sec(expiresAt)), response_source: 'user_action' },
      },
    }]);
    expect(decoded(w)[1]).toEqual({
      kind: 'permission_reply', id: expect.any(String) as unknown, at: sec(at) * 1000 + 999, thread,
      response: 'approve', expiresAt, permanent: false, automatic: false,
    });
    expect(w.fake.replies.map((r) => [r.response, r.optInMessageId])).toEqual([['approve', wamid]]);
  });

  it('a reject decodes as a reject and leaves no permission', async () => {
    const w = await startWorld({ behaviour: consumers.rejectAfter(5_000) });
    w.sim.message(thread);
    const wamid = await request(w);
    w.fake.clock.advance(5_000);
    await w.sim.settle();
    expect(w.fake.whatsapp.permission(thread)).toEqual({ status: 'no_permission' });
    const reply = decoded(w).find((e) => e.kind === 'permission_reply');
    expect(reply).toMatchObject({ thread, response: 'reject', expiresAt: null, permanent: false, automatic: false });
    expect((valueOf(w.received[1]!.body).value.messages as { context: { id: string } }[])[0]!.context.id).toBe(wamid);
  });

  it('grantPermanent and revokeAutomatically update the book and decode as permanent and automatic', async () => {
    const w = await startWorld({ behaviour: consumers.ignore() });
    w.sim.message(thread);
    const wamid = await request(w);
    w.sim.grantPermanent(thread);
    await w.sim.settle();
    expect(w.fake.whatsapp.permission(thread)).toEqual({ status: 'permanent' });
    const permanentCheck = await graph(w.fake, 'GET', `/v23.0/${NUMBER}/call_permissions?user_wa_id=${WA}`);
    expect(permanentCheck.json.permission).toEqual({ status: 'permanent' });
    w.fake.clock.advance(60_000);
    w.sim.revokeAutomatically(thread);
    await w.sim.settle();
    expect(w.fake.whatsapp.permission(thread)).toEqual({ status: 'no_permission' });

    const [, permanent, revoked] = w.received.map((r) => (valueOf(r.body).value.messages as Record<string, unknown>[])[0]!);
    expect(permanent).toMatchObject({
      context: { id: wamid },
      interactive: { call_permission_reply: { response: 'accept', is_permanent: true, response_source: 'user_action' } },
    });
    expect((permanent!.interactive as { call_permission_reply: object }).call_permission_reply).not.toHaveProperty('expiration_timestamp');
    expect(revoked).not.toHaveProperty('context');
    expect(revoked!.interactive).toEqual({
      type: 'call_permission_reply', call_permission_reply: { response: 'reject', is_permanent: false, response_source: 'automatic' },
    });
    const replies = decoded(w).filter((e) => e.kind === 'permission_reply');
    expect(replies).toEqual([
      expect.objectContaining({ thread, response: 'approve', expiresAt: null, permanent: true, automatic: false }),
      expect.objectContaining({ thread, response: 'reject', expiresAt: null, permanent: false, automatic: true }),
    ]);
  });

  /** Places a business call at the fake for the WhatsApp thread (the person holds a permission). */
  const businessCall = async (w: World): Promise<string> => {
    const r = await graph(w.fake, 'POST', `/v23.0/${NUMBER}/calls`, {
      messaging_product: 'whatsapp', to: WA, action: 'connect', session: { sdp_type: 'offer', sdp: 'v=0\r\n' },
    });
    expect(r.status).toBe(200);
    return (r.json.calls as { id: string }[])[0]!.id;
  };
  /** The call events core decodes from the deliveries: [event, direction, status] each. */
  const callEvents = (w: World) => decoded(w).flatMap((e) => (e.kind === 'call' ? [[e.event, e.direction, e.callStatus ?? e.terminateStatus, e.channel]] : []));

  it('posts WhatsApp `calls` webhooks for a business call the person answers: connect, RINGING, ACCEPTED, a COMPLETED terminate', async () => {
    const w = await startWorld();
    w.fake.grant(thread, null);
    const callId = await businessCall(w);
    w.fake.clock.advance(120_000);
    await w.sim.settle();
    expect(w.received.every((x) => x.body.object === 'whatsapp_business_account')).toBe(true);
    expect(callEvents(w)).toEqual([
      // A status names no direction (Meta's samples carry none).
      ['connect', 'business_initiated', null, 'whatsapp'], ['call_status', null, 'ringing', 'whatsapp'],
      ['call_status', null, 'accepted', 'whatsapp'], ['terminate', 'business_initiated', 'completed', 'whatsapp'],
    ]);
    const end = decoded(w).at(-1);
    expect(end?.kind === 'call' && [end.callId, end.durationSec]).toEqual([callId, expect.any(Number)]);
    expect(w.fake.calls[0]).toMatchObject({ thread, answeredAt: expect.any(Number) as unknown, cause: 'hung_up' });
  });

  it('after 4 business calls in a row declined or missed, Meta revokes the permission with an automatic reject', async () => {
    const w = await startWorld({ callBehaviour: callees.declines(5_000) });
    w.fake.grant(thread, null);
    for (let k = 0; k < 4; k += 1) {
      await businessCall(w);
      w.fake.clock.advance(60_000);
      await w.sim.settle();
    }
    const kinds = callEvents(w).map(([event, , status]) => `${String(event)}:${String(status)}`);
    expect(kinds.filter((k) => k === 'call_status:rejected')).toHaveLength(4);
    expect(kinds.filter((k) => k === 'terminate:completed')).toHaveLength(4);
    const revocations = decoded(w).filter((e) => e.kind === 'permission_reply');
    expect(revocations.map((e) => e.kind === 'permission_reply' && [e.response, e.automatic])).toEqual([['reject', true]]);
    expect(w.fake.whatsapp.permission(thread)).toEqual({ status: 'no_permission' });
  });

  it('an answered call in between starts the count again: 3 unanswered, 1 answered, 3 unanswered revoke nothing', async () => {
    const answers = [false, false, false, true, false, false, false];
    let n = 0;
    const w = await startWorld({ callBehaviour: () => (answers[n++] === true ? { kind: 'answer', afterMs: 2_000, talkMs: 10_000 } : { kind: 'decline', afterMs: 2_000 }) });
    w.fake.grant(thread, null);
    for (let k = 0; k < answers.length; k += 1) {
      await businessCall(w);
      w.fake.clock.advance(60_000);
      await w.sim.settle();
    }
    expect(decoded(w).filter((e) => e.kind === 'permission_reply')).toEqual([]);
    expect(w.fake.whatsapp.permission(thread).status).toBe('permanent');
  });

  it('a person\'s call the business does not pick up grants a temporary callback permission, announced as automatic with the call id', async () => {
    const w = await startWorld();
    const call = w.sim.placeCall(thread, { hostAnswers: false });
    w.fake.clock.advance(120_000);
    await w.sim.settle();
    expect(callEvents(w)).toEqual([['connect', 'user_initiated', null, 'whatsapp'], ['terminate', 'user_initiated', 'completed', 'whatsapp']]);
    const grant = decoded(w).find((e) => e.kind === 'permission_reply');
    expect(grant?.kind === 'permission_reply' && [grant.response, grant.automatic, grant.permanent]).toEqual(['approve', true, false]);
    expect(w.received.some((x) => JSON.stringify(x.body).includes(`"id":"${call.callId}"`) && JSON.stringify(x.body).includes('call_permission_reply'))).toBe(true);
    expect(w.fake.whatsapp.permission(thread).status).toBe('temporary');
  });

  it('the builders match the shapes of core\'s WhatsApp fixtures', () => {
    const at = Date.UTC(2026, 5, 1);
    const spec = { phoneNumberId: NUMBER, waId: WA, at };
    const all = [
      whatsappTextMessage(spec),
      whatsappPermissionReply({ ...spec, response: 'accept', contextId: 'wamid.X' }),
      whatsappPermissionReply({ ...spec, response: 'accept', permanent: true, contextId: 'wamid.X' }),
      whatsappPermissionReply({ ...spec, response: 'reject', contextId: 'wamid.X' }),
      whatsappPermissionReply({ ...spec, response: 'reject', source: 'automatic' }),
    ].map((b) => {
      const p = parseWebhook(b);
      if (!p.ok) throw new Error('refused');
      return p.value.map((e) => (e.kind === 'permission_reply' ? [e.response, e.expiresAt, e.permanent, e.automatic] : [e.kind]));
    });
    expect(all).toEqual([
      [['inbound_message']],
      [['approve', at + 7 * DAY, false, false]],
      [['approve', null, true, false]],
      [['reject', null, false, false]],
      [['reject', null, false, true]],
    ]);
  });
});

describe('Messenger beside WhatsApp in the simulator', () => {
  it('a Messenger thread with the same ids still gets Messenger webhooks and its own book entry', async () => {
    const w = await world({ behaviour: consumers.approveAfter(1_000) }, { whatsappNumbers: [NUMBER] });
    const messenger = { pageId: '1001', psid: WA };
    w.sim.message(messenger);
    const r = await graph(w.fake, 'POST', '/v23.0/1001/messages', {
      recipient: { id: WA }, messaging_type: 'RESPONSE', message: { attachment: { type: 'template', payload: { template_type: 'calling_optin' } } },
    });
    expect(r.status).toBe(200);
    w.fake.clock.advance(1_000);
    await w.sim.settle();
    expect(w.received.map((x) => x.body.object)).toEqual(['page', 'page']);
    expect(w.fake.threads.permitted(messenger)).toBe(true);
    expect(w.fake.whatsapp.permission(whatsappThread('1001', WA))).toEqual({ status: 'no_permission' });
    expect(decoded(w).map((e) => e.kind)).toEqual(['inbound_message', 'permission_reply']);
  });
});
