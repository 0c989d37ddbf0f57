import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCallPermissions, decodeWebhook, memoryStore, refusedTotal, type CallpermLogger, type IngestReport } from '@callperm/core';
import { graphApi } from '@callperm/adapters/graph';
import { createWebhookHandler } from '@callperm/adapters/webhook';
import {
  consumers, createConsumerSimulator, createFakeGraphApi, fakeMetaErrors, offlineGraph, pageWebhook, permissionReplyEntry, postWebhook, VirtualClock,
} from '@callperm/testing';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { registerOtel, type Point } from './otelHarness.js';

/** Canaries: none may appear in any metric label, span attribute or log line. */
const TOKEN = `EAAcanary${randomBytes(20).toString('hex')}`;
const SECRET = `appsecret_${randomBytes(16).toString('hex')}`;
const VERIFY = `verify_${randomBytes(8).toString('hex')}`;
const PROOF = createHmac('sha256', SECRET).update(TOKEN).digest('hex');
const PSIDS = ['24681357900011', '24681357900022', '24681357900033', '24681357900044', '24681357900055'];

interface LogLine { readonly level: string; readonly fields: Record<string, unknown>; readonly message: string | undefined }

const capture = (lines: LogLine[]): CallpermLogger => {
  const at = (level: string) => (fields: Record<string, unknown>, message?: string): void => { lines.push({ level, fields, message }); };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
};

const find = (points: readonly Point[], name: string, attributes: Record<string, unknown> = {}): Point[] =>
  points.filter((p) => p.name === name && Object.entries(attributes).every(([k, v]) => p.attributes[k] === v));

const total = (points: readonly Point[], name: string, attributes: Record<string, unknown> = {}): number =>
  find(points, name, attributes).reduce((sum, p) => sum + p.value, 0);

const otel = registerOtel();
afterAll(() => otel.close());

