import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FakeCallQuota, FakeConnect } from '@callperm/testing';
import { connect } from './callRequests.js';
import { fakePerTest } from './startFake.js';

const PAGE = '1001';
const PEOPLE = ['2002', '3003'] as const;
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

type Step =
  | { readonly kind: 'grant'; readonly who: number; readonly ttlMs: number | null }
  | { readonly kind: 'revoke' | 'expire'; readonly who: number }
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'page'; readonly on: boolean }
  | { readonly kind: 'connect'; readonly who: number; readonly fault: 'none' | 'before' | 'after' };

const who = fc.integer({ min: 0, max: PEOPLE.length - 1 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('grant' as const), who, ttlMs: fc.constantFrom(null, 30 * MIN, 3 * HOUR, 7 * DAY) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('revoke' as const, 'expire' as const), who }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(1, 10 * MIN, 59 * MIN, HOUR, 3 * HOUR, DAY - 1, DAY) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('page' as const), on: fc.boolean() }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('connect' as const), who, fault: fc.constantFrom('none' as const, 'none' as const, 'before' as const, 'after' as const) }) },
);
const quotas: fc.Arbitrary<FakeCallQuota[]> = fc.array(
  fc.record({ periodMs: fc.constantFrom(HOUR, 3 * HOUR, DAY), max: fc.integer({ min: 0, max: 3 }) }),
  { minLength: 1, maxLength: 2 },
);

/** The model: what Meta knows, kept apart from the fake's own book. */
interface Person {
  /** undefined: never granted or revoked; null: no expiry; else the instant it ends. */
  expiry: number | null | undefined;
  readonly placed: number[];
}

const start = fakePerTest();

describe('the fake\'s connect facts against an independent computation', () => {
  it('property: permitted, overQuota, pageAllowed and the outcome of every connect are what the model says', async () => {
    await fc.assert(fc.asyncProperty(quotas, fc.array(step, { maxLength: 24 }), async (callQuota, steps) => {
      const f = await start({ callQuota });
      try {
        const people: Person[] = PEOPLE.map(() => ({ expiry: undefined, placed: [] }));
        let pageOn = true;
        const expected: Pick<FakeConnect, 'outcome' | 'permitted' | 'overQuota' | 'pageAllowed'>[] = [];
        for (const s of steps) {
          const now = f.clock.now();
          switch (s.kind) {
            case 'grant': {
              const expiry = s.ttlMs === null ? null : now + s.ttlMs;
              f.grant({ pageId: PAGE, psid: PEOPLE[s.who]! }, expiry);
              people[s.who]!.expiry = expiry;
              break;
            }
            case 'revoke':
              f.revoke({ pageId: PAGE, psid: PEOPLE[s.who]! });
              people[s.who]!.expiry = undefined;
              break;
            case 'expire':
              f.expire({ pageId: PAGE, psid: PEOPLE[s.who]! });
              if (people[s.who]!.expiry !== undefined) people[s.who]!.expiry = now;
              break;
            case 'advance':
              f.clock.advance(s.ms);
              break;
            case 'page':
              f.setPageCalling(PAGE, s.on);
              pageOn = s.on;
              break;
            case 'connect': {
              const p = people[s.who]!;
              const permitted = p.expiry !== undefined && (p.expiry === null || p.expiry > now);
              const overQuota = callQuota.some((q) => p.placed.filter((t) => t > now - q.periodMs).length >= q.max);
              const outcome = s.fault === 'before' ? 'fault'
                : !pageOn ? 'calling_not_enabled'
                  : !permitted ? 'no_call_permission'
                    : overQuota ? 'call_limit' : 'placed';
              if (outcome === 'placed') p.placed.push(now);
              expected.push({ outcome, permitted, overQuota, pageAllowed: pageOn });
              if (s.fault !== 'none') f.inject('connect', { kind: 'status', status: 503, ...(s.fault === 'after' ? { after: true } : {}) });
              await connect(f, PAGE, PEOPLE[s.who]!);
              break;
            }
          }
        }
        expect(f.connects.map(({ outcome, permitted, overQuota, pageAllowed }) => ({ outcome, permitted, overQuota, pageAllowed }))).toEqual(expected);
        // Meta's own invariants, from its records alone: nothing placed without permission or over the quota.
        for (const c of f.connects.filter((x) => x.outcome === 'placed')) expect(c.permitted && !c.overQuota && c.pageAllowed).toBe(true);
        expect(f.calls).toHaveLength(expected.filter((e) => e.outcome === 'placed').length);
      } finally {
        await f.close();
      }
    }), { numRuns: 40 });
  });
});
