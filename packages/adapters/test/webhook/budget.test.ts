import { createCallPermissions, memoryStore, type PermissionStore, type Thread, type TransitionNotice } from '@callperm/core';
import { createWebhookHandler, type WebhookError } from '@callperm/adapters/webhook';
import { VirtualClock, pageWebhook, permissionReplyEntry, offlineGraph } from '@callperm/testing';
import { describe, expect, it } from 'vitest';
import { signedPost } from './coreRequest.js';

const SECRET = 'budget-secret';
const thread: Thread = { pageId: '1001', psid: '2002' };
const graph = offlineGraph('offline');

/** A store whose writes to threads wait until the test releases them (inbox documents pass). */
const slowStore = (inner: PermissionStore) => {
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  const store: PermissionStore = {
    ...inner,
    compareAndSet: async (t, v, r) => {
      await gate;
      return inner.compareAndSet(t, v, r);
    },
    commitThread: async (c) => {
      await gate;
      return inner.commitThread(c);
    },
  };
  return { store, release: () => release() };
};

const host = (store: PermissionStore, clock: VirtualClock, budgetMs?: number) => {
  const notices: TransitionNotice[] = [];
  const errors: WebhookError[] = [];
  const permissions = createCallPermissions({ graph, store, clock, onTransition: (n) => notices.push(n) });
  const webhook = createWebhookHandler({
    appSecret: SECRET, verifyToken: 't', permissions, onError: (e) => errors.push(e), ...(budgetMs === undefined ? {} : { budgetMs }),
  });
  return { permissions, webhook, notices, errors };
};

const body = (clock: VirtualClock) =>
  JSON.stringify(pageWebhook([permissionReplyEntry({ ...thread, at: clock.now(), response: 'approve' })]));

describe('answering inside the budget', () => {
  it('applies a fast delivery before answering 200', async () => {
    const clock = new VirtualClock();
    const h = host(memoryStore(), clock);
    expect((await h.webhook.core.handle(signedPost(SECRET, body(clock)))).status).toBe(200);
    expect((await h.permissions.status(thread)).state).toBe('approved');
  });

  it('records a slow delivery durably, answers 200, then applies it', async () => {
    const clock = new VirtualClock();
    const inner = memoryStore();
    const slow = slowStore(inner);
    const h = host(slow.store, clock, 0);
    const res = await h.webhook.core.handle(signedPost(SECRET, body(clock)));
    expect(res.status).toBe(200);
    expect(await inner.get(thread)).toBeNull(); // not applied yet...
    expect(await inner.dueDocs('inbox', clock.now() + 60_000, 10)).toHaveLength(1); // ...but in the inbox
    expect(await inner.due(clock.now() + 60_000, 10)).toEqual([]); // which due() never lists
    slow.release();
    await h.webhook.drain();
    expect((await h.permissions.status(thread)).state).toBe('approved');
    expect(await inner.dueDocs('inbox', Number.MAX_SAFE_INTEGER, 10)).toEqual([]); // the inbox entry is deleted
    expect(h.errors).toEqual([]);
  });

  it('never loses an acknowledged delivery: another host applies it after a crash, and a retry is applied once', async () => {
    const clock = new VirtualClock();
    const inner = memoryStore();
    const slow = slowStore(inner);
    const crashed = host(slow.store, clock, 0); // its writes never finish: it "crashed" after answering
    const text = body(clock);
    expect((await crashed.webhook.core.handle(signedPost(SECRET, text))).status).toBe(200);

    const survivor = host(inner, clock);
    expect(await survivor.permissions.sweep()).toMatchObject({ inbox: 0 }); // the grace period is the first host's
    clock.advance(30_000);
    expect(await survivor.permissions.sweep()).toMatchObject({ inbox: 1 });
    expect((await survivor.permissions.status(thread)).state).toBe('approved');

    expect((await survivor.webhook.core.handle(signedPost(SECRET, text))).status).toBe(200); // Meta retries anyway
    slow.release(); // the first host wakes up and finishes
    await crashed.webhook.drain();
    const approvals = [...crashed.notices, ...survivor.notices].filter((n) => n.event === 'REPLY_APPROVE');
    expect(approvals).toHaveLength(1);
    expect(await inner.dueDocs('inbox', Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
  });

  it('keeps one inbox slot for a delivery retried while it waits', async () => {
    const clock = new VirtualClock();
    const inner = memoryStore();
    const slow = slowStore(inner);
    const h = host(slow.store, clock, 0);
    const text = body(clock);
    const answers = await Promise.all([h.webhook.core.handle(signedPost(SECRET, text)), h.webhook.core.handle(signedPost(SECRET, text))]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(await inner.dueDocs('inbox', clock.now() + 60_000, 10)).toHaveLength(1);
    slow.release();
    await h.webhook.drain();
    expect(h.notices.filter((n) => n.event === 'REPLY_APPROVE')).toHaveLength(1);
  });

  it('refuses with 503 when the events could be neither applied nor recorded, so Meta retries', async () => {
    const clock = new VirtualClock();
    const down = () => Promise.reject(new Error('store down'));
    const broken: PermissionStore = { ...memoryStore(), get: down, compareAndSet: down, commitThread: down, getDoc: down, putDoc: down, deleteDoc: down };
    const fast = host(broken, clock);
    const refused = await fast.webhook.core.handle(signedPost(SECRET, body(clock)));
    expect([refused.status, refused.reason]).toEqual([503, 'store_unavailable']);
    expect(fast.errors.map((e) => e.code)).toEqual(['apply_failed']);

    // Applying hangs past the budget, and recording fails.
    const hung: PermissionStore = { ...broken, get: () => new Promise(() => undefined) };
    const slow = host(hung, clock, 0);
    const res = await slow.webhook.core.handle(signedPost(SECRET, body(clock)));
    expect([res.status, res.reason]).toEqual([503, 'store_unavailable']);
    expect(slow.errors.map((e) => e.code)).toEqual(['inbox_failed']);
  });
});
