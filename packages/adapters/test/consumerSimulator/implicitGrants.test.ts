import { describe, expect, it } from 'vitest';
import { simHost } from './simHost.js';

const thread = { pageId: '3001', psid: '4001' };
const MIN = 60_000;
const DAY = 86_400_000;

describe('implicit grants from simulated calls, confirmed or corrected by the remote check', () => {
  it('a consumer call the host misses: provisional, then confirmed by sweep against fake Meta', async () => {
    const h = await simHost();
    try {
      const start = h.clock.now();
      h.consumers.placeCall(thread, { hostAnswers: false });
      await h.consumers.settle();
      expect((await h.permissions.status(thread)).state).toBe('none'); // a connect alone grants nothing
      h.clock.advance(MIN); // the call rings out
      await h.consumers.settle();
      expect(await h.permissions.status(thread)).toMatchObject({ state: 'approved', provisional: true, canStartCall: true });
      h.clock.advance(MIN);
      expect(await h.permissions.sweep()).toMatchObject({ checked: 1, failed: 0 });
      const metaExpiry = start + MIN + 7 * DAY;
      expect(await h.permissions.status(thread)).toMatchObject({ state: 'approved', provisional: false, expiresAt: metaExpiry });
      expect(h.notices.map((n) => n.event)).toEqual(['CONSUMER_CALL_MISSED', 'REMOTE_SYNC']);
    } finally {
      await h.close();
    }
  });

  it('a consumer call the host answers: a connected call', async () => {
    const h = await simHost();
    try {
      h.consumers.placeCall(thread, { hostAnswers: true, ringMs: 10_000, talkMs: 90_000 });
      h.clock.advance(100_000);
      await h.consumers.settle();
      expect(h.notices.map((n) => n.event)).toEqual(['CALL_CONNECTED']);
      h.clock.advance(MIN);
      await h.permissions.sweep();
      expect(await h.permissions.status(thread)).toMatchObject({ state: 'approved', provisional: false });
    } finally {
      await h.close();
    }
  });

  it('a business call the person accepts grants from the acceptance; one they let ring grants nothing', async () => {
    const h = await simHost();
    try {
      const other = { pageId: '3001', psid: '4002' };
      h.consumers.receiveCall(thread, { accepts: true, talkMs: 30_000 });
      h.consumers.receiveCall(other, { accepts: false });
      h.clock.advance(5_000);
      await h.consumers.settle();
      expect(await h.permissions.status(thread)).toMatchObject({ state: 'approved', provisional: true });
      h.clock.advance(MIN);
      await h.consumers.settle();
      expect((await h.permissions.status(other)).state).toBe('none');
      expect(h.fake.threads.state(thread).connectedCalls).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it('when Meta did not grant, the remote check corrects the inference', async () => {
    const h = await simHost({ callsGrant: false });
    try {
      h.consumers.placeCall(thread, { hostAnswers: false });
      h.clock.advance(MIN);
      await h.consumers.settle();
      expect((await h.permissions.status(thread)).provisional).toBe(true);
      h.clock.advance(MIN);
      expect(await h.permissions.sweep()).toMatchObject({ checked: 1 });
      expect(await h.permissions.status(thread)).toMatchObject({ state: 'none', canStartCall: false });
    } finally {
      await h.close();
    }
  });
});
