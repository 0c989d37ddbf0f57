import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { ok, type GraphApi, type Thread } from '@callperm/core';
import { channelGraphApi } from '@callperm/adapters/graph';

type Seen = readonly [client: 'messenger' | 'whatsapp', method: string, ...args: unknown[]];

/** A GraphApi that records every call under its name, and answers the happy value. */
const recording = (name: 'messenger' | 'whatsapp', seen: Seen[]): GraphApi => {
  const answer = <T>(value: T, method: string, ...args: unknown[]) => {
    seen.push([name, method, ...args]);
    return Promise.resolve(ok(value));
  };
  return {
    checkPermission: (t) => answer({ status: 'no_permission', rawStatus: 'no_permission', expiresAt: null, request: null, startCall: null } as const, 'checkPermission', t),
    sendPermissionRequest: (t) => answer({ messageId: `${name}_m` }, 'sendPermissionRequest', t),
    checkPageCalling: (x) => answer({ enabled: true, status: name }, 'checkPageCalling', x),
    checkCallSettings: (x) => answer({ audioEnabled: true, videoEnabled: null, ringTarget: null }, 'checkCallSettings', x),
    connectCall: (t, sdp) => answer({ callId: `${name}_c`, sdpAnswer: null }, 'connectCall', t, sdp),
    terminateCall: (x, c) => answer(null, 'terminateCall', x, c),
    acceptCall: (x, c, sdp) => answer({ sdpAnswer: null }, 'acceptCall', x, c, sdp),
    rejectCall: (x, c) => answer(null, 'rejectCall', x, c),
  };
};

const id = fc.stringMatching(/^[1-9]\d{0,15}$/);
const threadArb: fc.Arbitrary<Thread> = fc.record({
  pageId: id, psid: fc.oneof(fc.stringMatching(/^\d{6,15}$/), fc.stringMatching(/^[A-Z]{2}\.\d{5,20}$/)),
  whatsapp: fc.boolean(),
}).map(({ pageId, psid, whatsapp }) => (whatsapp ? { channel: 'whatsapp', pageId, psid } : { pageId, psid }));

describe('channelGraphApi routes each call to its channel', () => {
  /** Threads, the numbers said to be WhatsApp's (some of the threads' ids, some others), and which option says so. */
  const scenario = fc.array(threadArb, { minLength: 1, maxLength: 20 }).chain((threads) =>
    fc.tuple(fc.constant(threads), fc.tuple(fc.subarray(threads.map((t) => t.pageId)), fc.array(id, { maxLength: 3 })).map(([a, b]) => [...a, ...b]), fc.boolean()));
  test.prop([scenario])(
    'threads by their channel; bare ids by whatsappNumbers / isWhatsAppNumber (default Messenger); each call reaches exactly one client, unchanged',
    async ([threads, numbers, asPredicate]) => {
      const seen: Seen[] = [];
      const set = new Set(numbers);
      const graph = channelGraphApi({
        messenger: recording('messenger', seen), whatsapp: recording('whatsapp', seen),
        ...(asPredicate ? { isWhatsAppNumber: (x: string) => set.has(x) } : { whatsappNumbers: set }),
      });
      for (const t of threads) {
        const want = t.channel === 'whatsapp' ? 'whatsapp' : 'messenger';
        const wantById = set.has(t.pageId) ? 'whatsapp' : 'messenger';
        seen.length = 0;
        await graph.checkPermission(t);
        await graph.sendPermissionRequest(t);
        await graph.connectCall(t, 'v=0');
        await graph.checkPageCalling(t.pageId);
        await graph.checkCallSettings(t.pageId);
        await graph.terminateCall(t.pageId, 'c1');
        await graph.acceptCall(t.pageId, 'c2', 'v=0');
        await graph.rejectCall(t.pageId, 'c3');
        expect(seen).toEqual([
          [want, 'checkPermission', t], [want, 'sendPermissionRequest', t], [want, 'connectCall', t, 'v=0'],
          [wantById, 'checkPageCalling', t.pageId], [wantById, 'checkCallSettings', t.pageId], [wantById, 'terminateCall', t.pageId, 'c1'],
          [wantById, 'acceptCall', t.pageId, 'c2', 'v=0'], [wantById, 'rejectCall', t.pageId, 'c3'],
        ]);
      }
    },
  );

  it('with neither option every bare id goes to Messenger; both options: either one makes it WhatsApp', async () => {
    const seen: Seen[] = [];
    const plain = channelGraphApi({ messenger: recording('messenger', seen), whatsapp: recording('whatsapp', seen) });
    expect(await plain.checkPageCalling('1065')).toEqual({ ok: true, value: { enabled: true, status: 'messenger' } });
    const both = channelGraphApi({
      messenger: recording('messenger', seen), whatsapp: recording('whatsapp', seen), whatsappNumbers: new Set(['1']), isWhatsAppNumber: (x) => x === '2',
    });
    const statuses = await Promise.all(['1', '2', '3'].map(async (x) => { const r = await both.checkPageCalling(x); return r.ok ? r.value.status : null; }));
    expect(statuses).toEqual(['whatsapp', 'whatsapp', 'messenger']);
  });

  it('a predicate that throws resolves to an invalid failure and calls no client', async () => {
    const seen: Seen[] = [];
    const graph = channelGraphApi({
      messenger: recording('messenger', seen), whatsapp: recording('whatsapp', seen), isWhatsAppNumber: () => { throw new Error('lookup down'); },
    });
    const r = await graph.terminateCall('1065', 'wacid.1');
    expect(r.ok ? null : [r.error.kind, r.error.processed]).toEqual(['invalid', 'no']);
    expect(seen).toEqual([]);
  });
});
