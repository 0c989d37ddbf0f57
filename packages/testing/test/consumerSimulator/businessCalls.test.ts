import { describe, expect, it } from 'vitest';
import { callees, metaSeconds, type CalleeAnswer, type FakeCall } from '@callperm/testing';
import { act, connect } from '../fakeGraph/callRequests.js';
import { worldPerTest, type World } from './simulatedWorld.js';

const thread = { pageId: '1001', psid: '2002' };
const DAY = 86_400_000;
const WEEK = 7 * DAY;

const world = worldPerTest();

/** The host places a call (the person holds a permission until `expiresAt`); returns its id and instant. */
const place = async (w: World, expiresAt: number | null = w.fake.clock.now() + DAY) => {
  w.fake.grant(thread, expiresAt);
  const at = w.fake.clock.now();
  const r = await connect(w.fake, '1001', '2002');
  expect(r.status).toBe(200);
  return { id: r.json.id as string, at };
};

/** Moves the virtual clock and lets every delivery due by then reach the host. */
const advance = async (w: World, ms: number) => {
  w.fake.clock.advance(ms);
  await w.sim.settle();
};

const connectAndRinging = (id: string, at: number) => [
  { id, event: 'connect', to: '2002', from: '1001', timestamp: metaSeconds(at), call_direction: 'business_initiated' },
  { id, event: 'call_status', timestamp: metaSeconds(at), recipient_id: '2002', call_status: 'ringing' },
];

const terminate = (id: string, startedAt: number, endedAt: number, duration: number | '', status = 'Completed') => ({
  id, event: 'terminate', timestamp: metaSeconds(endedAt), status, start_time: metaSeconds(startedAt), end_time: metaSeconds(endedAt), duration,
});

describe('the person answers, declines or misses the Page\'s call, and Meta posts the calls webhooks', () => {
  it('answers after 8 s and talks 60 s by default: connect, ringing, accepted, terminate with the duration; a connected call grants', async () => {
    const w = await world();
    const { id, at } = await place(w);
    await w.sim.settle();
    expect(w.calls()).toEqual(connectAndRinging(id, at));
    await advance(w, 7_999);
    expect(w.calls()).toHaveLength(2);
    await advance(w, 1);
    expect(w.calls().at(-1)).toEqual({ id, event: 'call_status', timestamp: metaSeconds(at + 8_000), recipient_id: '2002', call_status: 'accepted' });
    expect(w.fake.threads.view(thread).expiresAt).toBe(at + 8_000 + WEEK); // the implicit grant of a connected call
    await advance(w, 60_000);
    expect(w.calls().slice(3)).toEqual([terminate(id, at, at + 68_000, 60)]);
    expect(w.fake.callEnds.map((e) => [e.cause, e.durationSec])).toEqual([['hung_up', 60]]);
    expect(w.received.every((r) => r.signed && r.body.object === 'page' && r.body.entry.every((e) => e.id === '1001'))).toBe(true);
  });

  it('declines after 5 s: terminate Completed with an empty duration, no accepted status, no grant', async () => {
    const w = await world({ callBehaviour: callees.declines(5_000) });
    const expiresAt = w.fake.clock.now() + DAY;
    const { id, at } = await place(w, expiresAt);
    await advance(w, 5_000);
    expect(w.calls()).toEqual([...connectAndRinging(id, at), terminate(id, at, at + 5_000, '')]);
    expect(w.fake.threads.view(thread).expiresAt).toBe(expiresAt);
    expect(w.fake.call(id)?.cause).toBe('declined');
  });

  it('misses it: it rings 60 s, then terminate Completed with an empty duration', async () => {
    const w = await world({ callBehaviour: callees.misses() });
    const { id, at } = await place(w);
    await advance(w, 59_999);
    expect(w.calls()).toHaveLength(2);
    await advance(w, 1);
    expect(w.calls()).toEqual([...connectAndRinging(id, at), terminate(id, at, at + 60_000, '')]);
  });

  it('a call that fails mid-connection ends Failed, and the host\'s terminate then answers 2018395', async () => {
    const w = await world({ callBehaviour: callees.fails(3_000) });
    const { id, at } = await place(w);
    await advance(w, 3_000);
    expect(w.calls().at(-1)).toEqual(terminate(id, at, at + 3_000, '', 'Failed'));
    expect((await act(w.fake, '1001', 'terminate', id)).json.error?.code).toBe(2018395);
  });

  it('the host\'s terminate ends the call early, with the duration talked so far; ringing, with none', async () => {
    const w = await world({ callBehaviour: callees.answers(8_000, 60_000) });
    const talked = await place(w);
    await advance(w, 30_000);
    expect(await act(w.fake, '1001', 'terminate', talked.id)).toEqual({ status: 200, json: { success: true } });
    await w.sim.settle();
    expect(w.calls().at(-1)).toEqual(terminate(talked.id, talked.at, talked.at + 30_000, 22));
    const rung = await place(w);
    await advance(w, 2_000);
    await act(w.fake, '1001', 'terminate', rung.id);
    await advance(w, 120_000); // nothing more: the person's pick-up and hang-up find the calls over
    const items = w.calls();
    expect(items.filter((i) => i.event === 'terminate')).toEqual([
      terminate(talked.id, talked.at, talked.at + 30_000, 22), terminate(rung.id, rung.at, rung.at + 2_000, ''),
    ]);
    expect(items.filter((i) => i.call_status === 'accepted').map((i) => i.id)).toEqual([talked.id]);
  });

  it('a connect whose answer a fault swallowed still rings the person', async () => {
    const w = await world({ callBehaviour: callees.declines(1_000) });
    w.fake.grant(thread);
    w.fake.inject('connect', { kind: 'status', status: 503, after: true });
    expect((await connect(w.fake, '1001', '2002')).status).toBe(503);
    await advance(w, 1_000);
    const id = w.fake.connects[0]!.callId!;
    expect(w.calls().map((i) => [i.id, i.event])).toEqual([[id, 'connect'], [id, 'call_status'], [id, 'terminate']]);
  });

  it('the call webhooks go through the same delivery faults: duplicated and retried', async () => {
    const w = await world({ callBehaviour: callees.declines(1_000), faults: { duplicates: 1, lose: { attempts: 1, where: 'request' } } });
    await place(w);
    await advance(w, 1_000);
    // two deliveries (connect + ringing, terminate), each twice, each lost once and retried at once
    expect(w.sim.attempts.map((a) => a.outcome.status)).toEqual(['lost_request', 'lost_request', 200, 200, 'lost_request', 'lost_request', 200, 200]);
    expect(w.calls().filter((i) => i.event === 'terminate')).toHaveLength(2);
  });

  it('with callsGrant false, an answered call leaves Meta\'s permission as it was', async () => {
    const w = await world({ callsGrant: false, callBehaviour: callees.answers(1_000, 1_000) });
    const expiresAt = w.fake.clock.now() + DAY;
    await place(w, expiresAt);
    await advance(w, 2_000);
    expect(w.calls().map((i) => i.call_status ?? i.event)).toEqual(['connect', 'ringing', 'accepted', 'terminate']);
    expect(w.fake.threads.view(thread).expiresAt).toBe(expiresAt);
  });
});

