// A plain-JavaScript ESM host that embeds callperm as installed from the registry: the service on the
// SQLite store, the Graph client pointed at the fake Graph API (a real HTTP server on loopback), and the
// webhook receiver on node:http. It drives one thread from an inbound message to approved over real HTTP,
// with every webhook signed with the app secret. Exits non-zero on any surprise.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCallPermissions } from '@callperm/core';
import { graphApi } from '@callperm/adapters/graph';
import { sqliteStore } from '@callperm/adapters/storage/sqlite';
import { createWebhookHandler } from '@callperm/adapters/webhook';
import {
  VirtualClock, createFakeGraphApi, inboundMessageEntry, pageWebhook, permissionReplyEntry, postWebhook,
} from '@callperm/testing';

const APP_SECRET = 'packaging-app-secret';
const PAGE_TOKEN = 'packaging-page-token';
const VERIFY_TOKEN = 'packaging-verify-token';
const thread = { pageId: '1234567890', psid: '9876543210' };

const dir = mkdtempSync(join(tmpdir(), 'callperm-host-'));
const clock = new VirtualClock(Date.now());
const fake = await createFakeGraphApi({ clock, accessTokens: PAGE_TOKEN, appSecret: APP_SECRET });
const store = await sqliteStore({ filename: join(dir, 'host.sqlite') });
const graph = graphApi({ accessToken: PAGE_TOKEN, appSecret: APP_SECRET, baseUrl: fake.url, apiVersion: fake.apiVersion, clock });
const permissions = createCallPermissions({ graph, store, clock });
const webhook = createWebhookHandler({ appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN, permissions, path: '/webhook' });
const server = createServer(webhook.node);
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/webhook`;

try {
  // Meta's verification handshake.
  const challenge = await fetch(`${url}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=4242`);
  assert.equal(challenge.status, 200);
  assert.equal(await challenge.text(), '4242');

  // The person writes to the Page: Meta knows it, and posts the message webhook, signed.
  fake.inbound(thread, clock.now());
  const message = await postWebhook(url, APP_SECRET, pageWebhook([inboundMessageEntry({ ...thread, at: clock.now() })]));
  assert.equal(message.status, 200, `message webhook: ${JSON.stringify(message)}`);

  // A forged delivery is refused.
  const forged = await postWebhook(url, 'not-the-app-secret', pageWebhook([inboundMessageEntry({ ...thread, at: clock.now() })]));
  assert.ok(forged.status === 401 || forged.status === 403, `forged webhook answered ${JSON.stringify(forged)}`);
  await webhook.drain();

  // The host asks for permission: one calling_optin reaches (fake) Meta over HTTP.
  clock.advance(60_000);
  const sent = await permissions.request(thread);
  assert.ok(sent.ok, `request refused: ${JSON.stringify(sent)}`);
  assert.equal(fake.optIns.length, 1);
  assert.equal((await permissions.status(thread)).state, 'requested');

  // The person taps Accept: Meta grants it and posts call_permission_reply, signed.
  clock.advance(60_000);
  fake.grant(thread);
  const reply = await postWebhook(url, APP_SECRET, pageWebhook([permissionReplyEntry({ ...thread, at: clock.now(), response: 'approve' })]));
  assert.equal(reply.status, 200, `reply webhook: ${JSON.stringify(reply)}`);
  await webhook.drain();

  clock.advance(60_000);
  const status = await permissions.status(thread);
  assert.equal(status.state, 'approved');
  const decision = await permissions.canStartCall(thread);
  assert.equal(decision.allowed, true, `canStartCall: ${JSON.stringify(decision)}`);
  console.log(`host: ${thread.pageId}:${thread.psid} none -> requested -> approved over HTTP on Node ${process.versions.node}`);
} finally {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await webhook.drain();
  graph.close();
  await store.close();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
}
