import { createCallPermissions, memoryStore, type Thread } from '@callperm/core';
import { createWebhookCore, type ReceivedResponse, type WebhookResponse } from '@callperm/adapters/webhook';
import { VirtualClock, offlineGraph } from '@callperm/testing';
import { describe, expect, it } from 'vitest';
import { signedPost } from './coreRequest.js';

const SECRET = 'edge-secret';
const NOW_S = 1_780_000_000; // 2026-05-28, the service's clock
const graph = offlineGraph('offline');

const setup = () => {
  const store = memoryStore();
  const permissions = createCallPermissions({ graph, store, clock: new VirtualClock(NOW_S * 1000) });
  const core = createWebhookCore({ appSecret: SECRET, verifyToken: 'v', permissions });
  return { store, permissions, core };
};

/** A reply entry written as raw JSON text, so ids can hold escapes JSON.stringify would never write (a lone surrogate). */
const replyJson = (pageJson: string, psidJson: string, at = NOW_S) =>
  `{"id":${pageJson},"time":${at},"messaging":[{"sender":{"id":${psidJson}},"recipient":{"id":${pageJson}},"timestamp":${at},`
  + `"call_permission_reply":{"response":"approve","expiration_timestamp":${at + 7 * 86_400}}}]}`;
const delivery = (...entries: string[]) => `{"object":"page","entry":[${entries.join(',')}]}`;
const refusedOf = (res: WebhookResponse) => (res as Partial<ReceivedResponse>).refused;

const genuine: Thread[] = [{ pageId: '106378625516323', psid: '5275811702471834' }, { pageId: '106378625516323', psid: '5275811702471835' }];
const genuineEntries = genuine.map((t) => replyJson(JSON.stringify(t.pageId), JSON.stringify(t.psid)));

describe('the receiver validates ids, instants and sizes at the edge', () => {
  it('a lone surrogate in a PSID is refused and counted (200, no 500); the genuine replies beside it apply', async () => {
    const { core, permissions } = setup();
    const res = await core.handle(signedPost(SECRET, delivery(genuineEntries[0]!, replyJson('"106378625516323"', '"52758\\ud800"'), genuineEntries[1]!)));
    expect(res.status).toBe(200);
    expect(refusedOf(res)).toMatchObject({ id_malformed: 1 });
    for (const t of genuine) expect((await permissions.canStartCall(t)).allowed).toBe(true);
  });

  it('a PSID of 5000 digits and a Page id with NUL are refused; the rest of the delivery applies', async () => {
    const { core, permissions } = setup();
    const res = await core.handle(signedPost(SECRET, delivery(
      replyJson('"106378625516323"', JSON.stringify('9'.repeat(5000))), ...genuineEntries, replyJson('"10637\\u0000"', '"5275811702471836"'),
    )));
    expect(res.status).toBe(200);
    expect(refusedOf(res)).toMatchObject({ id_too_long: 1, id_malformed: 1 });
    for (const t of genuine) expect((await permissions.canStartCall(t)).allowed).toBe(true);
  });

  it('an approval dated 2223 is refused as implausible: nothing is stored, so nothing needs undoing', async () => {
    const { core, permissions } = setup();
    const forged = Math.floor(Date.UTC(2223, 0, 1) / 1000);
    const res = await core.handle(signedPost(SECRET, delivery(replyJson(JSON.stringify(genuine[0]!.pageId), JSON.stringify(genuine[0]!.psid), forged))));
    expect(res.status).toBe(200);
    expect(refusedOf(res)).toMatchObject({ implausible_instant: 1 });
    expect((await permissions.status(genuine[0]!)).version).toBe(0);
  });

  it('a 2.6 MiB delivery of 27,001 threads creates at most 2000 and answers 200, counting the rest', async () => {
    const { core, store } = setup();
    const psid = (i: number) => String(4_000_000_000_000_000 + i);
    const items = Array.from({ length: 27_001 }, (_, i) => `{"sender":{"id":"${psid(i)}"},"recipient":{"id":"1"},"timestamp":${NOW_S},"message":{}}`);
    const res = await core.handle(signedPost(SECRET, delivery(`{"messaging":[${items.join(',')}]}`)));
    await core.drain();
    expect(res.status).toBe(200);
    expect(refusedOf(res)).toMatchObject({ too_many_events: 25_001 });
    const stored = await Promise.all([0, 1999, 2000, 27_000].map(async (i) => (await store.get({ pageId: '1', psid: psid(i) })) !== null));
    expect(stored).toEqual([true, true, false, false]);
  });
});
