import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCallPermissions, type Thread } from '@callperm/core';
import { sqliteStore } from '@callperm/adapters/storage/sqlite';
import { createWebhookHandler } from '@callperm/adapters/webhook';
import { VirtualClock, callsEntry, connectItem, pageWebhook, permissionReplyEntry, terminateItem, offlineGraph } from '@callperm/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { signedPost } from './coreRequest.js';

const SECRET = 'shared-secret';
const dir = mkdtempSync(join(tmpdir(), 'callperm-shared-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const graph = offlineGraph('offline');
const thread: Thread = { pageId: '7001', psid: '8001' };

/** Two hosts, each with its own connection to one SQLite file. */
const twoHosts = async (file: string) => {
  const clock = new VirtualClock(Date.UTC(2026, 4, 1));
  const make = async () => {
    const store = await sqliteStore({ filename: join(dir, file) });
    const permissions = createCallPermissions({ graph, store, clock });
    const webhook = createWebhookHandler({ appSecret: SECRET, verifyToken: 't', permissions });
    return { store, permissions, webhook };
  };
  return { clock, a: await make(), b: await make() };
};

describe('hosts sharing a SQLite file', () => {
  it('correlate the two halves of a call that reached different hosts, terminate first', async () => {
    const { clock, a, b } = await twoHosts('calls.sqlite');
    const call = { ...thread, callId: 'c_shared_1' };
    const start = clock.now();
    const terminate = pageWebhook([callsEntry(thread.pageId, [terminateItem(call, { at: start + 60_000, startedAt: start, durationSec: null })])]);
    const connect = pageWebhook([callsEntry(thread.pageId, [connectItem(call, 'user_initiated', start)])]);
    expect((await a.webhook.core.handle(signedPost(SECRET, JSON.stringify(terminate)))).status).toBe(200);
    expect((await b.webhook.core.handle(signedPost(SECRET, JSON.stringify(connect)))).status).toBe(200);
    expect(await a.permissions.status(thread)).toMatchObject({ state: 'approved', provisional: true, expiresAt: start + 60_000 + 7 * 86_400_000 });
    await Promise.all([a.store.close(), b.store.close()]);
  });

  it('apply an inbox entry one host recorded and the other swept', async () => {
    const { clock, a, b } = await twoHosts('inbox.sqlite');
    const body = JSON.stringify(pageWebhook([permissionReplyEntry({ ...thread, at: clock.now(), response: 'approve' })]));
    const events = [{ kind: 'permission_reply' as const, id: 'r:1', thread, at: clock.now(), response: 'approve' as const, expiresAt: null }];
    await a.permissions.inbox.put(events);
    clock.advance(30_000);
    expect(await b.permissions.sweep()).toMatchObject({ inbox: 1, failed: 0 });
    expect((await a.permissions.status(thread)).state).toBe('approved');
    expect((await b.webhook.core.handle(signedPost(SECRET, body))).status).toBe(200);
    await Promise.all([a.store.close(), b.store.close()]);
  });
});
