import { createCallPermissions, memoryStore, type Thread } from '@callperm/core';
import { createWebhookCore } from '@callperm/adapters/webhook';
import { offlineGraph, VirtualClock } from '@callperm/testing';
import { describe, expect, it } from 'vitest';
import { signedPost } from './coreRequest.js';

const SECRET = 'standby-secret';
const NOW_S = 1_780_000_000;
const graph = offlineGraph();
const thread: Thread = { pageId: '106378625516323', psid: '5275811702471834' };

const setup = () => {
  const permissions = createCallPermissions({ graph, store: memoryStore(), clock: new VirtualClock(NOW_S * 1000) });
  return { permissions, core: createWebhookCore({ appSecret: SECRET, verifyToken: 'v', permissions }) };
};

const body = (key: 'messaging' | 'standby', item: Record<string, unknown>) => JSON.stringify({
  object: 'page',
  entry: [{ id: thread.pageId, time: NOW_S, [key]: [{ sender: { id: thread.psid }, recipient: { id: thread.pageId }, timestamp: NOW_S, ...item }] }],
});

describe('the receiver applies standby[] items (handover protocol) as messaging[] items', () => {
  for (const [name, item] of [
    ['a message', { message: { mid: 'm_standby_1', text: 'can you call me?' } }],
    ['a reaction', { reaction: { reaction: 'like', action: 'react', mid: 'm_page_1' } }],
  ] as const) {
    it(`${name} under standby moves the thread exactly as under messaging`, async () => {
      const viaMessaging = setup();
      const viaStandby = setup();
      expect((await viaMessaging.core.handle(signedPost(SECRET, body('messaging', item)))).status).toBe(200);
      expect((await viaStandby.core.handle(signedPost(SECRET, body('standby', item)))).status).toBe(200);
      const [a, b] = [await viaMessaging.permissions.status(thread), await viaStandby.permissions.status(thread)];
      expect(b.version).toBeGreaterThan(0);
      expect(b).toEqual(a);
    });
  }

  it('an echo or a read receipt under standby changes nothing', async () => {
    const { core, permissions } = setup();
    for (const item of [{ message: { is_echo: true, mid: 'm_echo', text: 'from the Page' } }, { read: { watermark: NOW_S } }]) {
      expect((await core.handle(signedPost(SECRET, body('standby', item)))).status).toBe(200);
    }
    expect((await permissions.status(thread)).version).toBe(0);
  });
});
