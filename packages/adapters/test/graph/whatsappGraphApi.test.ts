import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GraphFailure, Result, Thread } from '@callperm/core';
import {
  appSecretProof, GraphConfigError, graphApi, parseWhatsAppCallingStatus, parseWhatsAppCallSettings, parseWhatsAppConnect, parseWhatsAppSend,
  whatsappGraphApi, type GraphLogEntry, type WhatsAppGraphApiClient, type WhatsAppGraphApiOptions,
} from '@callperm/adapters/graph';
import { VirtualClock } from '@callperm/testing';
import { scriptedGraph, type ScriptedGraph, type StubAnswer, type StubRequest } from './support/scriptedGraph.js';
import { throttleBody } from './support/throttleCodes.js';

const NUMBER = '106540352242922';
const OTHER_NUMBER = '106540352242933';
const TOKEN = 'EAAGwhatsapptokenforthestub0123456789';
const OTHER_TOKEN = 'EAAGsecondnumbertokenforthestub98765';
const thread: Thread = { channel: 'whatsapp', pageId: NUMBER, psid: '4915112345678' };
const OFFER = [
  'v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=candidate:1 1 udp 2122260223 192.0.2.10 54321 typ host', 'a=rtpmap:111 opus/48000/2', '',
].join('\r\n');

/** The Cloud API's happy answers (facts §9, Meta's calling pages). */
const waAnswer = (req: StubRequest): StubAnswer | undefined => {
  switch (req.edge) {
    case 'call_permissions':
      return {
        status: 200, body: {
          messaging_product: 'whatsapp', permission: { status: 'temporary', expiration_time: 1_780_000_000 },
          actions: [
            { action_name: 'send_call_permission_request', can_perform_action: true, limits: [{ time_period: 'PT24H', max_allowed: 1, current_usage: 0 }] },
            { action_name: 'start_call', can_perform_action: true, limits: [{ time_period: 'PT24H', max_allowed: 100, current_usage: 2 }] },
          ],
        },
      };
    case 'messages':
      return { status: 200, body: { messaging_product: 'whatsapp', contacts: [{ input: thread.psid, wa_id: thread.psid }], messages: [{ id: 'wamid.stub' }] } };
    case 'settings':
      return { status: 200, body: { calling: { status: 'ENABLED', call_icon_visibility: 'DEFAULT', callback_permission_status: 'ENABLED' } } };
    case 'calls':
      return JSON.parse(req.body).action === 'connect'
        ? { status: 200, body: { messaging_product: 'whatsapp', calls: [{ id: 'wacid.stub' }] } }
        : { status: 200, body: { success: true } };
    default:
      return undefined;
  }
};

let stub: ScriptedGraph;
beforeAll(async () => { stub = await scriptedGraph(); });
afterAll(async () => { await stub.close(); });
beforeEach(() => { stub.reset(); stub.answer(waAnswer); });

const client = (options: Partial<WhatsAppGraphApiOptions> = {}): WhatsAppGraphApiClient => whatsappGraphApi({
  accessTokens: TOKEN, baseUrl: stub.url, clock: new VirtualClock(Date.UTC(2026, 5, 1)), retry: { limit: 2, baseDelayMs: 1, maxDelayMs: 5 }, ...options,
});
const bodyOf = (r: StubRequest | undefined): unknown => JSON.parse(r?.body ?? 'null');
const use = async <T>(graph: WhatsAppGraphApiClient, f: (g: WhatsAppGraphApiClient) => Promise<T>): Promise<T> => {
  try {
    return await f(graph);
  } finally {
    graph.close();
  }
};

