import { whatsappGraphApi } from '@callperm/adapters/graph';
import { createCallPermissions, memoryStore, type CallPermissions, type Thread } from '@callperm/core';
import { consumers, createConsumerSimulator, createFakeGraphApi, VirtualClock, type ConsumerSimulator, type FakeGraphApi } from '@callperm/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../src/host/startHost.js';

const TOKEN = 'whatsapp-thread-test-token';
const APP_SECRET = 'whatsapp-thread-test-app-secret';
const NUMBER = '106540352242922';
const thread: Thread = { channel: 'whatsapp', pageId: NUMBER, psid: '4915112345678' };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * A WhatsApp thread end to end over real HTTP: the service on the WhatsApp Graph
 * client, the fake Meta's WhatsApp endpoints, the simulated person answering with
 * signed `whatsapp_business_account` webhooks to the host's receiver.
 */
describe('a WhatsApp thread, none to expired, against the fake Meta over HTTP', () => {
  let fake: FakeGraphApi;
  let host: RunningHost;
  let sim: ConsumerSimulator;
  let permissions: CallPermissions;
  let close: () => void;

  beforeEach(async () => {
    const clock = new VirtualClock(Date.UTC(2026, 11, 1, 9));
    fake = await createFakeGraphApi({ clock, accessTokens: TOKEN, whatsappNumbers: [NUMBER] });
    const graph = whatsappGraphApi({ accessTokens: { [NUMBER]: TOKEN }, baseUrl: fake.url, clock, retry: { limit: 0 } });
    close = () => graph.close();
    permissions = createCallPermissions({ graph, store: memoryStore(), clock });
    host = await startHost({ permissions, appSecret: APP_SECRET, verifyToken: 'v' });
    sim = createConsumerSimulator({ fake, hostUrl: `${host.url}/webhook`, appSecret: APP_SECRET, behaviour: consumers.approveAfter(30_000) });
  });
  afterEach(async () => {
    sim.close();
    await host.close();
    close();
    await fake.close();
  });

  const advance = async (ms: number): Promise<void> => {
    fake.clock.advance(ms);
    await sim.settle();
  };

  it('goes through requested, a temporary approval, a permanent one, an automatic revocation, and a lapsed approval', async () => {
    expect((await permissions.status(thread)).state).toBe('none');
    sim.message(thread); // the customer-service window opens
    await sim.settle();
    const asked = await permissions.request(thread);
    expect(asked.ok).toBe(true);
    expect((await permissions.status(thread)).state).toBe('requested');
    expect(fake.sends.filter((s) => s.channel === 'whatsapp' && s.outcome === 'accepted')).toHaveLength(1);

    await advance(30_000); // the person accepts: a temporary permission, 7 days
    const temporary = await permissions.status(thread);
    expect(temporary.state).toBe('approved');
    expect(temporary.expiresAt).not.toBeNull();

    sim.grantPermanent(thread); // the person makes it permanent
    await advance(1_000);
    const permanent = await permissions.status(thread);
    expect([permanent.state, permanent.expiresAt]).toEqual(['approved', null]);

    sim.revokeAutomatically(thread); // unanswered calls: Meta revokes it
    await advance(1_000);
    expect((await permissions.status(thread)).state).toBe('rejected');

    await advance(DAY); // a day on (WhatsApp's 1 request a day), the person writes again, and is asked again
    sim.message(thread);
    await sim.settle();
    expect((await permissions.request(thread)).ok).toBe(true);
    await advance(30_000);
    expect((await permissions.status(thread)).state).toBe('approved');

    await advance(7 * DAY); // the temporary permission lapses; the sweep announces it
    await permissions.sweep();
    const lapsed = await permissions.status(thread);
    expect([lapsed.state, lapsed.canStartCall]).toEqual(['expired', false]);
    // Never a Messenger thread: the same ids on Messenger know nothing.
    expect((await permissions.status({ pageId: thread.pageId, psid: thread.psid })).state).toBe('none');
  });

  it('holds WhatsApp\'s request limit: one a day, Meta not asked again', async () => {
    sim.message(thread);
    await sim.settle();
    expect((await permissions.request(thread)).ok).toBe(true);
    await advance(30_000);
    await advance(60_000);
    sim.revokeAutomatically(thread);
    await advance(5 * HOUR);
    sim.message(thread);
    await sim.settle();
    const again = await permissions.request(thread);
    expect(!again.ok && again.error.reason).toBe('quota_exhausted');
    expect(fake.sends.filter((s) => s.channel === 'whatsapp')).toHaveLength(1);
  });
});
