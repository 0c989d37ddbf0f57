import { createWebhookHandler, type WebhookRequest } from '@callperm/adapters/webhook';
import { createCallPermissions, memoryStore } from '@callperm/core';
import { inboundMessageEntry, pageWebhook, VirtualClock } from '@callperm/testing';
import { describe, expect, it } from 'vitest';
import { coreRequest, signedPost } from './coreRequest.js';
import { offlineGraph } from '@callperm/testing';

const SECRET = 'pending-budget-secret';
const graph = offlineGraph('no Graph call expected');
const handler = (limits: { readonly maxPendingBodyBytes?: number } = {}) => {
  const clock = new VirtualClock();
  const permissions = createCallPermissions({ graph, store: memoryStore(), clock });
  return { clock, webhook: createWebhookHandler({ appSecret: SECRET, verifyToken: 't', permissions, ...limits }) };
};
/** A POST that declares `length` bytes and never sends them. */
const stalled = (length: number): WebhookRequest => ({
  ...coreRequest({ headers: { 'content-type': 'application/json', 'content-length': String(length) } }),
  readBody: () => new Promise(() => undefined),
});

describe('the budget of unverified bodies', () => {
  it('lets a burst of 64 small signed deliveries arriving at once through with the defaults', async () => {
    const { clock, webhook } = handler();
    const burst = Array.from({ length: 64 }, (_, i) => {
      const body = JSON.stringify(pageWebhook([inboundMessageEntry({ pageId: '1001', psid: String(2000 + i), at: clock.now(), text: 'hi' })]));
      return signedPost(SECRET, body, { 'content-length': String(Buffer.byteLength(body)) });
    });
    const answers = await Promise.all(burst.map((r) => webhook.core.handle(r)));
    expect(answers.map((a) => a.status)).toEqual(burst.map(() => 200));
    await webhook.core.drain();
  });

  it('holds at most maxPendingBodyBytes of declared lengths (32 of 1 MiB by default), one large body always gets its turn', async () => {
    const { webhook } = handler();
    const answers = Array.from({ length: 40 }, () => void webhook.core.handle(stalled(1024 * 1024)));
    expect(answers).toHaveLength(40);
    expect(webhook.core.pendingBodies).toBe(32);
    const refused = await webhook.core.handle(stalled(1024 * 1024));
    expect(refused.status).toBe(503);
    expect(refused.reason).toBe('too_many_pending_bodies');
    const alone = handler({ maxPendingBodyBytes: 1024 }).webhook;
    void alone.core.handle(stalled(2048)); // over the byte budget by itself, but first: it is read
    expect(alone.core.pendingBodies).toBe(1);
    expect((await alone.core.handle(stalled(10))).status).toBe(503); // nothing more fits beside it
  });
});
