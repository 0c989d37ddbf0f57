import { describe, expect, it } from 'vitest';
import { consumers, metaRetryDelaysMs } from '@callperm/testing';
import { simHost } from './simHost.js';

const thread = { pageId: '5001', psid: '6001' };

/** The person writes, the host asks, and the clock runs to the person's answer. */
const askAndWait = async (h: Awaited<ReturnType<typeof simHost>>, waitMs = 30_000) => {
  h.consumers.message(thread);
  await h.consumers.settle();
  expect((await h.permissions.request(thread)).ok).toBe(true);
  h.clock.advance(waitMs);
  await h.consumers.settle();
};

describe('the consumers answer opt-ins', () => {
  it('approve after a delay on the virtual clock, with a signed reply in the configured envelope', async () => {
    const h = await simHost({ behaviour: consumers.approveAfter(45_000), replyShape: 'changes' });
    try {
      await askAndWait(h, 44_000);
      expect((await h.permissions.status(thread)).state).toBe('requested');
      h.clock.advance(1_000);
      await h.consumers.settle();
      expect((await h.permissions.status(thread)).state).toBe('approved');
      expect(h.fake.threads.view(thread).hasPermission).toBe(true);
    } finally {
      await h.close();
    }
  });

  it('reject, or ignore', async () => {
    const h = await simHost({ behaviour: (o) => (o.thread.psid === thread.psid ? consumers.rejectAfter(10_000)(o) : consumers.ignore()(o)) });
    try {
      await askAndWait(h);
      expect((await h.permissions.status(thread)).state).toBe('rejected');
      const quiet = { pageId: '5001', psid: '6002' };
      h.consumers.message(quiet);
      await h.consumers.settle();
      await h.permissions.request(quiet);
      h.clock.advance('P1D');
      await h.consumers.settle();
      expect((await h.permissions.status(quiet)).state).toBe('requested');
    } finally {
      await h.close();
    }
  });
});

describe('delivery faults', () => {
  it('duplicated and reversed deliveries end approved, announced once', async () => {
    const h = await simHost({ faults: { duplicates: 2, reverse: true } });
    try {
      await askAndWait(h);
      expect(h.consumers.attempts).toHaveLength(6); // the message and the reply, three times each
      expect((await h.permissions.status(thread)).state).toBe('approved');
      expect(h.notices.filter((n) => n.event === 'REPLY_APPROVE')).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it('a lost answer makes Meta deliver again; the host applies it once', async () => {
    const h = await simHost({ faults: { lose: { attempts: 1, where: 'response' } } });
    try {
      await askAndWait(h);
      expect(h.consumers.attempts.map((a) => a.outcome.status)).toEqual(['lost_response', 200, 'lost_response', 200]);
      expect(h.notices.filter((n) => n.event === 'REPLY_APPROVE')).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it('a delayed delivery arrives when the clock gets there', async () => {
    const h = await simHost({ faults: { delayMs: 120_000 } });
    try {
      h.consumers.message(thread);
      await h.consumers.settle();
      expect(h.control.received).toBe(0);
      h.clock.advance(120_000);
      await h.consumers.settle();
      expect(h.control.received).toBe(1);
    } finally {
      await h.close();
    }
  });

  it('a host that is down is retried like Meta retries, and dropped after an hour', async () => {
    const h = await simHost();
    try {
      h.control.down = true;
      h.consumers.message(thread);
      await h.consumers.settle();
      expect(h.control.received).toBe(3); // the first try and two immediate retries
      for (const delay of metaRetryDelaysMs.slice(2)) {
        h.clock.advance(delay);
        await h.consumers.settle();
      }
      expect(h.consumers.dropped).toEqual([1]);
      expect(h.control.received).toBe(metaRetryDelaysMs.length + 1);

      h.control.down = false; // a host that comes back in time gets the delivery
      h.consumers.message(thread);
      await h.consumers.settle();
      expect((await h.permissions.status(thread)).state).toBe('none');
      expect(h.consumers.attempts.at(-1)?.outcome.status).toBe(200);
    } finally {
      await h.close();
    }
  });
});
