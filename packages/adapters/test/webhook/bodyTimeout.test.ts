import { createCallPermissions, memoryStore } from '@callperm/core';
import { createWebhookHandler, webhookRefusals, type WebhookError } from '@callperm/adapters/webhook';
import { VirtualClock, pageWebhook, permissionReplyEntry, signWebhook, offlineGraph } from '@callperm/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rawHeader, rawPost } from './rawHttp.js';
import { faces, startHost } from './startHost.js';

const SECRET = 'timeout-secret';
const TIMEOUT_MS = 10_000;
const graph = offlineGraph('offline');

afterEach(() => {
  vi.useRealTimers();
});

describe.each(faces)('a stalled body through the %s face', (face) => {
  it('holds its slot until the body timeout, then is dropped with 408 and its connection closed; the slot frees', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 5, 9));
    const errors: WebhookError[] = [];
    const webhook = createWebhookHandler({
      appSecret: SECRET, verifyToken: 't', permissions: createCallPermissions({ graph, store: memoryStore(), clock }),
      bodyTimeoutMs: TIMEOUT_MS, maxPendingBodies: 1, onError: (e) => errors.push(e),
    });
    const host = await startHost(face, webhook);
    const port = Number(new URL(host.url).port);
    const text = JSON.stringify(pageWebhook([permissionReplyEntry({ pageId: '1', psid: '2', at: clock.now(), response: 'reject' })]));
    const body = new TextEncoder().encode(text);
    const signed = () => rawPost(port, {
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhook(SECRET, text), connection: 'close' },
      declared: body.byteLength, sent: body,
    });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      // Head and half the body, then nothing: the slow-body attack.
      const stalled = rawPost(port, {
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhook(SECRET, text) },
        declared: body.byteLength, sent: body.subarray(0, body.byteLength >> 1),
      });
      // The one slot is taken: the next POST is refused before its body is read, with Retry-After.
      const busy = await signed().closed;
      expect(busy.startsWith(`HTTP/1.1 ${webhookRefusals.too_many_pending_bodies} `)).toBe(true);
      expect(rawHeader(busy, 'retry-after')).toBe(String(TIMEOUT_MS / 1000));
      expect(busy).toContain(JSON.stringify({ reason: 'too_many_pending_bodies' }));
      expect(webhook.core.pendingBodies).toBe(1);

      vi.advanceTimersByTime(TIMEOUT_MS - 1);
      expect(stalled.socket.destroyed).toBe(false);
      vi.advanceTimersByTime(1);
      const dropped = await stalled.closed;
      // The Fetch bridge's stream is cancelled with its request, so the 408 may not reach it; the connection always closes.
      if (face === 'fetch' && dropped === '') expect(stalled.socket.destroyed).toBe(true);
      else expect(dropped.startsWith(`HTTP/1.1 ${webhookRefusals.body_timeout} `)).toBe(true);
      expect(webhook.core.pendingBodies).toBe(0);

      expect(await signed().status).toBe(200);
      expect(errors).toEqual([]);
    } finally {
      vi.useRealTimers();
      await host.close();
      await webhook.drain();
    }
  });
});
