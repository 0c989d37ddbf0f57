import { StoreUnavailableError } from '@callperm/adapters';
import { createCallPermissions, memoryStore, type PermissionStore, type Thread } from '@callperm/core';
import { offlineGraph } from '@callperm/testing';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../src/host/startHost.js';
import { threadApi } from '../../src/host/threadApi.js';
import { scratchDir } from '../support/captureIo.js';
import { errorCode, rawRequest, type RawAnswer } from '../support/rawRequest.js';
import { serveInProcess } from '../support/serveInProcess.js';

const TOKEN = 'readyz-test-api-token-0123456789';
/** A connection string a driver's error may quote: /readyz must never show it. */
const SECRET_URL = 'postgres://callperm:hunter2@db.internal:5432/prod';
const READY = `${JSON.stringify({ ready: true })}\n`;
const notReady = (reason: string): string => `${JSON.stringify({ ready: false, reason })}\n`;

/**
 * A real memory store with a fault injected: while `down`, its `get` rejects
 * with the `StoreUnavailableError` a SQL or Redis store throws in an outage
 * (its cause quoting a connection string). Counts the reads it was asked for.
 */
const faultyStore = (): { store: PermissionStore; down: boolean; reads: Thread[]; gate: Promise<void> | null } => {
  const real = memoryStore();
  const state = {
    down: false,
    reads: [] as Thread[],
    gate: null as Promise<void> | null,
    store: {
      ...real,
      get: async (thread: Thread) => {
        state.reads.push(thread);
        await state.gate;
        if (state.down) throw new StoreUnavailableError('postgres', { cause: new Error(`connect ECONNREFUSED ${SECRET_URL}`) });
        return real.get(thread);
      },
    } satisfies PermissionStore,
  };
  return state;
};

/**
 * A loopback port nothing listens on, below Linux's ephemeral range (32768-60999):
 * an ephemeral one could become the local port of the client reconnecting to it,
 * which would then talk to itself (TCP self-connect).
 */
const portNothingListensOn = async (): Promise<number> => {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
};

const leaksNothing = (a: RawAnswer): void => {
  expect(a.body).not.toMatch(/hunter2|postgres:|ECONNREFUSED|db\.internal|StoreUnavailableError/);
};

