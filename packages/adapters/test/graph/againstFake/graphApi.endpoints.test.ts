import { describe, expect, it } from 'vitest';
import { clientAgainstFake } from './support/clientAgainstFake.js';
import { appSecretProof, type GraphApiOptions } from '@callperm/adapters/graph';
import { permissionCheckVariants, type FakeGraphApiOptions } from '@callperm/testing';

const thread = { pageId: '1001', psid: '2002' };
const TOKEN = 'EAAGpagetokenforthefake0123456789';

const start = clientAgainstFake();

const setup = (fakeOptions: FakeGraphApiOptions = {}, clientOptions: Partial<GraphApiOptions> = {}) =>
  start(fakeOptions, { accessToken: TOKEN, ...clientOptions });

describe('checkPermission over real HTTP', () => {
  for (const variant of permissionCheckVariants) {
    it(`reads a granted permission in the ${variant} shape`, async () => {
      const { fake, graph, clock } = await setup({ variant });
      const expiresAt = clock.now() + 3 * 86_400_000;
      fake.grant(thread, expiresAt);
      fake.inbound(thread);
      const r = await graph.checkPermission(thread);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.value.status).toBe('has_permission');
      expect(r.value.expiresAt).toBe(Math.floor(expiresAt / 1000) * 1000);
      // As in Meta's own example: no new request may go while a permission is held.
      expect(r.value.request).toEqual({ canPerform: false, limits: [{ period: 'PT24H', max: 2, used: 0 }] });
      expect(r.value.startCall?.canPerform).toBe(true);
    });

    it(`reads no permission in the ${variant} shape`, async () => {
      const { graph } = await setup({ variant });
      const r = await graph.checkPermission(thread);
      expect(r.ok && r.value.status).toBe('no_permission');
      expect(r.ok && r.value.startCall?.canPerform).toBe(false);
      expect(r.ok && r.value.request?.canPerform).toBe(false); // no inbound message: outside the window
    });
  }

  it('keeps the x-fb-trace-id of an answer (for the consent history); an answer without one has none', async () => {
    const { fake, graph } = await setup();
    const traced = await graph.checkPermission(thread);
    expect(traced.ok && traced.value.fbtraceId).toMatch(/^FakeTrace\d+$/);
    fake.inject('check', { kind: 'status', status: 200, body: '{"permission":{"status":"no_permission"},"actions":[]}' }); // no trace header
    const untraced = await graph.checkPermission(thread);
    expect(untraced.ok).toBe(true);
    expect(untraced.ok && 'fbtraceId' in untraced.value).toBe(false);
  });

  it('sends the GET Meta documents: version path, psid query, token only in the Authorization header', async () => {
    const { fake, graph } = await setup();
    await graph.checkPermission(thread);
    const [req] = fake.requests;
    expect(req?.method).toBe('GET');
    expect(req?.path).toBe('/v26.0/1001/messenger_call_permissions');
    expect(req?.query).toEqual({ psid: '2002' });
    expect(req?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('uses the configured Graph version', async () => {
    const { fake, graph } = await setup({}, { apiVersion: 'v25.0' });
    await graph.checkPermission(thread);
    expect(fake.requests[0]?.version).toBe('v25.0');
  });

  it('adds appsecret_proof when an app secret is configured, and the fake accepts it', async () => {
    const { fake, graph } = await setup({ appSecret: 'the-app-secret', accessTokens: TOKEN }, { appSecret: 'the-app-secret' });
    const r = await graph.checkPermission(thread);
    expect(r.ok).toBe(true);
    expect(fake.requests[0]?.query.appsecret_proof).toBe(appSecretProof(TOKEN, 'the-app-secret'));
  });

  it('resolves a token per Page, synchronously or not', async () => {
    const tokens: Record<string, string> = { '1001': 'EAAtokenofpageone000000000', '1002': 'EAAtokenofpagetwo000000000' };
    const { fake, graph } = await setup({ accessTokens: tokens }, { accessToken: async (pageId) => Promise.resolve(tokens[pageId] ?? '') });
    expect((await graph.checkPermission({ pageId: '1001', psid: '1' })).ok).toBe(true);
    expect((await graph.checkPermission({ pageId: '1002', psid: '1' })).ok).toBe(true);
    const unknown = await graph.checkPermission({ pageId: '1003', psid: '1' });
    expect(unknown.ok ? null : [unknown.error.kind, unknown.error.processed]).toEqual(['auth', 'no']);
    expect(fake.requests).toHaveLength(2); // no token, no request
  });
});

describe('sendPermissionRequest over real HTTP', () => {
  it('posts exactly the calling_optin body of the calling docs and reads the message id', async () => {
    const { fake, graph } = await setup();
    fake.inbound(thread);
    const r = await graph.sendPermissionRequest(thread);
    expect(r.ok && r.value.messageId).toBe(fake.optIns[0]?.messageId);
    const [req] = fake.requests;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/v26.0/1001/messages');
    expect(req?.body).toEqual({
      recipient: { id: '2002' }, message: { attachment: { type: 'template', payload: { template_type: 'calling_optin' } } },
    });
    expect(req?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req?.query).toEqual({});
  });

  it('adds messaging_type only when configured', async () => {
    const { fake, graph } = await setup({}, { messagingType: 'RESPONSE' });
    fake.inbound(thread);
    await graph.sendPermissionRequest(thread);
    expect(fake.optIns[0]?.messagingType).toBe('RESPONSE');
  });

  it('the third opt-in in 24 h is refused as the thread\'s request limit (once, not retried), and a slot frees up after the rolling day', async () => {
    const { fake, graph, clock } = await setup();
    fake.inbound(thread);
    expect((await graph.sendPermissionRequest(thread)).ok).toBe(true);
    clock.advance('PT1H');
    expect((await graph.sendPermissionRequest(thread)).ok).toBe(true);
    const third = await graph.sendPermissionRequest(thread);
    expect(third.ok ? null : [third.error.kind, third.error.code, third.error.subcode, third.error.processed]).toEqual(['request_limit', 613, 2534040, 'no']);
    expect(fake.requests.filter((r) => r.endpoint === 'send')).toHaveLength(3);
    fake.inbound(thread);
    clock.advance('PT23H1M');
    fake.inbound(thread);
    expect((await graph.sendPermissionRequest(thread)).ok).toBe(true);
    expect(fake.optIns).toHaveLength(3);
    const check = await graph.checkPermission(thread);
    expect(check.ok && check.value.request?.limits[0]?.used).toBe(2);
  });

  it('outside the messaging window Meta answers 10/2018278', async () => {
    const { fake, graph, clock } = await setup();
    fake.inbound(thread);
    clock.advance('PT24H');
    const r = await graph.sendPermissionRequest(thread);
    expect(r.ok ? null : [r.error.kind, r.error.code, r.error.subcode]).toEqual(['outside_window', 10, 2018278]);
    expect(fake.optIns).toHaveLength(0);
  });

  it('tells the onOptIn hook about each recorded opt-in', async () => {
    const { fake, graph } = await setup();
    const heard: string[] = [];
    const off = fake.onOptIn((o) => heard.push(o.thread.psid));
    fake.inbound(thread);
    await graph.sendPermissionRequest(thread);
    off();
    expect(heard).toEqual(['2002']);
  });
});

describe('checkMany over real HTTP', () => {
  it('posts one batch to the version root with the Page token and reads every item', async () => {
    const { fake, graph } = await setup({ variant: 'data' });
    const threads = [{ pageId: '1001', psid: '1' }, { pageId: '1001', psid: '2' }];
    fake.grant(threads[1]!);
    const items = await graph.checkMany(threads);
    expect(items.map((i) => i.result.ok && i.result.value.status)).toEqual(['no_permission', 'has_permission']);
    const [req] = fake.requests;
    expect([req?.method, req?.path, req?.endpoint, req?.token]).toEqual(['POST', '/v26.0/', 'batch', TOKEN]);
  });
});

describe('the port never rejects', () => {
  it('a throwing logger, a throwing token function and an unencodable id all come back as results', async () => {
    const { graph } = await setup({}, {
      log: () => { throw new Error('logger down'); },
      accessToken: (pageId) => {
        if (pageId === '9') throw new Error('vault down');
        return pageId === '8' ? 'EAAbroken\r\ntoken' : TOKEN;
      },
    });
    expect((await graph.checkPermission(thread)).ok).toBe(true);
    const noToken = await graph.sendPermissionRequest({ pageId: '9', psid: '1' });
    expect(noToken.ok ? null : [noToken.error.kind, noToken.error.processed]).toEqual(['auth', 'no']);
    const broken = await graph.checkPermission({ pageId: '8', psid: '1' });
    expect(broken.ok ? null : [broken.error.kind, broken.error.processed]).toEqual(['auth', 'no']);
    const odd = await graph.checkPermission({ pageId: '\uD800', psid: '1' });
    expect(odd.ok).toBe(false);
    const many = await graph.checkMany([{ pageId: '\uD800', psid: '1' }]);
    expect(many[0]?.result.ok).toBe(false);
  });
});
