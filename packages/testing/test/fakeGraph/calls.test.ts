import { describe, expect, it } from 'vitest';
import { ACCEPT_WINDOW_MS, CALL_RATE_LIMIT_CODE, fakeMetaErrors, type FakeCall } from '@callperm/testing';
import { act, connect, graph, OFFER, startCall } from './callRequests.js';
import { fakePerTest } from './startFake.js';

const thread = { pageId: '1001', psid: '2002' };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const start = fakePerTest();

/** Meta's error envelope as the facts file gives it (§6.1), with the fake's trace id. */
const metaError = (code: number, message: string) => ({
  error: { message, type: 'OAuthException', code, fbtrace_id: expect.any(String) as unknown },
});

describe('POST /{page-id}/calls connect (facts §5)', () => {
  it('places a call for a person holding a permission, answering in Meta\'s shape, and records it with its facts', async () => {
    const f = await start();
    f.grant(thread);
    const r = await connect(f, '1001', '2002');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      success: true, id: expect.stringMatching(/^c_/),
      session: { sdp_response: { sdp_type: 'answer', sdp: expect.stringMatching(/^v=0\r\n/) } },
    });
    expect(f.connects).toEqual([{
      seq: 1, at: f.clock.now(), pageId: '1001', thread, outcome: 'placed', callId: r.json.id,
      permitted: true, overQuota: false, pageAllowed: true,
    }]);
    expect(f.calls).toEqual([{
      callId: r.json.id, thread, direction: 'business_initiated', startedAt: f.clock.now(), answeredAt: null, endedAt: null, cause: null,
    }]);
    expect(f.requests.map((q) => q.endpoint)).toEqual(['connect']);
  });

  it('answers each refusal with Meta\'s error object, HTTP 400, in Meta\'s order', async () => {
    const f = await start({ callQuota: [{ periodMs: DAY, max: 1 }] });
    f.setPageCalling('1001', false);
    const off = await connect(f, '1001', '2002');
    expect(off).toEqual({ status: 400, json: metaError(2018389, 'Page is not allowlisted for calling') });
    f.setPageCalling('1001', true);

    f.setCallSettings('1001', { audioEnabled: false });
    const audio = await connect(f, '1001', '2002');
    expect(audio).toEqual({ status: 400, json: metaError(10, 'Audio calling is not enabled') });
    f.setCallSettings('1001', { audioEnabled: true });

    // Meta publishes no code for these two: the wording is the signal clients classify by.
    const none = await connect(f, '1001', '2002');
    expect(none).toEqual({ status: 400, json: metaError(10, 'Consumer has not given permission to call') });
    expect(none.json.error?.message).toMatch(/has not given permission to call/);

    f.grant(thread);
    expect((await connect(f, '1001', '2002')).status).toBe(200);
    const limited = await connect(f, '1001', '2002');
    expect(limited).toEqual({ status: 400, json: metaError(CALL_RATE_LIMIT_CODE, 'Call rate limit exceeded') });
    expect(limited.json.error?.message).toMatch(/Call rate limit/);

    expect(f.connects.map((c) => [c.outcome, c.code ?? null])).toEqual([
      ['calling_not_enabled', 2018389], ['audio_disabled', 10], ['no_call_permission', 10], ['placed', null], ['call_limit', CALL_RATE_LIMIT_CODE],
    ]);
    expect(f.calls).toHaveLength(1);
  });

  it('refuses a bad body: no person (100), no offer (2018391), a broken SDP (2018392), another platform (100); and no token (104)', async () => {
    const f = await start();
    f.grant(thread);
    expect((await graph(f, 'POST', '/v26.0/1001/calls', { action: 'connect', session: { sdp_type: 'offer', sdp: OFFER } })).json.error?.code).toBe(100);
    expect((await connect(f, '1001', '2002', { session: undefined })).json.error?.code).toBe(2018391);
    expect((await connect(f, '1001', '2002', { session: { sdp_type: 'answer', sdp: OFFER } })).json.error?.code).toBe(2018391);
    expect((await connect(f, '1001', '2002', { session: { sdp_type: 'offer', sdp: 'hello' } })).json.error?.code).toBe(2018392);
    expect((await connect(f, '1001', '2002', { platform: 'whatsapp' })).json.error?.code).toBe(100);
    const bare = await graph(f, 'POST', '/v26.0/1001/calls', { to: '2002', action: 'connect', session: { sdp_type: 'offer', sdp: OFFER } }, null);
    expect(bare.json.error?.code).toBe(104);
    expect(f.connects.map((c) => c.outcome)).toEqual(['invalid', 'invalid', 'invalid', 'invalid', 'invalid', 'auth']);
    expect(f.connects[0]?.thread).toBeNull();
    expect(f.calls).toHaveLength(0);
  });

  it('accepts the form-encoded Graph body too', async () => {
    const f = await start();
    f.grant(thread);
    const form = new URLSearchParams({ platform: 'messenger', to: '2002', action: 'connect', session: JSON.stringify({ sdp_type: 'offer', sdp: OFFER }) });
    const res = await fetch(`${f.url}/v26.0/1001/calls`, { method: 'POST', headers: { authorization: 'Bearer t' }, body: form });
    expect(res.status).toBe(200);
    expect(f.connects[0]?.outcome).toBe('placed');
  });

  it('records the facts at each connect\'s instant: an expired, revoked, implicit or missing permission; the quota; the Page', async () => {
    const f = await start({ callQuota: [{ periodMs: DAY, max: 1 }] });
    f.grant(thread, f.clock.now() + HOUR);
    f.clock.advance(HOUR); // expired exactly now
    await connect(f, '1001', '2002');
    f.grant(thread, null); // e.g. the implicit grant of a connected call, no known expiry
    await connect(f, '1001', '2002');
    await connect(f, '1001', '2002');
    f.setPageCalling('1001', false);
    await connect(f, '1001', '2002');
    f.revoke(thread);
    f.setPageCalling('1001', true);
    await connect(f, '1001', '2002');
    expect(f.connects.map(({ outcome, permitted, overQuota, pageAllowed }) => ({ outcome, permitted, overQuota, pageAllowed }))).toEqual([
      { outcome: 'no_call_permission', permitted: false, overQuota: false, pageAllowed: true },
      { outcome: 'placed', permitted: true, overQuota: false, pageAllowed: true },
      { outcome: 'call_limit', permitted: true, overQuota: true, pageAllowed: true },
      { outcome: 'calling_not_enabled', permitted: true, overQuota: true, pageAllowed: false },
      { outcome: 'no_call_permission', permitted: false, overQuota: true, pageAllowed: true },
    ]);
    expect(f.connects.map((c) => c.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(f.lastSeq()).toBe(5);
  });
});

