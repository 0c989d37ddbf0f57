/**
 * Measures (not a test) the response time of one signed delivery of 100 events
 * on the SQLite store, through the node:http face over loopback:
 *   npx tsx packages/adapters/test/webhook/measureBatch.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createCallPermissions } from '@callperm/core';
import { sqliteStore } from '@callperm/adapters/storage/sqlite';
import { createWebhookHandler } from '@callperm/adapters/webhook';
import {
  VirtualClock, callsEntry, connectItem, inboundMessageEntry, pageWebhook, permissionReplyEntry, postWebhook, terminateItem, offlineGraph } from '@callperm/testing';

const SECRET = 'measure-secret';
const dir = mkdtempSync(join(tmpdir(), 'callperm-measure-'));
const clock = new VirtualClock(Date.UTC(2026, 3, 1));
const store = await sqliteStore({ filename: join(dir, 'measure.sqlite') });
const graph = offlineGraph('offline');
const permissions = createCallPermissions({ graph, store, clock });
const webhook = createWebhookHandler({ appSecret: SECRET, verifyToken: 't', permissions });
const server = createServer(webhook.node);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;

/** 100 events over 60 threads: 40 messages, 40 replies (three envelopes), 10 calls of 2 items. */
const delivery = (round: number): string => {
  const at = clock.now() + round * 1000;
  const entries: unknown[] = [];
  for (let i = 0; i < 40; i += 1) entries.push(inboundMessageEntry({ pageId: '9001', psid: String(100_000 + round * 100 + i), at }));
  for (let i = 0; i < 40; i += 1) {
    entries.push(permissionReplyEntry({
      pageId: '9001', psid: String(100_000 + round * 100 + i), at: at + 1000, response: i % 4 === 0 ? 'reject' : 'approve',
      shape: (['entry', 'messaging', 'changes'] as const)[i % 3] ?? 'entry',
    }));
  }
  for (let i = 0; i < 10; i += 1) {
    const call = { pageId: '9001', psid: String(100_040 + round * 100 + i), callId: `c_${round}_${i}` };
    entries.push(callsEntry('9001', [connectItem(call, 'user_initiated', at), terminateItem(call, { at: at + 60_000, durationSec: null })]));
  }
  return JSON.stringify(pageWebhook(entries));
};

const times: number[] = [];
for (let round = 0; round < 45; round += 1) {
  const body = delivery(round);
  const t0 = performance.now();
  const r = await postWebhook(url, SECRET, body);
  const ms = performance.now() - t0;
  if (r.status !== 200) throw new Error(`status ${String(r.status)}`);
  if (round >= 5) times.push(ms); // the first rounds warm up the JIT and SQLite's caches
}
times.sort((a, b) => a - b);
const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]?.toFixed(1);
console.log(`100 events per delivery, SQLite, node:http over loopback, ${times.length} deliveries: median ${q(0.5)} ms, p90 ${q(0.9)} ms, max ${q(1)} ms`);
server.close();
await webhook.drain();
await store.close();
rmSync(dir, { recursive: true, force: true });
