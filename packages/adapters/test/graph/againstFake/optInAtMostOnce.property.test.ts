import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { graphApi } from '@callperm/adapters/graph';
import { createFakeGraphApi, fakeMetaErrors, VirtualClock, type FakeFault } from '@callperm/testing';

const errorBodies = [
  fakeMetaErrors.appLimit, fakeMetaErrors.rateLimit, fakeMetaErrors.messengerThrottled, fakeMetaErrors.pageThrottled,
  fakeMetaErrors.serviceUnavailable, fakeMetaErrors.outsideWindow, fakeMetaErrors.invalidToken, fakeMetaErrors.personUnavailable,
];

const fault: fc.Arbitrary<FakeFault> = fc.oneof(
  fc.record({ kind: fc.constant('status' as const), status: fc.constantFrom(500, 502, 503, 504), after: fc.boolean() }),
  fc.record({ kind: fc.constant('reset' as const), after: fc.boolean() }),
  fc.record({ kind: fc.constant('hang' as const), after: fc.boolean() }),
  fc.record({ kind: fc.constant('malformed' as const), after: fc.boolean() }),
  fc.record({ kind: fc.constant('delay' as const), ms: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('error' as const), body: fc.constantFrom(...errorBodies), status: fc.constantFrom(400, 403, 429, 500) }),
);

describe('sendPermissionRequest under injected faults', () => {
  test.prop([fc.array(fault, { maxLength: 6 }), fc.integer({ min: 0, max: 4 })])(
    'one call records at most one opt-in; a success exactly one; a failure that says "not processed" none',
    async (faults, limit) => {
      const clock = new VirtualClock(Date.UTC(2026, 5, 1));
      const fake = await createFakeGraphApi({ clock });
      // A short client timeout turns a hung answer into a timeout at once: a client setting, not a sleep.
      const graph = graphApi({ accessToken: 'token', baseUrl: fake.url, clock, timeouts: { response: 40 }, retry: { limit, baseDelayMs: 1, maxDelayMs: 2 } });
      try {
        const thread = { pageId: '1001', psid: '2002' };
        fake.inbound(thread);
        fake.inject('send', ...faults);
        const r = await graph.sendPermissionRequest(thread);
        expect(fake.optIns.length).toBeLessThanOrEqual(1);
        if (r.ok) expect(fake.optIns.map((o) => o.messageId)).toEqual([r.value.messageId]);
        else if (r.error.processed === 'no') expect(fake.optIns).toHaveLength(0);
      } finally {
        graph.close();
        await fake.close();
      }
    },
  );
});
