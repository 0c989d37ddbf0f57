import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type FakeGraphApi } from '@callperm/testing';
import { fakePerTest } from './startFake.js';

const thread = { pageId: '1001', psid: '2002' };
const optInBody = { recipient: { id: '2002' }, message: { attachment: { type: 'template', payload: { template_type: 'calling_optin' } } } };

const start = fakePerTest();

/** A request with a token (`Bearer t`) unless `init` sets the authorization itself or `bare` is set. */
const call = async (f: FakeGraphApi, path: string, init: RequestInit = {}, bare = false): Promise<{ status: number; headers: Headers; json: unknown }> => {
  const headers = bare ? init.headers : { authorization: 'Bearer t', ...(init.headers as Record<string, string> | undefined) };
  const res = await fetch(`${f.url}${path}`, { ...init, ...(headers === undefined ? {} : { headers }) });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    // keep the text
  }
  return { status: res.status, headers: res.headers, json };
};

const post = (f: FakeGraphApi, path: string, body: unknown, headers: Record<string, string> = {}) =>
  call(f, path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

const codeOf = (json: unknown): [number, number | undefined] => {
  const e = (json as { error: { code: number; error_subcode?: number } }).error;
  return [e.code, e.error_subcode];
};

describe('createFakeGraphApi', () => {
  it('listens on loopback and logs each request with its virtual instant', async () => {
    const f = await start();
    expect(f.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await call(f, '/v26.0/1001/messenger_call_permissions?psid=2002');
    expect(f.requests.map((r) => [r.endpoint, r.pageId, r.at])).toEqual([['check', '1001', f.clock.now()]]);
  });

  it('answers unknown paths with Meta\'s 2500', async () => {
    const f = await start();
    expect(codeOf((await call(f, '/v26.0/1001/nothing')).json)).toEqual([2500, undefined]);
  });

  it('refuses a missing or wrong token (104, 190) when tokens are configured, and checks appsecret_proof', async () => {
    const f = await start({ accessTokens: { '1001': 'good' }, appSecret: 'sec' });
    const proof = (t: string) => createHmac('sha256', 'sec').update(t).digest('hex');
    const path = '/v26.0/1001/messenger_call_permissions?psid=2002';
    expect(codeOf((await call(f, `${path}&appsecret_proof=${proof('')}`, {}, true)).json)[0]).toBe(104);
    expect(codeOf((await call(f, `${path}&appsecret_proof=${proof('bad')}`, { headers: { authorization: 'Bearer bad' } })).json)[0]).toBe(190);
    expect(codeOf((await call(f, `${path}&appsecret_proof=nope`, { headers: { authorization: 'Bearer good' } })).json)[0]).toBe(100);
    expect((await call(f, `${path}&appsecret_proof=${proof('good')}`, { headers: { authorization: 'Bearer good' } })).status).toBe(200);
  });

  it('validates the opt-in body and accepts the form-encoded Send API too', async () => {
    const f = await start();
    f.inbound(thread);
    const wrong = { ...optInBody, message: { attachment: { type: 'template', payload: { template_type: 'button' } } } };
    expect(codeOf((await post(f, '/v26.0/1001/messages', wrong)).json)[0]).toBe(100);
    expect(codeOf((await post(f, '/v26.0/1001/messages', { ...optInBody, messaging_type: 'SOMETIMES' })).json)[0]).toBe(100);
    const form = new URLSearchParams({ recipient: JSON.stringify(optInBody.recipient), message: JSON.stringify(optInBody.message) });
    const ok = await call(f, '/v26.0/1001/messages', { method: 'POST', body: form });
    expect(ok.json).toEqual({ recipient: { id: '2002' }, message_id: f.optIns[0]?.messageId });
  });

  it('grants, expires, revokes and counts connected calls against the start_call quota', async () => {
    const f = await start({ rules: { connectedCallQuota: { period: 'PT24H', max: 1 } } });
    const check = async () => (await call(f, '/v26.0/1001/messenger_call_permissions?psid=2002')).json as {
      permission: { status: string; expiration_time?: number }; actions: { action_name: string; can_perform: boolean }[];
    };
    f.grant(thread);
    const granted = await check();
    expect(granted.permission).toEqual({ status: 'has_permission', expiration_time: Math.floor((f.clock.now() + 7 * 86_400_000) / 1000) });
    f.connectCall(thread);
    expect((await check()).actions.find((a) => a.action_name === 'start_call')?.can_perform).toBe(false);
    f.clock.advance('PT24H');
    expect((await check()).actions.find((a) => a.action_name === 'start_call')?.can_perform).toBe(true);
    f.expire(thread);
    expect((await check()).permission.status).toBe('no_permission');
    f.grant(thread, null);
    expect((await check()).permission).toEqual({ status: 'has_permission' });
    f.revoke(thread);
    expect((await check()).permission.status).toBe('no_permission');
  });

  it('answers a batch in order with string bodies, per-item errors, and null for unfinished items', async () => {
    const f = await start({ accessTokens: { '1001': 'good', '1002': 'other' } });
    f.inject('batch', { kind: 'nulls', count: 1 });
    const batch = [
      { method: 'GET', relative_url: 'v26.0/1001/messenger_call_permissions?psid=1' },
      { method: 'GET', relative_url: '1002/messenger_call_permissions?psid=1' },
      { method: 'GET', relative_url: '1002/messenger_call_permissions?psid=1', access_token: 'other' },
      { method: 'GET', relative_url: 'v26.0/1001/messenger_call_permissions?psid=3' },
    ];
    const r = await post(f, '/v26.0/', { batch, include_headers: false }, { authorization: 'Bearer good' });
    // (item 2 names no token of its own: the top-level one, for another Page, is refused with 190)
    const items = r.json as ({ code: number; body: string; headers?: unknown } | null)[];
    expect(items.map((i) => i?.code ?? null)).toEqual([200, 400, 200, null]);
    expect(codeOf(JSON.parse(items[1]!.body))[0]).toBe(190);
    expect(items[0]?.headers).toBeUndefined();
  });

  it('refuses a batch of more than 50', async () => {
    const f = await start();
    const batch = Array.from({ length: 51 }, (_, i) => ({ method: 'GET', relative_url: `1001/messenger_call_permissions?psid=${i}` }));
    expect((await post(f, '/v26.0', { batch })).status).toBe(400);
  });

  it('throttles with Meta\'s error and a BUC header until the regain time passes on the shared clock', async () => {
    const f = await start({ businessIds: { '1001': 'biz-1' } });
    f.throttle({ pageId: '1001', regainMinutes: 3 });
    const r = await call(f, '/v26.0/1001/messenger_call_permissions?psid=2002');
    expect(codeOf(r.json)[0]).toBe(80006);
    expect(JSON.parse(r.headers.get('x-business-use-case-usage') ?? '{}')).toMatchObject({ 'biz-1': [{ estimated_time_to_regain_access: 3 }] });
    expect((await call(f, '/v26.0/1002/messenger_call_permissions?psid=2002')).status).toBe(200);
    f.clock.advance('PT3M');
    expect((await call(f, '/v26.0/1001/messenger_call_permissions?psid=2002')).status).toBe(200);
  });

  it('injects faults per endpoint, in order, one request each', async () => {
    const f = await start();
    f.inbound(thread);
    f.inject('send', { kind: 'status', status: 503, after: true }, { kind: 'malformed' }, { kind: 'reset' });
    expect((await post(f, '/v26.0/1001/messages', optInBody)).status).toBe(503);
    expect(f.optIns).toHaveLength(1); // done, then failed
    expect((await post(f, '/v26.0/1001/messages', optInBody)).json).toBeTypeOf('string');
    await expect(post(f, '/v26.0/1001/messages', optInBody)).rejects.toThrow();
    expect((await call(f, '/v26.0/1001/messenger_call_permissions?psid=2002')).status).toBe(200); // other endpoint untouched
    expect((await post(f, '/v26.0/1001/messages', optInBody)).status).toBe(200);
    expect(f.optIns).toHaveLength(2);
  });

  it('keeps a hook\'s exception away from the answer', async () => {
    const f = await start({ onOptIn: () => { throw new Error('simulator bug'); } });
    f.inbound(thread);
    expect((await post(f, '/v26.0/1001/messages', optInBody)).status).toBe(200);
    expect(f.listenerErrors).toHaveLength(1);
  });

  it('close() ends hanging requests', async () => {
    const f = await start();
    f.inject('check', { kind: 'hang' });
    const pending = call(f, '/v26.0/1001/messenger_call_permissions?psid=2002');
    await new Promise((resolve) => { const wait = () => (f.requests.length > 0 ? resolve(undefined) : setImmediate(wait)); wait(); });
    await f.close();
    await expect(pending).rejects.toThrow();
  });
});
