import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { createCallPermissions, memoryStore, parseWebhook, type Thread } from '../src/internals.js';
import { HOUR, T0 } from './support/histories.js';
import { inProcessGraph } from './support/inProcessGraph.js';

const thread: Thread = { pageId: '111', psid: '222' };

/**
 * Meta times a person's answer in whole seconds and the host times its checks to the
 * millisecond. A check made in the same second, before the answer, cannot see it:
 * the answer must still win. A check made after it agrees with it anyway.
 */
describe('an answer in the same second as an earlier permission check', () => {
  const body = (second: number, response: 'approve' | 'reject', shape: 'entry' | 'messaging' | 'whatsapp') => {
    const reply = { response, ...(response === 'approve' ? { expiration_timestamp: second + 7 * 24 * 3600 } : {}) };
    if (shape === 'whatsapp') {
      return {
        object: 'whatsapp_business_account',
        entry: [{ id: '9', changes: [{ field: 'messages', value: {
          metadata: { phone_number_id: thread.pageId },
          messages: [{ from: thread.psid, id: 'wamid.1', timestamp: String(second), type: 'interactive',
            interactive: { type: 'call_permission_reply', call_permission_reply: { ...reply, response: response === 'approve' ? 'accept' : 'reject' } } }],
        } }] }],
      };
    }
    const item = { sender: { id: thread.psid }, recipient: { id: thread.pageId }, timestamp: second, call_permission_reply: reply };
    return { object: 'page', entry: [shape === 'entry' ? item : { id: thread.pageId, time: second * 1000, messaging: [item] }] };
  };

  test.prop([
    fc.integer({ min: 0, max: 998 }),
    fc.integer({ min: 1, max: 999 }),
    fc.constantFrom('approve' as const, 'reject' as const),
    fc.constantFrom('entry' as const, 'messaging' as const, 'whatsapp' as const),
  ])('the answer wins over the check, whatever the milliseconds of each', async (checkMs, answerAfterMs, response, shape) => {
    const channelThread: Thread = shape === 'whatsapp' ? { channel: 'whatsapp', ...thread } : thread;
    const second = Math.floor(T0 / 1000) + 3600;
    let now = T0;
    const clock = { now: () => now };
    const fake = inProcessGraph();
    const permissions = createCallPermissions({ graph: fake.graph, store: memoryStore(), clock });
    await permissions.ingest([{ kind: 'inbound_message', id: 'in-1', thread: channelThread, at: now }]);
    expect((await permissions.request(channelThread)).ok).toBe(true);
    now = second * 1000 + checkMs; // the check: Meta has no answer yet
    expect((await permissions.refresh(channelThread)).ok).toBe(true);
    now = Math.min(second * 1000 + checkMs + answerAfterMs, second * 1000 + 999) + HOUR / 360; // the webhook comes 10 s later
    const parsed = parseWebhook(body(second, response, shape));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    await permissions.ingest(parsed.value);
    const d = await permissions.status(channelThread);
    expect(d.state).toBe(response === 'approve' ? 'approved' : 'rejected');
  });

  test.prop([fc.integer({ min: 1, max: 999 })])(
    'an answer timed to the millisecond before the check still loses to it (the check saw it)',
    async (lead) => {
      const second = Math.floor(T0 / 1000) + 3600;
      let now = T0;
      const fake = inProcessGraph({
        remote: () => ({ status: 'has_permission', rawStatus: 'has_permission', expiresAt: second * 1000 + 7 * 24 * HOUR, request: null, startCall: null }),
      });
      const permissions = createCallPermissions({ graph: fake.graph, store: memoryStore(), clock: { now: () => now } });
      await permissions.ingest([{ kind: 'inbound_message', id: 'in-1', thread, at: now }]);
      now = second * 1000 + 500;
      expect((await permissions.refresh(thread)).ok).toBe(true);
      now += 10_000;
      await permissions.ingest([{ kind: 'permission_reply', id: 'r', thread, at: second * 1000 + 500 - lead, response: 'reject', expiresAt: null }]);
      expect((await permissions.status(thread)).state).toBe('approved');
    },
  );
});
