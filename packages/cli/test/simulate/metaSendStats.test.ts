import type { FakeInbound, FakeRequest, FakeSend } from '@callperm/testing';
import { describe, expect, it } from 'vitest';
import { metaSendStats } from '../../src/simulate/metaSendStats.js';

const a = { pageId: '1', psid: 'a' };
const b = { pageId: '1', psid: 'b' };

/** Records in the order given: each gets the next seq. */
const records = (...items: (['send', typeof a, Partial<FakeSend>] | ['inbound', typeof a])[]) => {
  const sends: FakeSend[] = [];
  const inbounds: FakeInbound[] = [];
  items.forEach((item, i) => {
    const seq = i + 1;
    if (item[0] === 'inbound') inbounds.push({ seq, thread: item[1], at: seq });
    else sends.push({ seq, at: seq, pageId: item[1].pageId, psid: item[1].psid, outcome: 'accepted', ...item[2] });
  });
  return { sends, inbounds };
};
const refused = (refusal: NonNullable<FakeSend['refusal']>): Partial<FakeSend> => ({ outcome: 'refused', refusal });

describe('metaSendStats (Meta\'s side of the opt-in sends)', () => {
  it('counts sends by outcome and refusals by reason, the unnamed reasons as other', () => {
    const r = records(
      ['send', a, {}], ['send', a, refused('outside_window')], ['send', a, refused('request_limit')], ['send', b, refused('person_unavailable')],
      ['send', b, refused('calling_not_enabled')], ['send', b, refused('throttled')], ['send', b, refused('invalid')], ['send', b, { outcome: 'fault' }],
    );
    const requests = Array.from({ length: 9 }, () => ({}) as FakeRequest);
    const s = metaSendStats({ ...r, replies: [{ seq: 99, thread: a, at: 99, response: 'approve', optInMessageId: null }], requests });
    expect(s).toMatchObject({
      sends: 8, accepted: 1, faulted: 1, approvals: 1, declines: 0, graphRequests: 9, graphRequestsPerOptIn: 9,
      refused: { outside_window: 1, request_limit: 1, person_unavailable: 1, calling_not_enabled: 1, other: 2 },
    });
  });

  it('counts one thread\'s refusals until its person writes again, and takes the most over threads', () => {
    const r = records(
      ['send', a, refused('person_unavailable')], ['send', a, refused('person_unavailable')], ['inbound', a],
      ['send', a, refused('person_unavailable')], ['send', b, refused('outside_window')], ['send', a, {}], ['send', a, refused('request_limit')],
    );
    const s = metaSendStats({ ...r, replies: [], requests: [] });
    expect(s.maxRefusalsBeforeNextMessage).toBe(2);
    expect(s.threadsRefusedAgainBeforeNextMessage).toBe(1);
    expect(s.graphRequestsPerOptIn).toBe(0);
    expect(metaSendStats({ sends: [], inbounds: [], replies: [], requests: [] }).graphRequestsPerOptIn).toBeNull();
  });
});
