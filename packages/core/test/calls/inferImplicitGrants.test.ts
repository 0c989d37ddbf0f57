import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  emptyCallTrace, implicitGrantOf, inferImplicitGrants, mergeCallEvent, traceCalls,
  type CallEvent,
} from '../../src/internals.js';
import { callEvents } from './callEvents.js';

const T = Date.UTC(2026, 10, 1);
const S = 1000;
const c = callEvents('111', 'c_1', '222');
const thread = { pageId: '111', psid: '222' };

const grantOf = (events: readonly CallEvent[]) => {
  const grants = inferImplicitGrants(events);
  expect(grants.length).toBeLessThanOrEqual(1);
  return grants[0] ?? null;
};

describe('implicit grants from the documented call sequences', () => {
  it('business-initiated, accepted, talked, hung up: a connected call from the moment it was accepted on', () => {
    const g = grantOf([
      c.connect('business_initiated', T), c.status('ringing', T + S), c.status('accepted', T + 5 * S),
      c.media(T + 6 * S), c.terminate(T + 95 * S, 90),
    ]);
    expect(g).toMatchObject({ kind: 'implicit_grant', cause: 'connected_call', thread, at: T + 95 * S });
  });

  it('business-initiated and accepted, call still going: a connected call at the acceptance', () => {
    expect(grantOf([c.connect('business_initiated', T), c.status('accepted', T + 5 * S)]))
      .toMatchObject({ cause: 'connected_call', at: T + 5 * S });
  });

  it('call_status accepted alone names the person and the direction', () => {
    expect(grantOf([c.status('accepted', T + 5 * S)])).toMatchObject({ cause: 'connected_call', thread });
  });

  it('business-initiated, rang out (no accept, empty duration): no grant', () => {
    expect(grantOf([c.connect('business_initiated', T), c.status('ringing', T + S), c.terminate(T + 60 * S, null)])).toBeNull();
  });

  it('user-initiated and answered (a duration): a connected call', () => {
    expect(grantOf([c.connect('user_initiated', T), c.terminate(T + 100 * S, 90)]))
      .toMatchObject({ cause: 'connected_call', at: T + 100 * S });
  });

  it('user-initiated and a zero duration: still connected (Meta leaves duration empty only when nobody connected)', () => {
    expect(grantOf([c.connect('user_initiated', T), c.terminate(T + 10 * S, 0)])).toMatchObject({ cause: 'connected_call' });
  });

  it('user-initiated, not picked up within 60 s: a missed consumer call', () => {
    expect(grantOf([c.connect('user_initiated', T), c.terminate(T + 60 * S, null)]))
      .toMatchObject({ cause: 'missed_call', at: T + 60 * S, thread });
  });

  it('user-initiated and rejected by the business (Completed, no duration): read as missed', () => {
    expect(grantOf([c.connect('user_initiated', T), c.terminate(T + 3 * S, null, 'completed')])).toMatchObject({ cause: 'missed_call' });
  });

  it('user-initiated and failed mid-connection without a duration: read as missed (the remote check decides)', () => {
    expect(grantOf([c.connect('user_initiated', T), c.terminate(T + 3 * S, null, 'failed')])).toMatchObject({ cause: 'missed_call' });
  });

  it('terminate before connect: nothing until the connect names the person, then the same grant', () => {
    const early = traceCalls([c.terminate(T + 60 * S, null)]);
    expect([...early.values()].map(implicitGrantOf)).toEqual([null]);
    expect(grantOf([c.terminate(T + 60 * S, null), c.connect('user_initiated', T)])).toMatchObject({ cause: 'missed_call' });
  });

  it('a connect alone, and media updates, grant nothing', () => {
    expect(grantOf([c.connect('user_initiated', T), c.media(T + S)])).toBeNull();
  });

  it('keeps calls apart by Page and call id', () => {
    const other = callEvents('111', 'c_2', '333');
    const grants = inferImplicitGrants([
      c.connect('user_initiated', T), other.connect('user_initiated', T), other.terminate(T + 60 * S, null),
    ]);
    expect(grants.map((g) => g.thread.psid)).toEqual(['333']);
  });
});

const sequences: readonly (readonly CallEvent[])[] = [
  [c.connect('business_initiated', T), c.status('ringing', T + S), c.status('accepted', T + 5 * S), c.terminate(T + 95 * S, 90)],
  [c.connect('business_initiated', T), c.status('ringing', T + S), c.terminate(T + 60 * S, null)],
  [c.connect('user_initiated', T), c.terminate(T + 100 * S, 90)],
  [c.connect('user_initiated', T), c.media(T + S), c.terminate(T + 60 * S, null)],
];

/** Any order of the items, each sent one to three times. */
const delivery = (items: readonly CallEvent[]) =>
  fc.tuple(...items.map((e) => fc.integer({ min: 1, max: 3 }).map((n) => Array.from({ length: n }, () => e))))
    .map((copies) => copies.flat())
    .chain((all) => fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }));

describe('order and duplicates do not matter', () => {
  test.prop([fc.constantFrom(...sequences).chain((s) => fc.tuple(fc.constant(s), delivery(s)))])(
    'every reordering and duplication of a call gives the grant of its in-order, once-only delivery',
    ([inOrder, delivered]) => {
      expect(inferImplicitGrants(delivered)).toEqual(inferImplicitGrants(inOrder));
    },
  );

  test.prop([fc.constantFrom(...sequences).chain(delivery)])(
    'the grant only moves forward as items arrive, so applying each partial grant ends at the final one',
    (delivered) => {
      let trace = emptyCallTrace('111', 'c_1');
      let latest = -Infinity;
      for (const e of delivered) {
        trace = mergeCallEvent(trace, e);
        const g = implicitGrantOf(trace);
        if (g !== null) {
          expect(g.at).toBeGreaterThanOrEqual(latest);
          latest = g.at;
        }
      }
      const final = implicitGrantOf(trace);
      expect(final === null ? -Infinity : final.at).toBe(latest);
    },
  );
});
