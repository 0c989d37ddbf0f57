import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { storedThread, threadKey, threadOfStored, threadPairKey, type Thread } from '../../src/internals.js';

const digits = fc.stringMatching(/^[0-9]{1,20}$/);
const messengerArb: fc.Arbitrary<Thread> = fc.record({ pageId: digits, psid: digits });
const whatsappArb: fc.Arbitrary<Thread> = fc.record({ channel: fc.constant('whatsapp' as const), pageId: digits, psid: fc.stringMatching(/^[0-9A-Za-z._-]{1,40}$/) });

describe('a thread as stores key it', () => {
  it('keeps a Messenger thread as it is (rows stored before channels read unchanged), and reads every thread back', () => {
    fc.assert(fc.property(messengerArb, (t) => {
      expect(storedThread(t)).toBe(t);
      expect(threadOfStored(storedThread(t))).toEqual(t);
    }));
    fc.assert(fc.property(whatsappArb, (t) => {
      expect(storedThread(t).pageId).toBe(`wa:${t.pageId}`);
      expect(storedThread(t)).not.toHaveProperty('channel');
      expect(threadOfStored(storedThread(t))).toEqual(t);
    }));
  });

  it('never lets a WhatsApp thread and a Messenger thread share a key, whatever their ids', () => {
    fc.assert(fc.property(messengerArb, (m) => {
      const w: Thread = { channel: 'whatsapp', pageId: m.pageId, psid: m.psid };
      expect(storedThread(w).pageId).not.toBe(storedThread(m).pageId);
      expect(threadKey(w)).not.toBe(threadKey(m));
      expect(threadPairKey(w)).not.toBe(threadPairKey(m));
    }));
  });

  it('refuses a Messenger Page id that would read back as WhatsApp', () => {
    expect(() => storedThread({ pageId: 'wa:1', psid: '2' })).toThrow(RangeError);
  });
});