describe('the connected-call quota', () => {
  it('defaults to 5 connects per thread per rolling 24 h, every placed connect counting', async () => {
    const f = await start();
    f.grant(thread, null);
    for (let i = 0; i < 5; i += 1) {
      expect((await connect(f, '1001', '2002')).status).toBe(200);
      f.clock.advance(HOUR);
    }
    expect((await connect(f, '1001', '2002')).json.error?.code).toBe(CALL_RATE_LIMIT_CODE);
    expect(f.threads.callQuota).toEqual([{ periodMs: DAY, max: 5 }]);
    expect((await connect(f, '1001', '3003')).json.error?.message).toMatch(/has not given permission/); // per thread
    f.clock.advance(19 * HOUR); // the first connect is now exactly 24 h old: out of the window
    expect((await connect(f, '1001', '2002')).status).toBe(200);
  });

  it('rolls every window on the virtual clock, and start_call says so with a limits entry per window', async () => {
    const f = await start({ callQuota: [{ periodMs: HOUR, max: 2 }, { periodMs: DAY, max: 3 }], startCallLimits: true });
    const t0 = f.clock.now();
    f.grant(thread, null);
    const limits = (hour: number, day: number) => [
      { time_period: 'PT1H', max_allowed: 2, current_usage: hour }, { time_period: 'PT24H', max_allowed: 3, current_usage: day },
    ];
    expect(await startCall(f, '1001', '2002')).toEqual({ action_name: 'start_call', can_perform: true, limits: limits(0, 0) });
    expect((await connect(f, '1001', '2002')).status).toBe(200);
    f.clock.set(t0 + 10 * 60_000);
    expect((await connect(f, '1001', '2002')).status).toBe(200);
    f.clock.set(t0 + 20 * 60_000);
    expect(await startCall(f, '1001', '2002')).toEqual({ action_name: 'start_call', can_perform: false, limits: limits(2, 2) });
    expect((await connect(f, '1001', '2002')).status).toBe(400); // the hour is full
    f.clock.set(t0 + HOUR); // the first leaves the hour
    expect((await connect(f, '1001', '2002')).status).toBe(200);
    f.clock.set(t0 + 3 * HOUR);
    expect(await startCall(f, '1001', '2002')).toEqual({ action_name: 'start_call', can_perform: false, limits: limits(0, 3) });
    expect((await connect(f, '1001', '2002')).status).toBe(400); // the day is full
    f.clock.set(t0 + DAY);
    expect(await startCall(f, '1001', '2002')).toEqual({ action_name: 'start_call', can_perform: true, limits: limits(0, 2) });
    expect(f.connects.map((c) => [c.outcome, c.overQuota])).toEqual([
      ['placed', false], ['placed', false], ['call_limit', true], ['placed', false], ['call_limit', true],
    ]);
  });

  it('shows no start_call limits unless asked (Messenger\'s samples have none), and start_call is false without a permission', async () => {
    const f = await start({ callQuota: [{ periodMs: HOUR, max: 1 }] });
    expect(await startCall(f, '1001', '2002')).toEqual({ action_name: 'start_call', can_perform: false });
    f.grant(thread);
    expect(await startCall(f, '1001', '2002')).toEqual({ action_name: 'start_call', can_perform: true });
    await connect(f, '1001', '2002');
    expect(await startCall(f, '1001', '2002')).toEqual({ action_name: 'start_call', can_perform: false });
  });

  it('still takes the older rules.connectedCallQuota, and counts connectCall() without a request', async () => {
    const f = await start({ rules: { connectedCallQuota: { period: 'PT2H', max: 1 } } });
    expect(f.threads.callQuota).toEqual([{ periodMs: 2 * HOUR, max: 1 }]);
    f.grant(thread);
    f.connectCall(thread);
    expect((await connect(f, '1001', '2002')).json.error?.code).toBe(CALL_RATE_LIMIT_CODE);
    await expect(start({ callQuota: [{ periodMs: 0, max: 1 }] })).rejects.toThrow(RangeError);
  });
});

