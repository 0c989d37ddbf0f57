import type { FakeGraphApi, FakeOptIn, FakeRequest } from '@callperm/testing';
import { describe, expect, it } from 'vitest';
import { checkInvariants, type InvariantInputs } from '../../src/simulate/checkInvariants.js';

const H = 3_600_000;
const thread = { pageId: '1', psid: '2' };
const quota = { period: 'PT24H', max: 2 };

const send = (at: number): FakeRequest => ({
  at, method: 'POST', path: '/v26.0/1/messages', query: {}, headers: {}, endpoint: 'send', version: 'v26.0', pageId: '1', token: 't',
  body: { recipient: { id: '2' }, message: { attachment: { type: 'template', payload: { template_type: 'calling_optin' } } } },
});
const optIn = (at: number, n: number): FakeOptIn => ({ thread, at, messageId: `m${n}`, messagingType: undefined, body: {} });

const inputs = (over: Partial<{ requests: FakeRequest[]; optIns: FakeOptIn[] }>, rest: Partial<InvariantInputs> = {}): InvariantInputs => ({
  fake: { requests: over.requests ?? [], optIns: over.optIns ?? [], threads: undefined as unknown as FakeGraphApi['threads'] },
  calls: [],
  answeredAt: new Map(),
  ...rest,
});

describe('checkInvariants (from Meta\'s records)', () => {
  it('finds nothing in a run that kept every promise', () => {
    const v = checkInvariants(inputs({
      requests: [send(0), send(10 * H), send(25 * H)],
      optIns: [optIn(0, 1), optIn(10 * H, 2), optIn(25 * H, 3)],
    }, { answeredAt: new Map([['m1', H], ['m2', 11 * H], ['m3', null]]) }), quota);
    expect(v).toEqual([]);
  });

  it('flags a send while the rolling window already holds the quota', () => {
    const v = checkInvariants(inputs({ requests: [send(0), send(H), send(2 * H)], optIns: [optIn(0, 1), optIn(H, 2)] },
      { answeredAt: new Map([['m1', 1], ['m2', H + 1]]) }), quota);
    expect(v.map((x) => x.kind)).toEqual(['quota_exceeded']);
    expect(v[0]!.at).toBe(2 * H);
  });

  it('flags a call placed while Meta held no live permission', () => {
    const v = checkInvariants(inputs({}, { calls: [{ thread, at: 5, metaHadPermission: false }, { thread, at: 6, metaHadPermission: true }] }), quota);
    expect(v).toEqual([{ kind: 'call_without_permission', thread, at: 5 }]);
  });

  it('flags a second opt-in before the first was answered, within the pending timeout', () => {
    const v = checkInvariants(inputs({ requests: [send(0), send(2 * H)], optIns: [optIn(0, 1), optIn(2 * H, 2)] },
      { answeredAt: new Map([['m1', 3 * H]]) }), quota);
    expect(v.map((x) => x.kind)).toEqual(['opt_in_sent_twice']);
  });

  it('accepts a second opt-in after the pending timeout, even unanswered', () => {
    const v = checkInvariants(inputs({ requests: [send(0), send(25 * H)], optIns: [optIn(0, 1), optIn(25 * H, 2)] },
      { answeredAt: new Map([['m1', null]]) }), quota);
    expect(v).toEqual([]);
  });
});