describe('the person\'s own calls, open at the fake', () => {
  it('the host accepts over HTTP within 60 s: the person talks from then, and the call grants', async () => {
    const w = await world();
    const start = w.fake.clock.now();
    const call = w.sim.placeCall(thread, { hostAnswers: false, talkMs: 30_000 });
    await advance(w, 5_000);
    expect((await act(w.fake, '1001', 'accept', call.callId)).status).toBe(200);
    await advance(w, 30_000);
    expect(w.calls()).toEqual([
      { id: call.callId, event: 'connect', to: '1001', from: '2002', timestamp: metaSeconds(start), call_direction: 'user_initiated' },
      terminate(call.callId, start, start + 35_000, 30),
    ]);
    expect(w.fake.threads.view(thread).expiresAt).toBe(start + 35_000 + WEEK);
  });

  it('the host rejects it: terminate at once with an empty duration; left alone it rings out at 60 s', async () => {
    const w = await world();
    const start = w.fake.clock.now();
    const rejected = w.sim.placeCall(thread, { hostAnswers: true, ringMs: 20_000 });
    const missed = w.sim.placeCall({ pageId: '1001', psid: '3003' }, { hostAnswers: false });
    await advance(w, 2_000);
    expect((await act(w.fake, '1001', 'reject', rejected.callId)).status).toBe(200);
    await w.sim.settle();
    expect(w.calls().at(-1)).toEqual(terminate(rejected.callId, start, start + 2_000, ''));
    await advance(w, 58_000);
    expect(w.calls().at(-1)).toEqual(terminate(missed.callId, start, start + 60_000, ''));
    expect((await act(w.fake, '1001', 'accept', missed.callId)).json.error?.code).toBe(2018396);
    expect(w.calls().filter((i) => i.event === 'terminate')).toHaveLength(2);
  });
});

describe('callees.mix', () => {
  const call = (n: number): FakeCall => ({
    callId: `c_${n}`, thread, direction: 'business_initiated', startedAt: 0, answeredAt: null, endedAt: null, cause: null,
  });
  const draw = (seed: number): CalleeAnswer[] => {
    const b = callees.mix({ answers: 5, declines: 2, misses: 2, fails: 1 }, seed);
    return Array.from({ length: 200 }, (_, i) => b(call(i)));
  };

  it('is the same for the same seed, differs for another, and draws every kind within its ranges', () => {
    expect(draw(7)).toEqual(draw(7));
    expect(draw(8)).not.toEqual(draw(7));
    const answers = draw(7);
    expect(new Set(answers.map((a) => a.kind))).toEqual(new Set(['answer', 'decline', 'miss', 'fail']));
    for (const a of answers) {
      if (a.kind === 'answer') {
        expect(a.afterMs).toBeGreaterThanOrEqual(3_000);
        expect(a.afterMs).toBeLessThanOrEqual(20_000);
      }
    }
    expect(() => callees.mix({ answers: 0 })).toThrow(RangeError);
    expect(callees.mix({ misses: 1 })(call(0))).toEqual({ kind: 'miss' });
  });
});