describe('GET /readyz: readiness from a read of the store', () => {
  let host: RunningHost | undefined;
  afterEach(async () => { await host?.close(); host = undefined; });

  const start = async (store: PermissionStore, onError?: (code: string) => void): Promise<RunningHost> => {
    const permissions = createCallPermissions({ graph: offlineGraph(), store });
    host = await startHost({
      permissions, appSecret: 's', verifyToken: 'v',
      routes: threadApi(permissions, { token: TOKEN, store, ...(onError ? { onError } : {}) }),
    });
    return host;
  };

  it('is 200 {"ready":true} while the store answers, 503 store_unavailable with Retry-After while it is down, and 200 again once it is back; /healthz stays 200', async () => {
    const faulty = faultyStore();
    const codes: string[] = [];
    const h = await start(faulty.store, (c) => codes.push(c));

    const up = await rawRequest(h.url, { path: '/readyz' });
    expect([up.status, up.body, up.headers['cache-control']]).toEqual([200, READY, 'no-store']);

    faulty.down = true;
    const down = await rawRequest(h.url, { path: '/readyz' });
    expect([down.status, down.body, down.headers['retry-after']]).toEqual([503, notReady('store_unavailable'), '1']);
    leaksNothing(down);
    const live = await rawRequest(h.url, { path: '/healthz' });
    expect([live.status, JSON.parse(live.body)]).toEqual([200, { ok: true }]);

    faulty.down = false;
    expect((await rawRequest(h.url, { path: '/readyz' })).body).toBe(READY);
    // The probe reads a thread no one has; an expected outage is not logged on every probe.
    expect(faulty.reads.every((t) => t.pageId === '0' && t.psid === '0')).toBe(true);
    expect(codes).toEqual([]);
  });

  it('needs no token, Host or Origin check even when the API requires a token (like /healthz); the API still does', async () => {
    const faulty = faultyStore();
    const h = await start(faulty.store);
    const open = await rawRequest(h.url, { path: '/readyz', headers: { host: 'balancer.example', origin: 'https://elsewhere.example' } });
    expect([open.status, open.body]).toEqual([200, READY]);
    const wrongToken = await rawRequest(h.url, { path: '/readyz', headers: { authorization: 'Bearer wrong' } });
    expect(wrongToken.status).toBe(200);
    const api = await rawRequest(h.url, { path: '/threads/1/2' });
    expect([api.status, errorCode(api)]).toEqual([401, 'unauthorized']);
    const head = await rawRequest(h.url, { method: 'HEAD', path: '/readyz' });
    expect([head.status, head.body]).toEqual([200, '']);
    const post = await rawRequest(h.url, { method: 'POST', path: '/readyz' });
    expect([post.status, errorCode(post), post.headers.allow]).toEqual([405, 'method_not_allowed', 'GET, HEAD']);
  });

  it('is 503 store_closed once the store is closed (shutting down)', async () => {
    const store = memoryStore();
    const h = await start(store);
    expect((await rawRequest(h.url, { path: '/readyz' })).status).toBe(200);
    await store.close();
    const closed = await rawRequest(h.url, { path: '/readyz' });
    expect([closed.status, closed.body, closed.headers['retry-after']]).toEqual([503, notReady('store_closed'), '1']);
  });

  it('is 503 store_error, logged by code only, when the store fails otherwise', async () => {
    const real = memoryStore();
    const codes: string[] = [];
    const broken: PermissionStore = { ...real, get: () => Promise.reject(new TypeError(`bad row at ${SECRET_URL}`)) };
    const h = await start(broken, (c) => codes.push(c));
    const a = await rawRequest(h.url, { path: '/readyz' });
    expect([a.status, a.body]).toEqual([503, notReady('store_error')]);
    leaksNothing(a);
    expect(codes).toEqual(['TypeError']);
  });

  it('answers probes that arrive while a read is in flight from that one read', async () => {
    const faulty = faultyStore();
    let release!: () => void;
    faulty.gate = new Promise((resolve) => { release = resolve; });
    const permissions = createCallPermissions({ graph: offlineGraph(), store: faulty.store });
    const api = threadApi(permissions, { store: faulty.store });
    const PROBES = 5;
    let arrived = 0;
    host = await startHost({
      permissions, appSecret: 's', verifyToken: 'v',
      // The last probe lets the read finish as it arrives: every probe came while it was in flight.
      routes: (req, res) => {
        arrived += 1;
        if (arrived === PROBES) release();
        return api(req, res);
      },
    });
    const url = host.url;
    const answers = await Promise.all(Array.from({ length: PROBES }, () => rawRequest(url, { path: '/readyz' })));
    expect(answers.map((a) => [a.status, a.body])).toEqual(Array.from({ length: PROBES }, () => [200, READY]));
    expect(faulty.reads).toHaveLength(1);
    expect((await rawRequest(url, { path: '/readyz' })).status).toBe(200);
    expect(faulty.reads).toHaveLength(2); // a probe after it settled reads again
  });
});

describe('callperm serve: /readyz', () => {
  const env = { PAGE_ACCESS_TOKEN: 'readyz-page-token', APP_SECRET: 'readyz-app-secret', VERIFY_TOKEN: 'v', GRAPH_BASE_URL: 'http://127.0.0.1:9', CALLPERM_API_TOKEN: TOKEN };

  it.each([
    ['the API on the public listener', []],
    ['the API on a listener of its own (--api-port)', ['--api-port', '0']],
  ])('is ready on a working SQLite store without a token, with %s', async (_label, args) => {
    const scratch = scratchDir();
    const served = await serveInProcess(env, scratch.dir, args);
    try {
      for (const base of new Set([served.url, served.api ?? served.url])) {
        const ready = await rawRequest(base, { path: '/readyz' });
        expect([ready.status, ready.body]).toEqual([200, READY]);
        expect(ready.body).not.toContain(TOKEN);
      }
      const api = await rawRequest(served.api ?? served.url, { path: '/threads/1/2' });
      expect([api.status, errorCode(api)]).toEqual([401, 'unauthorized']);
    } finally {
      expect(await served.stop()).toBe(0);
      scratch.cleanup();
    }
  });

  it('is 503 store_unavailable on a Redis store whose server is not there (a real outage), /healthz stays 200, and serve still stops', async () => {
    const scratch = scratchDir();
    const storeUrl = `redis://:hunter2@127.0.0.1:${await portNothingListensOn()}`;
    const served = await serveInProcess(env, scratch.dir, ['--store', storeUrl]);
    try {
      const down = await rawRequest(served.url, { path: '/readyz' });
      expect([down.status, down.body, down.headers['retry-after']]).toEqual([503, notReady('store_unavailable'), '1']);
      leaksNothing(down);
      expect(down.body).not.toContain(storeUrl);
      expect((await rawRequest(served.url, { path: '/healthz' })).status).toBe(200);
    } finally {
      expect(await served.stop()).toBe(0); // closes the store that never connected
      scratch.cleanup();
    }
  });
});