type Method = 'check' | 'request' | 'page_calling' | 'settings' | 'connect' | 'terminate' | 'accept' | 'reject';
const run = (graph: WhatsAppGraphApiClient, method: Method, t: Thread = thread): Promise<Result<unknown, GraphFailure>> => {
  switch (method) {
    case 'check': return graph.checkPermission(t);
    case 'request': return graph.sendPermissionRequest(t);
    case 'page_calling': return graph.checkPageCalling(t.pageId);
    case 'settings': return graph.checkCallSettings(t.pageId);
    case 'connect': return graph.connectCall(t, OFFER);
    case 'terminate': return graph.terminateCall(t.pageId, 'wacid.1');
    case 'accept': return graph.acceptCall(t.pageId, 'wacid.in', OFFER);
    case 'reject': return graph.rejectCall(t.pageId, 'wacid.in');
  }
};
const EDGE: Record<Method, string> = {
  check: 'call_permissions', request: 'messages', page_calling: 'settings', settings: 'settings',
  connect: 'calls', terminate: 'calls', accept: 'calls', reject: 'calls',
};
const ALL: readonly Method[] = ['check', 'request', 'page_calling', 'settings', 'connect', 'terminate', 'accept', 'reject'];

describe('whatsappGraphApi: what is sent and what is read', () => {
  it('checkPermission: GET /{number}/call_permissions?user_wa_id=, read by parsePermissionCheck (temporary -> has_permission)', async () => {
    const r = await use(client({ appSecret: 'the-app-secret' }), (g) => g.checkPermission(thread));
    expect(r.ok && [r.value.status, r.value.rawStatus, r.value.expiresAt, r.value.startCall?.limits[0]?.max]).toEqual(['has_permission', 'temporary', 1_780_000_000_000, 100]);
    const [req] = stub.requests;
    expect([req?.method, req?.path, req?.body]).toEqual(['GET', `/v26.0/${NUMBER}/call_permissions`, '']);
    expect(req?.query).toEqual({ user_wa_id: thread.psid, appsecret_proof: appSecretProof(TOKEN, 'the-app-secret') });
    expect(req?.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('checkPermission: a business-scoped user id (not all digits) goes as recipient=', async () => {
    await use(client(), (g) => g.checkPermission({ ...thread, psid: 'US.13491208655302741918' }));
    expect(stub.requests[0]?.query).toEqual({ recipient: 'US.13491208655302741918' });
  });

  it('sendPermissionRequest: the interactive call_permission_request, no body text unless configured; answers the wamid', async () => {
    const bare = await use(client(), (g) => g.sendPermissionRequest(thread));
    expect(bare).toEqual({ ok: true, value: { messageId: 'wamid.stub' } });
    const [req] = stub.requests;
    expect([req?.method, req?.path, req?.authorization]).toEqual(['POST', `/v26.0/${NUMBER}/messages`, `Bearer ${TOKEN}`]);
    expect(bodyOf(req)).toEqual({
      messaging_product: 'whatsapp', recipient_type: 'individual', to: thread.psid, type: 'interactive',
      interactive: { type: 'call_permission_request', action: { name: 'call_permission_request' } },
    });
    stub.requests.length = 0;
    await use(client({ requestBodyText: 'May we call you about your order?' }), (g) => g.sendPermissionRequest(thread));
    expect(bodyOf(stub.requests[0])).toMatchObject({ interactive: { type: 'call_permission_request', action: { name: 'call_permission_request' }, body: { text: 'May we call you about your order?' } } });
  });

  it('sendPermissionRequest as a template: the approved template by name and language (components as given)', async () => {
    const template = { name: 'call_permission_ask', language: 'en_US', components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ada' }] }] };
    const sent = await use(client({ requestTemplate: template }), (g) => g.sendPermissionRequest(thread, { message: 'template' }));
    expect(sent).toEqual({ ok: true, value: { messageId: 'wamid.stub' } });
    expect(bodyOf(stub.requests[0])).toEqual({
      messaging_product: 'whatsapp', recipient_type: 'individual', to: thread.psid, type: 'template',
      template: { name: 'call_permission_ask', language: { code: 'en_US' }, components: template.components },
    });
    stub.requests.length = 0;
    // The standard message stays the interactive one even when a template is configured.
    await use(client({ requestTemplate: template }), (g) => g.sendPermissionRequest(thread, { message: 'standard' }));
    expect(bodyOf(stub.requests[0])).toMatchObject({ type: 'interactive' });
  });

  it('a template request without requestTemplate fails as invalid, processed no, and sends nothing', async () => {
    const r = await use(client(), (g) => g.sendPermissionRequest(thread, { message: 'template' }));
    expect(!r.ok && [r.error.kind, r.error.processed]).toEqual(['invalid', 'no']);
    expect(stub.requests).toHaveLength(0);
  });

  it('checkPageCalling and checkCallSettings: GET /{number}/settings, calling.status read', async () => {
    const g = client();
    await use(g, async () => {
      expect(await g.checkPageCalling(NUMBER)).toEqual({ ok: true, value: { enabled: true, status: 'ENABLED' } });
      expect(await g.checkCallSettings(NUMBER)).toEqual({ ok: true, value: { audioEnabled: true, videoEnabled: null, ringTarget: null } });
      stub.answer((req) => (req.edge === 'settings' ? { status: 200, body: { calling: { status: 'DISABLED' } } } : waAnswer(req)));
      expect(await g.checkPageCalling(NUMBER)).toEqual({ ok: true, value: { enabled: false, status: 'DISABLED' } });
      expect(await g.checkCallSettings(NUMBER)).toEqual({ ok: true, value: { audioEnabled: false, videoEnabled: null, ringTarget: null } });
    });
    expect(stub.requests.map((r) => [r.method, r.path, r.body, r.query])).toEqual(Array.from({ length: 4 }, () => ['GET', `/v26.0/${NUMBER}/settings`, '', {}]));
  });

  it('connectCall: POST /{number}/calls with the offer; the call id comes back and the SDP answer is null (it comes in the webhook)', async () => {
    const r = await use(client(), (g) => g.connectCall(thread, OFFER));
    expect(r).toEqual({ ok: true, value: { callId: 'wacid.stub', sdpAnswer: null } });
    const [req] = stub.requests;
    expect([req?.method, req?.path, req?.authorization]).toEqual(['POST', `/v26.0/${NUMBER}/calls`, `Bearer ${TOKEN}`]);
    expect(bodyOf(req)).toEqual({ messaging_product: 'whatsapp', to: thread.psid, action: 'connect', session: { sdp_type: 'offer', sdp: OFFER } });
  });

  it('terminateCall, acceptCall, rejectCall: the call id and action (accept with the host SDP as the answer)', async () => {
    const g = client();
    const results = await use(g, async () => [await g.terminateCall(NUMBER, 'wacid.1'), await g.acceptCall(NUMBER, 'wacid.in', OFFER), await g.rejectCall(NUMBER, 'wacid.in')]);
    expect(results).toEqual([{ ok: true, value: null }, { ok: true, value: { sdpAnswer: null } }, { ok: true, value: null }]);
    expect(stub.requests.map(bodyOf)).toEqual([
      { messaging_product: 'whatsapp', call_id: 'wacid.1', action: 'terminate' },
      { messaging_product: 'whatsapp', call_id: 'wacid.in', action: 'accept', session: { sdp_type: 'answer', sdp: OFFER } },
      { messaging_product: 'whatsapp', call_id: 'wacid.in', action: 'reject' },
    ]);
    expect(stub.requests.every((r) => r.path === `/v26.0/${NUMBER}/calls` && r.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('a 2xx it cannot read fails as processed unknown on the writes (Meta may have acted)', async () => {
    stub.answer(() => ({ status: 200, body: { messaging_product: 'whatsapp' } }));
    const g = client();
    const [send, connect] = await use(g, async () => [await g.sendPermissionRequest(thread), await g.connectCall(thread, OFFER)]);
    for (const r of [send, connect]) expect(r?.ok ? null : [r?.error.kind, r?.error.processed]).toEqual(['unknown', 'unknown']);
  });
});

describe('the Messenger client has no template form of the opt-in', () => {
  it('a template request to graphApi fails as invalid, processed no, nothing sent', async () => {
    const g = graphApi({ accessToken: TOKEN, baseUrl: stub.url, clock: new VirtualClock(Date.UTC(2026, 5, 1)) });
    const r = await g.sendPermissionRequest({ pageId: '1234', psid: '5678' }, { message: 'template' }).finally(() => g.close());
    expect(!r.ok && [r.error.kind, r.error.processed]).toEqual(['invalid', 'no']);
    expect(stub.requests).toHaveLength(0);
  });
});

describe('tokens per phone number', () => {
  it('two numbers, two tokens; a number without a token is refused as auth with no request', async () => {
    const g = client({ accessTokens: { [NUMBER]: TOKEN, [OTHER_NUMBER]: OTHER_TOKEN } });
    const [a, b, none, proto] = await use(g, async () => [
      await g.checkPermission(thread), await g.connectCall({ ...thread, pageId: OTHER_NUMBER }, OFFER),
      await g.sendPermissionRequest({ ...thread, pageId: '999' }), await g.checkPageCalling('constructor'),
    ]);
    expect([a?.ok, b?.ok]).toEqual([true, true]);
    expect(stub.requests.map((r) => [r.pageId, r.authorization])).toEqual([[NUMBER, `Bearer ${TOKEN}`], [OTHER_NUMBER, `Bearer ${OTHER_TOKEN}`]]);
    for (const r of [none, proto]) expect(r?.ok ? null : [r?.error.kind, r?.error.processed]).toEqual(['auth', 'no']);
  });

  it('the token and the app secret never appear in an error or a log entry, even when Meta echoes them', async () => {
    const entries: GraphLogEntry[] = [];
    stub.answer(() => ({ status: 400, body: { error: { message: `Invalid OAuth access token - ${TOKEN} (proof the-app-secret)`, type: 'OAuthException', code: 190 } } }));
    const g = client({ appSecret: 'the-app-secret', log: (e) => entries.push(e) });
    const results = await use(g, (x) => Promise.all(ALL.map((m) => run(x, m))));
    for (const r of results) {
      expect(r.ok ? null : r.error.kind).toBe('auth');
      const shown = r.ok ? '' : `${inspect(r.error)} ${JSON.stringify(r.error)} ${r.error.message}`;
      expect(shown).not.toContain(TOKEN);
      expect(shown).not.toContain('the-app-secret');
    }
    expect(entries.length).toBeGreaterThan(0);
    expect(JSON.stringify(entries)).not.toContain(TOKEN);
    expect(JSON.stringify(entries)).not.toContain('the-app-secret');
  });
});

describe('a Messenger thread is refused before anything is sent', () => {
  for (const method of ['check', 'request', 'connect'] as const) {
    it(`${method}: invalid, processed no, no request`, async () => {
      const r = await use(client(), (g) => run(g, method, { pageId: '1001', psid: '2002' }));
      expect(r.ok ? null : [r.error.kind, r.error.processed]).toEqual(['invalid', 'no']);
      expect(stub.requests).toHaveLength(0);
    });
  }
});

/** The first request to an edge fails with `answer`, then the happy answers. */
const withFault = async (method: Method, answer: StubAnswer) => {
  stub.reset();
  let sent = false;
  stub.answer((req) => {
    if (req.edge === EDGE[method] && !sent) {
      sent = true;
      return answer;
    }
    return waAnswer(req);
  });
  // A short response timeout turns a hang into a timeout at once: a client setting, not a sleep.
  const r = await use(client({ timeouts: { response: 60 } }), (g) => run(g, method));
  return { r, sent: stub.requests.filter((q) => q.edge === EDGE[method]).length };
};

const ambiguous: readonly (readonly [string, StubAnswer])[] = [
  ['a 500 with no body Meta wrote', { status: 500, body: 'Internal Server Error' }],
  ['a 503 with Meta\'s is_transient error', { status: 503, body: { error: { message: 'Service temporarily unavailable', type: 'OAuthException', code: 2, is_transient: true } } }],
  ['a dropped connection after sending', { status: 0, body: '', fault: 'reset' }],
  ['no answer (timeout)', { status: 0, body: '', fault: 'hang' }],
];
const provenNotProcessed: readonly (readonly [string, StubAnswer])[] = [
  ['a 400 with is_transient (code 2)', { status: 400, body: { error: { message: 'Please retry your request later.', type: 'OAuthException', code: 2, is_transient: true } } }],
  ['a 429 throttle with Meta\'s own short wait', { status: 429, body: throttleBody(4), headers: { 'retry-after': '0.002' } }],
];

describe('retries: the request, connect and accept at most once; reads, terminate and reject retried', () => {
  for (const method of ['request', 'connect', 'accept'] as const) {
    for (const [name, answer] of ambiguous) {
      it(`${method}: ${name} is sent once and says processed unknown`, async () => {
        const { r, sent } = await withFault(method, answer);
        expect(sent).toBe(1);
        expect(r.ok ? null : [r.error.kind, r.error.processed]).toEqual(['transient', 'unknown']);
      });
    }
    for (const [name, answer] of provenNotProcessed) {
      it(`${method}: ${name} is retried (2 requests, then success), as the Messenger opt-in is`, async () => {
        const { r, sent } = await withFault(method, answer);
        expect([r.ok, sent]).toEqual([true, 2]);
      });
    }
  }
  for (const method of ['check', 'page_calling', 'settings', 'terminate', 'reject'] as const) {
    for (const [name, answer] of ambiguous) {
      it(`${method}: ${name} is retried (2 requests, then success)`, async () => {
        const { r, sent } = await withFault(method, answer);
        expect([r.ok, sent]).toEqual([true, 2]);
      });
    }
  }
});

describe('the 138xxx refusals come back typed, and are not retried', () => {
  const rows = [
    { method: 'connect', code: 138006, status: 401, message: 'No approved call permission from the recipient', kind: 'no_call_permission' },
    { method: 'request', code: 138009, status: 400, message: 'Call permission request limit reached', kind: 'request_limit' },
    { method: 'connect', code: 138012, status: 400, message: 'Business initiated calls limit reached', kind: 'call_limit' },
    { method: 'connect', code: 138005, status: 429, message: 'Calls limit exceeded', kind: 'call_limit' },
    { method: 'request', code: 138017, status: 400, message: 'Permanent call permission already exists', kind: 'invalid' },
    { method: 'accept', code: 138000, status: 401, message: 'Calling not enabled', kind: 'calling_not_enabled' },
  ] as const;
  for (const row of rows) {
    it(`${row.method}: ${row.code} -> ${row.kind}`, async () => {
      const { r, sent } = await withFault(row.method, { status: row.status, body: { error: { message: row.message, type: 'OAuthException', code: row.code, fbtrace_id: 'AwaTrace' } } });
      expect(r.ok ? null : [r.error.kind, r.error.code, r.error.processed]).toEqual([row.kind, row.code, 'no']);
      expect(sent).toBe(1);
    });
  }
});

describe('options are checked at construction', () => {
  it('plain http off loopback, bad numbers and a bad body text throw GraphConfigError naming the option', () => {
    const bad = (o: Partial<WhatsAppGraphApiOptions>): unknown => {
      try {
        client(o).close();
        return null;
      } catch (e) {
        return e instanceof GraphConfigError ? [e.code, e.option] : e;
      }
    };
    expect(bad({ baseUrl: 'http://graph.example.com' })).toEqual(['insecure_base_url', 'baseUrl']);
    expect(bad({ retry: { limit: Number.NaN } })).toEqual(['invalid_option', 'retry.limit']);
    expect(bad({ maxResponseBytes: -1 })).toEqual(['invalid_option', 'maxResponseBytes']);
    expect(bad({ requestBodyText: 'x'.repeat(1025) })).toEqual(['invalid_option', 'requestBodyText']);
    expect(bad({ requestBodyText: '  ' })).toEqual(['invalid_option', 'requestBodyText']);
    expect(bad({ requestBodyText: 'ok' })).toBeNull();
    expect(bad({ requestTemplate: { name: 'Call Me', language: 'en_US' } })).toEqual(['invalid_option', 'requestTemplate']);
    expect(bad({ requestTemplate: { name: 'call_me', language: 'English' } })).toEqual(['invalid_option', 'requestTemplate']);
    expect(bad({ requestTemplate: { name: 'call_me', language: 'en', components: ['body'] as unknown as object[] } })).toEqual(['invalid_option', 'requestTemplate']);
    expect(bad({ requestTemplate: { name: 'call_me', language: 'pt_BR' } })).toBeNull();
  });

  it('an oversized answer is cut off (maxResponseBytes)', async () => {
    stub.answer(() => ({ status: 200, body: { calling: { status: 'ENABLED', pad: 'x'.repeat(4096) } } }));
    const r = await use(client({ maxResponseBytes: 1024 }), (g) => g.checkPageCalling(NUMBER));
    expect(r.ok ? null : [r.error.kind]).toEqual(['unknown']);
  });

  it('a throttled number blocks only itself (the phone-number id is the page scope)', async () => {
    stub.answer((req) => (req.pageId === NUMBER ? { status: 400, body: throttleBody(80006) } : waAnswer(req)));
    const g = client();
    await use(g, async () => {
      const first = await g.checkPermission(thread);
      expect(first.ok ? null : first.error.kind).toBe('throttled');
      expect(g.throttledUntil(NUMBER)).toBeGreaterThan(Date.UTC(2026, 5, 1));
      expect(g.throttledUntil(OTHER_NUMBER)).toBeUndefined();
      const before = stub.requests.length;
      const again = await g.checkPermission(thread);
      expect([again.ok ? null : again.error.kind, stub.requests.length]).toEqual(['throttled', before]);
      expect((await g.checkPermission({ ...thread, pageId: OTHER_NUMBER })).ok).toBe(true);
    });
  });
});

describe('the pure parsers', () => {
  it('read leniently and refuse only what is not an answer', () => {
    expect(parseWhatsAppSend({ messages: [{ id: 'wamid.A' }] })).toEqual({ messageId: 'wamid.A' });
    expect(parseWhatsAppSend({ messages: [{ id: '' }] })).toBeNull();
    expect(parseWhatsAppSend('x')).toBeNull();
    expect(parseWhatsAppConnect({ calls: [{ id: 'wacid.A' }] })).toEqual({ callId: 'wacid.A', sdpAnswer: null });
    expect(parseWhatsAppConnect({ success: false, calls: [{ id: 'wacid.A' }] })).toBeNull();
    expect(parseWhatsAppConnect({ success: true })).toBeNull();
    expect(parseWhatsAppCallingStatus({ calling: { status: 'enabled' } })).toEqual({ enabled: true, status: 'enabled' });
    expect(parseWhatsAppCallingStatus({ data: [{ calling: { status: 'DISABLED' } }] })).toEqual({ enabled: false, status: 'DISABLED' });
    expect(parseWhatsAppCallingStatus({})).toEqual({ enabled: false, status: 'missing' });
    expect(parseWhatsAppCallingStatus(null)).toBeNull();
    expect(parseWhatsAppCallSettings({ calling: { status: 'SOMETHING' } })).toEqual({ audioEnabled: null, videoEnabled: null, ringTarget: null });
    expect(parseWhatsAppCallSettings([])).toBeNull();
  });
});
