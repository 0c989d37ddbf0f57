import { graphApi } from '@callperm/adapters/graph';
import { createCallPermissions, memoryStore, type CallPermissions, type Thread } from '@callperm/core';
import { createFakeGraphApi, VirtualClock, type FakeGraphApi } from '@callperm/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../src/host/startHost.js';
import { threadApi } from '../../src/host/threadApi.js';
import { errorCode, rawRequest } from '../support/rawRequest.js';

const TOKEN = 'call-api-test-token-0123456789abcdef';
const META_TOKEN = 'call-api-test-page-token';
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const thread: Thread = { pageId: '1000001', psid: '2000000001' };
const stranger: Thread = { pageId: '1000001', psid: '2000000002' };
const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';

/** A host over the real Graph client and a fake Meta on loopback, the person on `thread` having approved calls. */
describe('callperm serve: placing and ending a call over the JSON API', () => {
  let fake: FakeGraphApi;
  let host: RunningHost;
  let permissions: CallPermissions;
  let close: () => void;

  beforeEach(async () => {
    const clock = new VirtualClock(Date.UTC(2026, 11, 1));
    fake = await createFakeGraphApi({ clock, accessTokens: META_TOKEN });
    const graph = graphApi({ accessToken: META_TOKEN, baseUrl: fake.url, clock, retry: { limit: 0 } });
    close = () => graph.close();
    permissions = createCallPermissions({ graph, store: memoryStore(), clock });
    host = await startHost({ permissions, appSecret: 's', verifyToken: 'v', routes: threadApi(permissions, { token: TOKEN, rateLimit: { burst: 100, perSecond: 100 } }) });
    fake.grant(thread);
    await permissions.ingest([{ kind: 'permission_reply', id: 'r1', thread, response: 'approve', expiresAt: null, at: clock.now() }]);
  });
  afterEach(async () => {
    await host.close();
    close();
    await fake.close();
  });

  const post = (path: string, body: unknown) => rawRequest(host.url, { method: 'POST', path, headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('places the call (SDP in, call id and SDP answer out), then ends it; ending it again is 409', async () => {
    const placed = await post(`/threads/${thread.pageId}/${thread.psid}/call`, { sdp });
    expect(placed.status).toBe(200);
    const body = JSON.parse(placed.body) as { callId: string; sdpAnswer: string };
    expect(body.sdpAnswer).toMatch(/^v=0/);
    expect(fake.connects.map((c) => [c.outcome, c.callId])).toEqual([['placed', body.callId]]);
    const ended = await post(`/calls/${thread.pageId}/${body.callId}/terminate`, {});
    expect([ended.status, JSON.parse(ended.body).ok]).toEqual([200, true]);
    const again = await post(`/calls/${thread.pageId}/${body.callId}/terminate`, {});
    expect([again.status, JSON.parse(again.body).failure.kind]).toEqual([409, 'call_gone']);
  });

  it('refuses a call the decision does not allow without reaching Meta (409 with the reason)', async () => {
    const refused = await post(`/threads/${stranger.pageId}/${stranger.psid}/call`, { sdp });
    expect([refused.status, JSON.parse(refused.body).reason]).toEqual([409, 'no_permission']);
    expect(fake.connects).toHaveLength(0);
  });

  it('answers 400 for a missing or bad body or id, 413 for a huge one, and never reaches Meta', async () => {
    const path = `/threads/${thread.pageId}/${thread.psid}/call`;
    expect(errorCode(await post(path, 'not json'))).toBe('bad_body');
    expect(errorCode(await post(path, { offer: sdp }))).toBe('bad_body');
    const empty = await post(path, { sdp: '' });
    expect([empty.status, JSON.parse(empty.body).reason]).toEqual([400, 'invalid_offer']);
    const huge = await post(path, { sdp: 'v=0'.padEnd(100_000, 'x') });
    expect([huge.status, errorCode(huge)]).toEqual([413, 'body_too_large']);
    const badCall = await post(`/calls/${thread.pageId}/%00/terminate`, {});
    expect([badCall.status, errorCode(badCall)]).toEqual([400, 'bad_call']);
    const unknown = await post(`/calls/${thread.pageId}/c_1/hold`, {});
    expect([unknown.status, errorCode(unknown)]).toEqual([404, 'not_found']);
    expect(fake.connects).toHaveLength(0);
  });

  it('a refusal from Meta is 409 and teaches the thread: no permission at Meta ends the permission here', async () => {
    fake.revoke(thread);
    const refused = await post(`/threads/${thread.pageId}/${thread.psid}/call`, { sdp });
    expect([refused.status, JSON.parse(refused.body).reason, JSON.parse(refused.body).failure.kind]).toEqual([409, 'connect_refused', 'no_call_permission']);
    expect((await permissions.status(thread)).callBlockedBy).toBe('no_permission');
    const next = await post(`/threads/${thread.pageId}/${thread.psid}/call`, { sdp });
    expect([next.status, JSON.parse(next.body).reason]).toEqual([409, 'no_permission']);
    expect(fake.connects).toHaveLength(1);
  });
});
