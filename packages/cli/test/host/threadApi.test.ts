import { StoreClosedError, type CallPermissions, type Thread } from '@callperm/core';
import { afterEach, describe, expect, it } from 'vitest';
import { PageRateLimiter } from '../../src/host/PageRateLimiter.js';
import { startHost, type RunningHost } from '../../src/host/startHost.js';
import { threadApi, type ThreadApiOptions } from '../../src/host/threadApi.js';
import { errorCode, rawRequest } from '../support/rawRequest.js';

const TOKEN = 'thread-api-test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const postJson = { ...auth, 'content-type': 'application/json' };

/** A service stub: answers status and request, or throws what `fail` says. */
const stub = (fail?: () => Error): CallPermissions & { calls: Thread[] } => {
  const calls: Thread[] = [];
  const answer = (thread: Thread, value: unknown): Promise<unknown> => {
    calls.push(thread);
    return fail ? Promise.reject(fail()) : Promise.resolve(value);
  };
  return {
    calls,
    status: (thread: Thread) => answer(thread, { state: 'none', canStartCall: false }),
    request: (thread: Thread) => answer(thread, { ok: true, value: { decision: { state: 'requested' } } }),
    refresh: (thread: Thread) => answer(thread, { ok: true, value: { state: 'approved' } }),
  } as unknown as CallPermissions & { calls: Thread[] };
};

