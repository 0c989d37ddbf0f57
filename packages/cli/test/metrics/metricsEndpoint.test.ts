import { createFakeGraphApi, pageWebhook, permissionReplyEntry, postWebhook, VirtualClock, type FakeGraphApi } from '@callperm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../support/captureIo.js';
import { serveInProcess, type Served } from '../support/serveInProcess.js';

const APP_SECRET = 'metrics-test-secret';
const VERIFY_TOKEN = 'metrics-test-verify';
const TOKEN = 'metrics-test-token';
const API_TOKEN = 'metrics-test-api-token-0123456789';
const auth = { authorization: `Bearer ${API_TOKEN}` };

describe('callperm serve: GET /metrics', () => {
  const scratch = scratchDir();
  let fake: FakeGraphApi;
  let served: Served;

  beforeAll(async () => {
    fake = await createFakeGraphApi({ clock: new VirtualClock(Date.UTC(2026, 0, 1)), accessTokens: TOKEN });
    served = await serveInProcess({ PAGE_ACCESS_TOKEN: TOKEN, APP_SECRET, VERIFY_TOKEN, GRAPH_BASE_URL: fake.url, CALLPERM_API_TOKEN: API_TOKEN }, scratch.dir);
  });
  afterAll(async () => {
    await served.stop();
    await fake.close();
    scratch.cleanup();
  });

  it('answers the Prometheus text of the callperm metrics once work was done, behind the API token', async () => {
    const thread = { pageId: '7001', psid: '8001' };
    fake.inbound(thread);
    const sent = await fetch(`${served.url}/threads/${thread.pageId}/${thread.psid}/request`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' } });
    expect(sent.status).toBe(200);
    const at = Date.now();
    expect((await postWebhook(`${served.url}/webhook`, APP_SECRET, pageWebhook([permissionReplyEntry({ ...thread, at, response: 'approve' })]))).status).toBe(200);
    expect((await postWebhook(`${served.url}/webhook`, 'not-the-secret', pageWebhook([]))).status).toBe(401);

    const res = await fetch(`${served.url}/metrics`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    // OTel's Prometheus names: dots become underscores, counters get _total.
    expect(text).toMatch(/^callperm_optin_sent(_request)?_total(\{[^}]*\})? 1\b/m);
    expect(text).toMatch(/^callperm_decisions(_decision)?_total\{[^}]*callperm_operation="request"[^}]*callperm_reason="sent"[^}]*\} 1\b/m);
    expect(text).toMatch(/^callperm_webhook_deliveries(_request)?_total\{[^}]*callperm_outcome="refused"[^}]*callperm_refusal="invalid_signature"[^}]*\} 1\b/m);
    expect(text).toMatch(/^callperm_webhook_events(_event)?_total\{[^}]*callperm_outcome="applied"[^}]*\} 1\b/m);
    expect(text).toMatch(/^callperm_graph_duration(_seconds)?_count\{[^}]*callperm_graph_operation="opt_in"/m);
    expect(text).toMatch(/^callperm_store_duration(_seconds)?_count\{[^}]*callperm_store_method="commitThread"/m);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(APP_SECRET);
  });

  it('refuses without the token (401), with a wrong one (401) and from a web page (403); only GET', async () => {
    expect((await fetch(`${served.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${served.url}/metrics`, { headers: { authorization: 'Bearer not-the-api-token-at-all' } })).status).toBe(401);
    expect((await fetch(`${served.url}/metrics`, { headers: { ...auth, origin: 'https://evil.example' } })).status).toBe(403);
    expect((await fetch(`${served.url}/metrics`, { method: 'POST', headers: auth })).status).toBe(405);
  });
});

describe('callperm serve without CALLPERM_API_TOKEN', () => {
  const scratch = scratchDir();
  afterAll(() => scratch.cleanup());

  it('has no /metrics (404): it needs the API', async () => {
    const fake = await createFakeGraphApi({ clock: new VirtualClock(Date.UTC(2026, 0, 1)), accessTokens: TOKEN });
    const served = await serveInProcess({ PAGE_ACCESS_TOKEN: TOKEN, APP_SECRET, VERIFY_TOKEN, GRAPH_BASE_URL: fake.url }, scratch.dir);
    try {
      const res = await fetch(`${served.url}/metrics`, { headers: auth });
      expect(res.status).toBe(404);
    } finally {
      await served.stop();
      await fake.close();
    }
  });
});
