import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCallPermissions, type TransitionNotice } from '@callperm/core';
import { graphApi } from '@callperm/adapters/graph';
import { sqliteStore } from '@callperm/adapters/storage/sqlite';
import { createWebhookHandler } from '@callperm/adapters/webhook';
import {
  VirtualClock, consumers, createConsumerSimulator, createFakeGraphApi, metaSeconds,
} from '@callperm/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { faces, startHost, type Face } from './startHost.js';

const SECRET = 'e2e-app-secret';
const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'callperm-webhook-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** Fake Meta, and a host (service + SQLite on a temp file + the webhook face) joined over loopback HTTP. */
const stack = async (face: Face) => {
  const clock = new VirtualClock(Date.UTC(2026, 0, 5, 9));
  const fake = await createFakeGraphApi({ clock, accessTokens: 'page-token', appSecret: SECRET });
  const graph = graphApi({ accessToken: 'page-token', appSecret: SECRET, baseUrl: fake.url, clock });
  const store = await sqliteStore({ filename: join(dir, `${face}-${(files += 1)}.sqlite`) });
  const notices: TransitionNotice[] = [];
  const permissions = createCallPermissions({ graph, store, clock, onTransition: (n) => notices.push(n) });
  const webhook = createWebhookHandler({ appSecret: SECRET, verifyToken: 'verify-me', permissions, maxBodyBytes: 64 * 1024 });
  const host = await startHost(face, webhook);
  const sim = createConsumerSimulator({ fake, hostUrl: host.url, appSecret: SECRET, behaviour: consumers.approveAfter(30_000) });
  return {
    clock, fake, permissions, notices, host, sim,
    close: async () => {
      sim.close();
      await host.close();
      await webhook.drain();
      graph.close();
      await store.close();
      await fake.close();
    },
  };
};

describe.each(faces)('end to end over real HTTP through the %s face', (face) => {
  it('request -> the consumer approves -> approved with the webhook expiry -> callable -> expired 7 days on', async () => {
    const s = await stack(face);
    try {
      const thread = { pageId: '1001', psid: '2002' };
      const hello = await fetch(`${s.host.url}?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=31337`);
      expect([hello.status, await hello.text()]).toEqual([200, '31337']);

      s.sim.message(thread); // the person writes first: the 24 h window opens at Meta and at the host
      await s.sim.settle();
      const sent = await s.permissions.request(thread);
      expect(sent.ok).toBe(true);
      expect(s.fake.optIns).toHaveLength(1);
      expect((await s.permissions.status(thread)).state).toBe('requested');

      s.clock.advance(30_000);
      await s.sim.settle();
      expect(s.sim.attempts.map((a) => a.outcome.status)).toEqual([200, 200]);
      const approvedAt = s.fake.optIns[0]!.at + 30_000;
      const expiresAt = metaSeconds(approvedAt + 7 * DAY) * 1000;
      expect(await s.permissions.status(thread)).toMatchObject({ state: 'approved', expiresAt, provisional: false });
      expect(await s.permissions.canStartCall(thread)).toMatchObject({ allowed: true, reason: null });

      s.clock.advance('P7D');
      expect(await s.permissions.canStartCall(thread)).toMatchObject({ allowed: false, reason: 'expired' });
      expect(await s.permissions.sweep()).toMatchObject({ expired: 1 });
      expect((await s.permissions.status(thread)).state).toBe('expired');
      expect(s.notices.map((n) => `${n.from}->${n.to}`)).toContain('approved->expired');
    } finally {
      await s.close();
    }
  });

  it('refuses what Meta did not sign, with a typed reason and no state change', async () => {
    const s = await stack(face);
    try {
      const body = JSON.stringify({ object: 'page', entry: [] });
      const post = (headers: Record<string, string>, payload = body) =>
        fetch(s.host.url, { method: 'POST', body: payload, headers: { 'content-type': 'application/json', ...headers } });
      const bad = await post({ 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` });
      expect([bad.status, await bad.json()]).toEqual([401, { reason: 'invalid_signature' }]);
      const wrongType = await fetch(s.host.url, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
      expect([wrongType.status, await wrongType.json()]).toEqual([415, { reason: 'unsupported_media_type' }]);
      const put = await fetch(s.host.url, { method: 'PUT', body, headers: { 'content-type': 'application/json' } });
      expect(put.status).toBe(405);
      const huge = JSON.stringify({ object: 'page', entry: [{ pad: 'x'.repeat(100 * 1024) }] });
      const tooBig = await post({ 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }, huge);
      expect([tooBig.status, await tooBig.json()]).toEqual([413, { reason: 'payload_too_large' }]);
      expect((await s.permissions.status({ pageId: '1001', psid: '2002' })).version).toBe(0);
    } finally {
      await s.close();
    }
  });
});
