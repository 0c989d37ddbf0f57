import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fakeMetaErrors, type FakeGraphApi } from '@callperm/testing';
import { fakePerTest } from './startFake.js';

const thread = { pageId: '1001', psid: '2002' };
const optIn = (psid = thread.psid) => ({ recipient: { id: psid }, message: { attachment: { type: 'template', payload: { template_type: 'calling_optin' } } } });
const features = { features: [{ feature: 'messenger_api_calling' }] };

const start = fakePerTest();

/** Meta's answer: a JSON body (an error envelope, or the data asked for), or raw text. */
interface Answer {
  readonly status: number;
  readonly json: { error: { code: number; error_subcode?: number; message: string }; data: { status: string }[] };
}

const request = async (f: FakeGraphApi, method: string, path: string, body?: unknown, token: string | null = 't'): Promise<Answer> => {
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${f.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, json: (text.startsWith('{') ? JSON.parse(text) : {}) as Answer['json'] };
};
const send = (f: FakeGraphApi, psid?: string) => request(f, 'POST', '/v26.0/1001/messages', optIn(psid));
const check = async (f: FakeGraphApi) => (await request(f, 'GET', '/v26.0/1001/messenger_call_permissions?psid=2002')).json as unknown as {
  permission: { status: string }; actions: { action_name: string; can_perform: boolean }[];
};
const canRequest = async (f: FakeGraphApi) => (await check(f)).actions.find((a) => a.action_name === 'send_call_permission_request')!.can_perform;
const codes = (json: Answer['json']): [number, number | undefined] => [json.error.code, json.error.error_subcode];

