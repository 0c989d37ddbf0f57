import { createServer } from 'node:http';
import type { Express } from 'express';
import type { AddressInfo } from 'node:net';
import { createCallPermissions, memoryStore } from '@callperm/core';
import {
  answerHandshake, createWebhookHandler, verifySignature, webhookRefusals, type WebhookError,
} from '@callperm/adapters/webhook';
import { expressFace } from '@callperm/adapters/webhook/express';
import { VirtualClock, pageWebhook, permissionReplyEntry, signWebhook, offlineGraph } from '@callperm/testing';
import { describe, expect, it } from 'vitest';
import { coreRequest, signedPost } from './coreRequest.js';

const SECRET = 'receiver-secret';
const graph = offlineGraph('offline');
const permissions = () => createCallPermissions({ graph, store: memoryStore(), clock: new VirtualClock() });
const bytes = (s: string) => new TextEncoder().encode(s);

describe('verifySignature', () => {
  const body = bytes('{"object":"page","entry":[]}');
  it('accepts a signature made with any of the secrets given (rotation), in either hex case', () => {
    expect(verifySignature(body, signWebhook('old', body), ['new', 'old'])).toBe('valid');
    expect(verifySignature(body, signWebhook('new', body).toUpperCase().replace('SHA256=', 'sha256='), ['new'])).toBe('valid');
  });
  it('tells missing, malformed and mismatched signatures apart', () => {
    expect(verifySignature(body, undefined, ['s'])).toBe('missing');
    expect(verifySignature(body, 'sha1=abc', ['s'])).toBe('malformed');
    expect(verifySignature(body, `sha256=${'a'.repeat(63)}`, ['s'])).toBe('malformed');
    expect(verifySignature(body, signWebhook('other', body), ['s'])).toBe('mismatch');
  });
  it('hashes the raw bytes: Meta signs escaped unicode, so the decoded text would not match', () => {
    const raw = bytes('{"object":"page","entry":[],"n":"\\u00e4\\u00f6\\u00e5"}');
    const reEncoded = bytes(JSON.stringify(JSON.parse(new TextDecoder().decode(raw))));
    expect(verifySignature(raw, signWebhook(SECRET, raw), [SECRET])).toBe('valid');
    expect(verifySignature(reEncoded, signWebhook(SECRET, raw), [SECRET])).toBe('mismatch');
  });
});

describe('the verification handshake', () => {
  const q = (s: string) => new URLSearchParams(s);
  it('echoes the challenge for subscribe with the right token, also with PHP-style names', () => {
    expect(answerHandshake(q('hub.mode=subscribe&hub.verify_token=t&hub.challenge=42'), 't')).toMatchObject({ status: 200, body: '42' });
    expect(answerHandshake(q('hub_mode=subscribe&hub_verify_token=t&hub_challenge=43'), 't')).toMatchObject({ status: 200, body: '43' });
  });
  it('refuses a wrong mode, a wrong token, a missing or unprintable challenge with 403', () => {
    for (const query of [
      'hub.mode=unsubscribe&hub.verify_token=t&hub.challenge=1', 'hub.mode=subscribe&hub.verify_token=x&hub.challenge=1',
      'hub.mode=subscribe&hub.verify_token=t', 'hub.mode=subscribe&hub.verify_token=t&hub.challenge=%3Cscript%3E%20', '',
    ]) expect(answerHandshake(q(query), 't')).toMatchObject({ status: 403, reason: 'handshake_refused' });
  });
});