describe('GET /{page-id}/messenger_call_settings', () => {
  it('answers the Page\'s settings in Meta\'s shape, settable per Page', async () => {
    const f = await start({ callSettings: { 1002: { ringTarget: 'META' } } });
    const settings = (page: string) => graph(f, 'GET', `/v26.0/${page}/messenger_call_settings`);
    expect(await settings('1001')).toEqual({ status: 200, json: { data: [{ audio_enabled: true, video_enabled: false, call_routing: { ring_target: 'PARTNERS' } }] } });
    expect((await settings('1002')).json).toEqual({ data: [{ audio_enabled: true, video_enabled: false, call_routing: { ring_target: 'META' } }] });
    f.setCallSettings('1001', { audioEnabled: false, videoEnabled: true });
    expect((await settings('1001')).json).toEqual({ data: [{ audio_enabled: false, video_enabled: true, call_routing: { ring_target: 'PARTNERS' } }] });
    expect((await graph(f, 'GET', '/v26.0/1001/messenger_call_settings', undefined, null)).json.error?.code).toBe(104);
    expect(f.requests.map((r) => r.endpoint)).toEqual(['call_settings', 'call_settings', 'call_settings', 'call_settings']);
  });
});

describe('terminate, accept, reject', () => {
  const placed = async (f: Awaited<ReturnType<typeof start>>): Promise<string> => {
    f.grant(thread);
    return (await connect(f, '1001', '2002')).json.id as string;
  };

  it('terminates a live call once; then 2018396; an unknown id is 2018390; another Page\'s call 2018393', async () => {
    const f = await start();
    const id = await placed(f);
    expect((await act(f, '1001', 'terminate', 'c_nothing')).json).toEqual(metaError(2018390, 'Invalid call id'));
    expect((await act(f, '1002', 'terminate', id)).json.error?.code).toBe(2018393);
    f.clock.advance(5_000);
    expect(await act(f, '1001', 'terminate', id)).toEqual({ status: 200, json: { success: true } });
    const again = await act(f, '1001', 'terminate', id);
    expect(again).toEqual({ status: 400, json: metaError(2018396, 'Cannot join ended call') });
    expect(f.callEnds).toEqual([{
      seq: 2, callId: id, thread, direction: 'business_initiated', at: f.clock.now(), cause: 'terminated', status: 'Completed',
      startedAt: f.clock.now() - 5_000, answeredAt: null, durationSec: null,
    }]);
  });

  it('a failed call answers 2018395; an answered one ends with its duration from the answer', async () => {
    const f = await start();
    const failed = await placed(f);
    f.endCall(failed, 'failed');
    expect((await act(f, '1001', 'terminate', failed)).json).toEqual(metaError(2018395, 'Cannot join failed call'));
    const talked = await placed(f);
    f.clock.advance(4_000);
    expect(f.answerCall(talked)).toBe(true);
    f.clock.advance(42_400);
    await act(f, '1001', 'terminate', talked);
    expect(f.callEnds.map((e) => [e.cause, e.status, e.durationSec])).toEqual([['failed', 'Failed', null], ['terminated', 'Completed', 42]]);
  });

  it('accepts or rejects only a person\'s call that still rings, within 60 s of its connect', async () => {
    const f = await start();
    const business = await placed(f);
    expect((await act(f, '1001', 'accept', business)).json.error?.code).toBe(100);
    expect((await act(f, '1001', 'reject', business)).json.error?.code).toBe(100);

    const picked = f.incomingCall(thread);
    f.clock.advance(ACCEPT_WINDOW_MS - 1);
    expect(await act(f, '1001', 'accept', picked.callId)).toEqual({
      status: 200, json: { success: true, session: { sdp_response: { sdp_type: 'answer', sdp: expect.stringMatching(/^v=0/) } } },
    });
    expect((await act(f, '1001', 'reject', picked.callId)).json.error?.code).toBe(100); // already picked up
    expect((await act(f, '1001', 'accept', picked.callId)).json.error?.code).toBe(100);

    const late = f.incomingCall(thread);
    f.clock.advance(ACCEPT_WINDOW_MS);
    expect((await act(f, '1001', 'accept', late.callId)).json).toEqual(metaError(2018396, 'Cannot join ended call'));

    const declined = f.incomingCall(thread, { callId: 'c_person_1' });
    expect(await act(f, '1001', 'reject', 'c_person_1')).toEqual({ status: 200, json: { success: true } });
    expect((await act(f, '1001', 'terminate', 'c_person_1')).json.error?.code).toBe(2018396);
    const ends = f.callEnds.map((e) => [e.callId, e.cause, e.at - e.startedAt]);
    expect(ends).toEqual([[late.callId, 'missed', ACCEPT_WINDOW_MS], [declined.callId, 'rejected', 0]]);
    expect(f.call(picked.callId)?.answeredAt).toBe(picked.startedAt + ACCEPT_WINDOW_MS - 1);
  });

  it('tells listeners of every placed call and every end, and keeps their exceptions away from the answer', async () => {
    const seen: FakeCall[] = [];
    const f = await start({ onConnect: (c) => seen.push(c) });
    const stop = f.onCallEnd(() => { throw new Error('listener bug'); });
    const id = await placed(f);
    expect(seen.map((c) => c.callId)).toEqual([id]);
    expect((await act(f, '1001', 'terminate', id)).status).toBe(200);
    expect(f.listenerErrors).toHaveLength(1);
    stop();
  });
});