describe('OpenTelemetry: a host with a registered SDK gets callperm\'s metrics, spans and logs', () => {
  it('counts, times and traces a scenario through the service, the Graph client and the receiver; no secret anywhere', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 5, 1, 9));
    const fake = await createFakeGraphApi({ clock, appSecret: SECRET, accessTokens: TOKEN });
    const logs: LogLine[] = [];
    const logger = capture(logs);
    const graph = graphApi({ accessToken: TOKEN, appSecret: SECRET, baseUrl: fake.url, clock, retry: { limit: 0 } });
    const permissions = createCallPermissions({ graph, store: memoryStore(), clock, logger });
    const webhook = createWebhookHandler({ appSecret: SECRET, verifyToken: VERIFY, permissions, logger });
    const server = createServer(webhook.node);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const hostUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
    await otel.settled();
    const sim = createConsumerSimulator({ fake, hostUrl, appSecret: SECRET, behaviour: consumers.approveAfter(30_000) });
    const [a, b, c, d] = PSIDS.map((psid) => ({ pageId: '501', psid }));
    try {
      for (const t of [a!, b!, c!]) sim.message(t);
      await sim.settle();
      expect((await permissions.request(a!)).ok).toBe(true);
      fake.inject('send', { kind: 'error', body: fakeMetaErrors.outsideWindow });
      expect(await permissions.request(b!)).toMatchObject({ ok: false, error: { reason: 'send_failed', failure: { kind: 'outside_window' } } });
      fake.inject('check', { kind: 'error', status: 500, body: fakeMetaErrors.serviceUnavailable });
      expect((await permissions.refresh(c!)).ok).toBe(false);
      clock.advance(30_000);
      await sim.settle(); // a's approval arrives, signed
      expect(await permissions.canStartCall(a!)).toMatchObject({ allowed: true });
      expect(await permissions.status(d!)).toMatchObject({ canStartCall: false });

      const reply = pageWebhook([permissionReplyEntry({ ...d!, at: clock.now(), response: 'approve' })]);
      expect((await postWebhook(hostUrl, SECRET, reply)).status).toBe(200);
      expect((await postWebhook(hostUrl, SECRET, reply)).status).toBe(200); // Meta's retry: a duplicate
      expect((await postWebhook(hostUrl, 'not-the-secret', reply)).status).toBe(401);
      expect((await postWebhook(hostUrl, SECRET, { object: 'instagram', entry: [] })).status).toBe(200);
      const offPage = { pageId: '777', psid: '24681357900055' };
      fake.inject('check', { kind: 'error', body: fakeMetaErrors.callingNotAllowed });
      expect(await permissions.refresh(offPage)).toMatchObject({ ok: false, error: { failure: { kind: 'calling_not_enabled' } } });
      clock.advance('P1D');
      await permissions.sweep();
      await graph.checkMany([a!, b!]);
      await webhook.drain();

      const points = await otel.collect();
      const spans = otel.spans();
      // Counters, with their labels.
      expect(total(points, 'callperm.optin.sent')).toBe(1);
      expect(total(points, 'callperm.optin.refused', { 'callperm.reason': 'send_failed', 'callperm.failure.kind': 'outside_window' })).toBe(1);
      expect(total(points, 'callperm.decisions', { 'callperm.operation': 'request', 'callperm.reason': 'sent' })).toBe(1);
      expect(total(points, 'callperm.decisions', { 'callperm.operation': 'request', 'callperm.reason': 'send_failed' })).toBe(1);
      expect(total(points, 'callperm.decisions', { 'callperm.operation': 'can_start_call', 'callperm.reason': 'allowed' })).toBe(1);
      expect(total(points, 'callperm.decisions', { 'callperm.operation': 'status' })).toBe(1);
      expect(total(points, 'callperm.webhook.events', { 'callperm.outcome': 'applied' })).toBeGreaterThanOrEqual(2);
      expect(total(points, 'callperm.webhook.events', { 'callperm.outcome': 'duplicate' })).toBe(1);
      expect(total(points, 'callperm.webhook.deliveries', { 'callperm.outcome': 'refused', 'callperm.refusal': 'invalid_signature' })).toBe(1);
      expect(total(points, 'callperm.webhook.deliveries', { 'callperm.outcome': 'ignored_object', 'callperm.object': 'instagram' })).toBe(1);
      expect(total(points, 'callperm.webhook.deliveries', { 'callperm.outcome': 'received' })).toBeGreaterThanOrEqual(3);
      expect(total(points, 'callperm.sweep.runs')).toBe(1);
      // Histograms in seconds, per operation and per store method.
      for (const operation of ['check', 'opt_in', 'batch']) expect(total(points, 'callperm.graph.duration', { 'callperm.graph.operation': operation })).toBeGreaterThan(0);
      expect(total(points, 'callperm.graph.duration', { 'callperm.graph.operation': 'check', 'error.type': 'transient', 'http.response.status_code': 500 })).toBe(1);
      for (const method of ['get', 'commitThread', 'due']) expect(total(points, 'callperm.store.duration', { 'callperm.store.method': method })).toBeGreaterThan(0);
      expect(total(points, 'callperm.webhook.apply.duration')).toBeGreaterThanOrEqual(3);
      for (const name of ['callperm.graph.duration', 'callperm.store.duration', 'callperm.webhook.apply.duration']) expect(find(points, name)[0]?.unit).toBe('s');
      // Spans around Graph calls, with Meta's fbtrace_id when it gave one.
      const failed = spans.find((s) => s.name === 'callperm.graph check' && s.attributes['error.type'] === 'transient');
      expect(failed?.attributes).toMatchObject({ 'callperm.graph.operation': 'check', 'http.request.method': 'GET', 'http.response.status_code': 500, 'callperm.graph.fbtrace_id': 'AfakeTraceId0002' });
      expect(failed?.kind).toBe(2); // CLIENT
      expect(failed?.status.code).toBe(2); // ERROR
      expect(spans.map((s) => s.name)).toEqual(expect.arrayContaining(['callperm.graph opt_in', 'callperm.graph batch']));
      // Logs: the notable events, as fields.
      expect(logs.find((l) => l.fields.event === 'optin_refused')).toMatchObject({ level: 'warn', fields: { reason: 'send_failed', kind: 'outside_window', pageId: '501', psidTail: '0022' } });
      expect(logs.find((l) => l.fields.event === 'page_calling_off')).toMatchObject({ level: 'warn', fields: { pageId: '777', kind: 'calling_not_enabled' } });
      expect(logs.find((l) => l.fields.event === 'webhook_refused')).toMatchObject({ level: 'warn', fields: { reason: 'invalid_signature', status: 401 } });

      // The canary: no token, app secret, proof, verify token or full PSID in any label, attribute or log line.
      const texts = [
        ...points.map((p) => JSON.stringify(p)),
        ...spans.map((s) => JSON.stringify({ name: s.name, attributes: s.attributes, events: s.events, status: s.status, links: s.links, resource: s.resource.attributes })),
        ...logs.map((l) => JSON.stringify(l)),
      ].join('\n');
      for (const canary of [TOKEN, SECRET, PROOF, VERIFY, ...PSIDS]) expect(texts.includes(canary) ? canary : null).toBeNull();
    } finally {
      sim.close();
      await new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); });
      await webhook.drain();
      graph.close();
      await fake.close();
    }
  });

  it('callperm.webhook.events adds up to exactly what ingest reported, outcome by outcome, for any deliveries (duplicates, stale, replays)', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 5, 1, 9));
    const permissions = createCallPermissions({ graph: offlineGraph('ingest makes no Graph call'), store: memoryStore(), clock });
    await otel.settled();
    const outcomes = ['applied', 'unchanged', 'duplicate', 'ignored', 'refused'] as const;
    const counted = async (): Promise<number[]> => {
      const points = await otel.collect();
      return outcomes.map((o) => total(points, 'callperm.webhook.events', { 'callperm.outcome': o }));
    };
    const reply = fc.record({ psid: fc.constantFrom('2000000000000001', '2000000000000002'), response: fc.constantFrom('approve' as const, 'reject' as const), ageMs: fc.integer({ min: 0, max: 3_600_000 }) });
    await fc.assert(fc.asyncProperty(fc.array(fc.array(reply, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }), fc.boolean(), async (deliveries, replay) => {
      const before = await counted();
      const reported: IngestReport[] = [];
      for (const delivery of deliveries) {
        clock.advance(1_000);
        const body = pageWebhook(delivery.map((r) => permissionReplyEntry({ pageId: '501', psid: r.psid, at: clock.now() - r.ageMs, response: r.response })));
        const decoded = decodeWebhook(body);
        if (!decoded.ok) throw new Error('the generated delivery must decode');
        reported.push(await permissions.ingest(decoded.value.events));
        if (replay) reported.push(await permissions.ingest(decoded.value.events));
      }
      const after = await counted();
      const sums = [
        reported.reduce((n, r) => n + r.applied, 0), reported.reduce((n, r) => n + r.unchanged, 0), reported.reduce((n, r) => n + r.duplicates, 0),
        reported.reduce((n, r) => n + r.ignored, 0), reported.reduce((n, r) => n + refusedTotal(r.refused), 0),
      ];
      expect(after.map((n, i) => n - before[i]!)).toEqual(sums);
    }), { numRuns: 40 });
  });
});