describe('threadApi: access', () => {
  let host: RunningHost | undefined;
  afterEach(async () => { await host?.close(); host = undefined; });

  const start = async (permissions: CallPermissions, options: ThreadApiOptions): Promise<RunningHost> => {
    host = await startHost({ permissions, appSecret: 's', verifyToken: 'v', routes: threadApi(permissions, options) });
    return host;
  };

  it('is off without a token: /threads answers 404 api_disabled, /healthz and the webhook handshake still serve', async () => {
    const permissions = stub();
    const h = await start(permissions, {});
    const a = await rawRequest(h.url, { path: '/threads/1/2', headers: auth });
    expect([a.status, errorCode(a)]).toEqual([404, 'api_disabled']);
    const p = await rawRequest(h.url, { method: 'POST', path: '/threads/1/2/request', headers: postJson });
    expect([p.status, errorCode(p)]).toEqual([404, 'api_disabled']);
    expect((await rawRequest(h.url, { path: '/healthz' })).status).toBe(200);
    expect((await rawRequest(h.url, { path: '/webhook?hub.mode=subscribe&hub.verify_token=v&hub.challenge=7' })).body).toBe('7');
    expect(permissions.calls).toEqual([]);
  });

  it('needs the bearer token: none or a wrong one is 401 unauthorized, the right one is served', async () => {
    const permissions = stub();
    const h = await start(permissions, { token: TOKEN });
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${TOKEN}x` }, { authorization: TOKEN }, { authorization: `Basic ${TOKEN}` }]) {
      const a = await rawRequest(h.url, { path: '/threads/1/2', headers });
      expect([a.status, errorCode(a)]).toEqual([401, 'unauthorized']);
    }
    expect(permissions.calls).toEqual([]);
    const ok = await rawRequest(h.url, { path: '/threads/1/2', headers: auth });
    expect(ok.status).toBe(200);
    expect(permissions.calls).toEqual([{ pageId: '1', psid: '2' }]);
  });

  it('refuses a Host outside the allow-list (DNS rebinding) and any Origin (a web page), even with the token', async () => {
    const permissions = stub();
    const h = await start(permissions, { token: TOKEN, allowedHosts: ['api.internal'] });
    const { port } = new URL(h.url);
    const foreign = await rawRequest(h.url, { method: 'POST', path: '/threads/1/2/request', headers: { ...postJson, host: `evil.example:${port}` } });
    expect([foreign.status, errorCode(foreign)]).toEqual([403, 'host_not_allowed']);
    const otherPort = await rawRequest(h.url, { path: '/threads/1/2', headers: { ...auth, host: `127.0.0.1:${Number(port) + 1}` } });
    expect([otherPort.status, errorCode(otherPort)]).toEqual([403, 'host_not_allowed']);
    const origin = await rawRequest(h.url, { method: 'POST', path: '/threads/1/2/request', headers: { ...postJson, origin: 'https://evil.example' } });
    expect([origin.status, errorCode(origin)]).toEqual([403, 'origin_not_allowed']);
    const nullOrigin = await rawRequest(h.url, { path: '/threads/1/2', headers: { ...auth, origin: 'null' } });
    expect([nullOrigin.status, errorCode(nullOrigin)]).toEqual([403, 'origin_not_allowed']);
    expect(permissions.calls).toEqual([]);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, 'api.internal', 'api.internal:8443']) {
      expect((await rawRequest(h.url, { path: '/threads/1/2', headers: { ...auth, host } })).status).toBe(200);
    }
  });

  it('needs Content-Type: application/json on POSTs (415 unsupported_media_type)', async () => {
    const permissions = stub();
    const h = await start(permissions, { token: TOKEN });
    for (const type of [undefined, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const a = await rawRequest(h.url, { method: 'POST', path: '/threads/1/2/refresh', headers: { ...auth, ...(type ? { 'content-type': type } : {}) }, body: '{}' });
      expect([a.status, errorCode(a)]).toEqual([415, 'unsupported_media_type']);
    }
    expect(permissions.calls).toEqual([]);
    const ok = await rawRequest(h.url, { method: 'POST', path: '/threads/1/2/refresh', headers: { ...auth, 'content-type': 'Application/JSON; charset=utf-8' } });
    expect(ok.status).toBe(200);
  });

  it('rate-limits request and refresh per Page on the injected clock (429 with Retry-After)', async () => {
    let now = 1_000_000;
    const permissions = stub();
    const h = await start(permissions, { token: TOKEN, rateLimit: new PageRateLimiter({ burst: 2, perSecond: 0.5, now: () => now }) });
    const post = (page: string, action: string) => rawRequest(h.url, { method: 'POST', path: `/threads/${page}/9/${action}`, headers: postJson });
    expect((await post('1', 'request')).status).toBe(200);
    expect((await post('1', 'refresh')).status).toBe(200);
    const limited = await post('1', 'request');
    expect([limited.status, errorCode(limited), limited.headers['retry-after']]).toEqual([429, 'rate_limited', '2']);
    expect((await post('2', 'refresh')).status).toBe(200); // another Page has its own bucket
    expect((await rawRequest(h.url, { path: '/threads/1/9', headers: auth })).status).toBe(200); // reads are not limited
    now += 2_000;
    expect((await post('1', 'refresh')).status).toBe(200);
    expect((await post('1', 'refresh')).status).toBe(429);
  });
});

describe('threadApi: never crashes on input', () => {
  let host: RunningHost | undefined;
  afterEach(async () => { await host?.close(); host = undefined; });

  it.each([
    ['/threads/%E0%A4%A/2'], ['/threads/1/%E0%A4%A'], ['/threads/%/2/chart'], ['/threads/%E0%A4%A/2/request'],
    ['/threads/1%2F2/3'], ['/threads/abc/2'], ['/threads/1.5/2'], ['/threads/-1/2'], ['/threads/%31/2'],
    [`/threads/${'1'.repeat(33)}/2`], [`/threads/1/${'9'.repeat(10_000)}`], ['/threads/١٢٣/2'],
  ].map(([p = '']) => [p.length > 60 ? `${p.slice(0, 30)}... (${p.length} chars)` : p, p]))('answers 400 bad_thread for %s without calling the service', async (_label, path) => {
    const permissions = stub();
    host = await startHost({ permissions, appSecret: 's', verifyToken: 'v', routes: threadApi(permissions, { token: TOKEN }) });
    const method = path.endsWith('/request') ? 'POST' : 'GET';
    const a = await rawRequest(host.url, { method, path: encodeURI(path).replace(/%25/g, '%'), headers: postJson });
    expect([a.status, errorCode(a)]).toEqual([400, 'bad_thread']);
    expect(permissions.calls).toEqual([]);
    expect((await rawRequest(host.url, { path: '/healthz' })).status).toBe(200);
  });

  it.each([['/threads'], ['/threads/1'], ['/threads/1/2/delete'], ['/threads/1/2/chart/x'], ['/threads/1/2/constructor'], ['/threads/1/2/__proto__']])(
    'answers 404 not_found for %s',
    async (path) => {
      const permissions = stub();
      host = await startHost({ permissions, appSecret: 's', verifyToken: 'v', routes: threadApi(permissions, { token: TOKEN }) });
      const a = await rawRequest(host.url, { path, headers: auth });
      expect([a.status, errorCode(a)]).toEqual([404, 'not_found']);
    },
  );

  it('catches a failing route: 503 unavailable for a closed store, 500 internal otherwise, logged by code only', async () => {
    const codes: string[] = [];
    const secret = 'postgres://u:hunter2@db/x';
    for (const [fail, status, code] of [
      [() => new StoreClosedError('memory'), 503, 'unavailable'],
      [() => Object.assign(new Error(secret), { code: 'ECONNREFUSED' }), 500, 'internal'],
      [() => new TypeError(secret), 500, 'internal'],
    ] as const) {
      const permissions = stub(fail);
      host = await startHost({ permissions, appSecret: 's', verifyToken: 'v', routes: threadApi(permissions, { token: TOKEN, onError: (c) => codes.push(c) }) });
      const a = await rawRequest(host.url, { path: '/threads/1/2', headers: auth });
      expect([a.status, errorCode(a)]).toEqual([status, code]);
      expect(a.body).not.toContain('hunter2');
      await host.close();
      host = undefined;
    }
    expect(codes).toEqual(['store_closed', 'ECONNREFUSED', 'TypeError']);
  });

  it('answers a route that throws synchronously with 500 internal and keeps serving', async () => {
    const codes: string[] = [];
    const permissions = stub();
    host = await startHost({
      permissions, appSecret: 's', verifyToken: 'v', onRouteError: (c) => codes.push(c),
      routes: () => { throw new RangeError('boom'); },
    });
    const a = await rawRequest(host.url, { path: '/anything' });
    expect([a.status, errorCode(a)]).toEqual([500, 'internal']);
    expect(codes).toEqual(['RangeError']);
    expect((await rawRequest(host.url, { path: '/webhook?hub.mode=subscribe&hub.verify_token=v&hub.challenge=1' })).status).toBe(200);
  });
});