describe('the fake refuses like Meta (seed and facts §2, §6)', () => {
  it('says send_call_permission_request cannot be performed while a permission is held (the seed\'s example)', async () => {
    const f = await start();
    f.inbound(thread);
    expect(await canRequest(f)).toBe(true);
    f.grant(thread);
    expect((await check(f)).permission.status).toBe('has_permission');
    expect(await canRequest(f)).toBe(false);
    f.revoke(thread);
    expect(await canRequest(f)).toBe(true);
  });

  it('property: can_perform on the request action never goes with a held permission', async () => {
    const f = await start();
    const step = fc.constantFrom('grant', 'revoke', 'expire', 'inbound', 'advance', 'send');
    await fc.assert(fc.asyncProperty(fc.array(step, { maxLength: 12 }), async (steps) => {
      for (const s of steps) {
        if (s === 'grant') f.grant(thread);
        else if (s === 'revoke') f.revoke(thread);
        else if (s === 'expire') f.expire(thread);
        else if (s === 'inbound') f.inbound(thread);
        else if (s === 'advance') f.clock.advance('PT5H');
        else await send(f);
        const c = await check(f);
        const can = c.actions.find((a) => a.action_name === 'send_call_permission_request')!.can_perform;
        expect(can && c.permission.status === 'has_permission').toBe(false);
      }
    }), { numRuns: 30 });
  });

  it('answers a request with no access token with Meta\'s 104, configured tokens or not', async () => {
    for (const options of [{}, { accessTokens: 'good' }]) {
      const f = await start(options);
      for (const r of [
        await request(f, 'GET', '/v26.0/1001/messenger_call_permissions?psid=2002', undefined, null),
        await request(f, 'POST', '/v26.0/1001/messages', optIn(), null),
        await request(f, 'POST', '/v26.0/1001/business_messaging_feature_status', features, null),
      ]) {
        expect(r.status).toBe(400);
        expect(r.json).toEqual({ error: { message: 'An access token is required to request this resource.', type: 'OAuthException', code: 104, fbtrace_id: expect.any(String) } });
      }
      await f.close();
    }
    const lax = await start({ requireToken: false });
    expect((await request(lax, 'GET', '/v26.0/1001/messenger_call_permissions?psid=2002', undefined, null)).status).toBe(200);
  });

  it('refuses an opt-in outside the window (10/2018278), over the thread\'s limit (613/2534040), to an unavailable person (551/1545041)', async () => {
    const f = await start();
    expect(codes((await send(f)).json)).toEqual([10, 2018278]);
    f.inbound(thread);
    expect((await send(f)).status).toBe(200);
    expect((await send(f)).status).toBe(200);
    const limited = await send(f);
    expect(codes(limited.json)).toEqual([613, 2534040]);
    expect(limited.json.error.message).toMatch(/exceeded the rate limit/);
    f.inbound({ pageId: '1001', psid: '3003' });
    f.markUnavailable({ pageId: '1001', psid: '3003' });
    expect(codes((await send(f, '3003')).json)).toEqual([551, 1545041]);
    f.markUnavailable({ pageId: '1001', psid: '3003' }, false);
    expect((await send(f, '3003')).status).toBe(200);
    expect(f.sends.map((s) => [s.psid, s.outcome, s.refusal ?? null])).toEqual([
      ['2002', 'refused', 'outside_window'], ['2002', 'accepted', null], ['2002', 'accepted', null],
      ['2002', 'refused', 'request_limit'], ['3003', 'refused', 'person_unavailable'], ['3003', 'accepted', null],
    ]);
    expect(f.sends.filter((s) => s.outcome === 'accepted').map((s) => s.messageId)).toEqual(f.optIns.map((o) => o.messageId));
  });

  it('serves the Page feature status, and refuses opt-ins while calling is off for the Page', async () => {
    const f = await start({ callingOff: ['1002'] });
    f.inbound(thread);
    const status = (page: string) => request(f, 'POST', `/v26.0/${page}/business_messaging_feature_status`, features);
    expect((await status('1001')).json).toEqual({ data: [{ feature: 'messenger_api_calling', status: 'enabled' }] });
    expect((await status('1002')).json).toEqual({ data: [{ feature: 'messenger_api_calling', status: 'disabled' }] });
    f.setPageCalling('1001', false);
    expect((await status('1001')).json.data[0]?.status).toBe('disabled');
    const refused = await send(f);
    expect(refused.json.error).toMatchObject({ code: fakeMetaErrors.callingNotEnabled.error.code, message: expect.stringMatching(/Not allowed for business-initiated calling/) });
    const checked = await request(f, 'GET', '/v26.0/1001/messenger_call_permissions?psid=2002');
    expect(checked.json.error).toEqual(refused.json.error); // the check lists the same error (facts §1.4)
    f.setPageCalling('1001', true);
    expect((await send(f)).status).toBe(200);
    expect(f.sends.map((s) => s.refusal ?? s.outcome)).toEqual(['calling_not_enabled', 'accepted']);
    expect(codes((await request(f, 'POST', '/v26.0/1001/business_messaging_feature_status', { features: [{ feature: 'other' }] })).json)[0]).toBe(100);
    f.setVariant('uppercase');
    expect((await status('1001')).json.data[0]?.status).toBe('ENABLED');
    expect(f.requests.filter((r) => r.endpoint === 'feature_status')).toHaveLength(5);
  });

  it('records every send with its outcome, faults included, and the person\'s messages and replies in one order', async () => {
    const f = await start();
    f.inbound(thread);
    f.inject('send', { kind: 'status', status: 500 }, { kind: 'status', status: 503, after: true }, { kind: 'error', body: fakeMetaErrors.personUnavailable });
    expect((await send(f)).status).toBe(500);
    expect((await send(f)).status).toBe(503);
    expect((await send(f)).status).toBe(400);
    f.reply(thread, { response: 'reject', optInMessageId: f.optIns[0]!.messageId });
    expect((await check(f)).permission.status).toBe('no_permission');
    f.reply(thread, { response: 'approve', expiresAt: null });
    expect((await check(f)).permission.status).toBe('has_permission');
    expect(f.sends.map((s) => [s.outcome, s.fault ?? null, s.refusal ?? null])).toEqual([
      ['fault', 'status', null], ['accepted', 'status', null], ['refused', 'error', 'person_unavailable'],
    ]);
    expect(f.replies.map((r) => [r.response, r.optInMessageId])).toEqual([['reject', f.optIns[0]!.messageId], ['approve', null]]);
    const order = [f.inbounds[0]!, ...f.sends, ...f.replies].map((r) => r.seq);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(f.lastSeq()).toBe(order.at(-1));
  });

  it('property: Meta never accepts more than 2 opt-ins a thread in a rolling 24 h, and records every send', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.constantFrom('send', 'inbound', 'PT1H', 'PT10H'), { maxLength: 14 }), async (steps) => {
      const f = await start();
      try {
        let posts = 0;
        for (const s of steps) {
          if (s === 'send') {
            posts += 1;
            await send(f);
          } else if (s === 'inbound') f.inbound(thread);
          else f.clock.advance(s);
        }
        expect(f.sends).toHaveLength(posts);
        const accepted = f.sends.filter((x) => x.outcome === 'accepted').map((x) => x.at);
        expect(accepted).toHaveLength(f.optIns.length);
        for (const at of accepted) expect(accepted.filter((a) => a > at - 86_400_000 && a <= at).length).toBeLessThanOrEqual(2);
      } finally {
        await f.close();
      }
    }), { numRuns: 40 });
  });
});