describe('faults on connect: processed or not, as with the opt-in', () => {
  it('a fault after processing: the call was placed and counts, the client got no answer', async () => {
    const seen: string[] = [];
    const f = await start({ callQuota: [{ periodMs: DAY, max: 1 }], onConnect: (c) => seen.push(c.callId) });
    f.grant(thread);
    f.inject('connect', { kind: 'status', status: 503, after: true });
    expect((await connect(f, '1001', '2002')).status).toBe(503);
    expect(f.connects).toEqual([expect.objectContaining({ outcome: 'placed', fault: 'status', permitted: true, overQuota: false, callId: seen[0] })]);
    expect(f.calls).toHaveLength(1);
    expect((await connect(f, '1001', '2002')).json.error?.code).toBe(CALL_RATE_LIMIT_CODE); // it counted
  });

  it('a fault before processing places nothing; an injected error is recorded as that refusal; other endpoints untouched', async () => {
    const f = await start();
    f.grant(thread);
    f.inject('connect', { kind: 'reset' }, { kind: 'status', status: 500 }, { kind: 'error', body: fakeMetaErrors.callRateLimit }, { kind: 'reset', after: true });
    await expect(connect(f, '1001', '2002')).rejects.toThrow();
    expect((await connect(f, '1001', '2002')).status).toBe(500);
    expect((await connect(f, '1001', '2002')).json.error?.code).toBe(CALL_RATE_LIMIT_CODE);
    await expect(connect(f, '1001', '2002')).rejects.toThrow();
    expect((await startCall(f, '1001', '2002')).can_perform).toBe(true);
    expect((await connect(f, '1001', '2002')).status).toBe(200);
    expect(f.connects.map((c) => [c.outcome, c.fault ?? null, c.permitted])).toEqual([
      ['fault', 'reset', true], ['fault', 'status', true], ['call_limit', 'error', true], ['placed', 'reset', true], ['placed', null, true],
    ]);
    expect(f.calls).toHaveLength(2);
  });

  it('faults on call actions and settings are their own queues', async () => {
    const f = await start();
    f.grant(thread);
    const id = (await connect(f, '1001', '2002')).json.id as string;
    f.inject('call_action', { kind: 'status', status: 502, after: true });
    f.inject('call_settings', { kind: 'malformed' });
    expect((await act(f, '1001', 'terminate', id)).status).toBe(502);
    expect(f.call(id)?.cause).toBe('terminated'); // done, then failed
    expect((await graph(f, 'GET', '/v26.0/1001/messenger_call_settings')).json).toEqual({});
    expect((await act(f, '1001', 'terminate', id)).json.error?.code).toBe(2018396);
  });
});