describe('the receiver core', () => {
  it('checks the path first when one is configured', async () => {
    const { core } = createWebhookHandler({ appSecret: SECRET, verifyToken: 't', permissions: permissions(), path: '/webhook' });
    expect((await core.handle(coreRequest({ url: '/elsewhere', method: 'DELETE' }))).reason).toBe('not_found');
    expect((await core.handle(coreRequest({ url: '/webhook', method: 'DELETE' }))).reason).toBe('method_not_allowed');
  });

  it('maps each refusal to its documented status', async () => {
    const { core } = createWebhookHandler({ appSecret: SECRET, verifyToken: 't', permissions: permissions() });
    const cases = [
      [signedPost(SECRET, 'not json'), 'invalid_json'],
      [signedPost(SECRET, '{"object":7,"entry":[]}'), 'not_a_page_webhook'],
      [signedPost(SECRET, new Uint8Array([0x7b, 0xff, 0x7d])), 'invalid_json'],
      [signedPost(null, '{}'), 'missing_signature'],
    ] as const;
    for (const [req, reason] of cases) {
      const res = await core.handle(req);
      expect([res.status, res.reason]).toEqual([webhookRefusals[reason], reason]);
      expect(JSON.parse(res.body)).toEqual({ reason });
    }
  });

  it('acknowledges a valid body whose events callperm does not know (they are ignored)', async () => {
    const { core } = createWebhookHandler({ appSecret: SECRET, verifyToken: 't', permissions: permissions() });
    const res = await core.handle(signedPost(SECRET, JSON.stringify({ object: 'page', entry: [{ id: '1', time: 1, standby: [{}] }] })));
    expect([res.status, res.reason]).toEqual([200, null]);
  });

  it('refuses to start without a secret or a verify token, without echoing either', () => {
    const make = (o: Record<string, unknown>) => () => createWebhookHandler({ verifyToken: 't', permissions: permissions(), ...o } as never);
    expect(make({ appSecret: '' })).toThrow(TypeError);
    expect(make({ appSecrets: [] })).toThrow(TypeError);
    expect(() => createWebhookHandler({ appSecret: SECRET, verifyToken: '', permissions: permissions() })).toThrow(TypeError);
  });

  it('reports faults with a code and never the secret, a signature or the body', async () => {
    const errors: WebhookError[] = [];
    const broken = { ingest: () => Promise.reject(new Error('store down')), inbox: { put: () => Promise.reject(new Error('x')), done: () => Promise.resolve() } };
    const { core } = createWebhookHandler({ appSecret: SECRET, verifyToken: 't', permissions: broken, onError: (e) => errors.push(e) });
    const text = JSON.stringify(pageWebhook([permissionReplyEntry({ pageId: '1', psid: '2', at: Date.UTC(2026, 0, 1), response: 'reject' })]));
    expect((await core.handle(signedPost(SECRET, text))).status).toBe(503);
    expect(errors.map((e) => e.code)).toEqual(['apply_failed']);
    const dump = JSON.stringify(errors.map((e) => ({ message: e.message, name: e.name, code: e.code })));
    expect(dump).not.toContain(SECRET);
    expect(dump).not.toContain(signWebhook(SECRET, text).slice(7));
  });
});

describe('the Express face and body parsers', () => {
  const serve = async (mount: (app: Express, handler: ReturnType<typeof createWebhookHandler>) => void) => {
    const { default: express } = await import('express');
    const errors: WebhookError[] = [];
    const handler = createWebhookHandler({ appSecret: SECRET, verifyToken: 't', permissions: permissions(), onError: (e) => errors.push(e) });
    const app = express();
    mount(app, handler);
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
    const text = JSON.stringify({ object: 'page', entry: [] });
    const res = await fetch(url, { method: 'POST', body: text, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhook(SECRET, text) } });
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return { status: res.status, body: await res.text(), errors };
  };

  it('works behind express.raw()', async () => {
    const { default: express } = await import('express');
    const r = await serve((app, h) => app.post('/webhook', express.raw({ type: 'application/json' }), expressFace(h.core)));
    expect(r.status).toBe(200);
  });

  it('refuses with raw_body_unavailable when express.json() ran first, and says so through onError', async () => {
    const { default: express } = await import('express');
    const r = await serve((app, h) => app.post('/webhook', express.json(), expressFace(h.core)));
    expect([r.status, JSON.parse(r.body)]).toEqual([500, { reason: 'raw_body_unavailable' }]);
    expect(r.errors.map((e) => e.code)).toEqual(['raw_body_unavailable']);
  });
});
