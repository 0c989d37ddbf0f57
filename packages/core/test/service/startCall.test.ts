import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createCallPermissions, decide, emptyRecord, memoryStore,
  type CallEvent, type ConnectedCall, type GraphFailure, type GraphFailureKind, type Result, type Thread,
} from '../../src/internals.js';
import { DAY, HOUR, T0, historyArb, play, resolved } from '../support/histories.js';
import { inProcessGraph } from '../support/inProcessGraph.js';
import { messengerPolicy } from '../../src/policy.js';

const thread: Thread = { pageId: '111', psid: '222' };
const neighbour: Thread = { pageId: '111', psid: '333' };
const sdp = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n';

const refused = (kind: GraphFailureKind, processed: 'no' | 'unknown' = 'no'): Result<never, GraphFailure> =>
  ({ ok: false, error: { kind, processed, message: `refused: ${kind}` } });

const setup = (connect?: (t: Thread, n: number) => Result<ConnectedCall, GraphFailure>) => {
  let now = T0;
  const clock = { now: () => now, advance: (ms: number) => { now += ms; } };
  const store = memoryStore();
  const fake = inProcessGraph(connect === undefined ? {} : { connect });
  const permissions = createCallPermissions({ graph: fake.graph, store, clock });
  /** The person approves an opt-in now (a permission for 7 days). */
  const approve = (t: Thread) => permissions.ingest([{ kind: 'permission_reply', id: `r-${t.psid}-${now}`, thread: t, response: 'approve', expiresAt: null, at: now }]);
  const callItem = (callId: string, event: CallEvent['event'], extra: Partial<CallEvent> = {}): CallEvent => ({
    kind: 'call', id: `${callId}:${event}`, at: now, pageId: thread.pageId, psid: thread.psid, callId, event,
    direction: 'business_initiated', callStatus: null, terminateStatus: null, durationSec: null, ...extra,
  });
  return { clock, store, fake, permissions, approve, callItem };
};

describe('startCall decides, then connects', () => {
  it('never reaches Meta when the decision refuses, and always does when it allows (any history)', async () => {
    const p = resolved(messengerPolicy);
    await fc.assert(fc.asyncProperty(historyArb, fc.integer({ min: 0, max: 3 * DAY }), async (moves, later) => {
      const { permissions, fake, clock, store } = setup();
      const played = play(moves, p);
      clock.advance(played.now - T0 + later);
      await permissions.apply(thread, played.events);
      const before = await permissions.status(thread);
      const stored = (await store.get(thread))?.record ?? emptyRecord();
      const r = await permissions.startCall(thread, { sdp });
      expect(fake.connects).toHaveLength(before.canStartCall ? 1 : 0);
      expect(r.ok).toBe(before.canStartCall);
      if (!r.ok && !before.canStartCall) expect(r.error.reason).toBe(before.callBlockedBy);
      // The store holds what the history built: the decision is the record's own.
      expect(before.canStartCall).toBe(decide(stored, clock.now(), p).canStartCall);
    }));
  });

  it('answers the call id and SDP answer, and counts the call against the connected-call quota (5 a day by default)', async () => {
    const { permissions, fake, approve, clock } = setup();
    await approve(thread);
    for (let i = 1; i <= 5; i += 1) {
      const r = await permissions.startCall(thread, { sdp });
      expect(r.ok && r.value.callId).toBe(`c_${i}`);
      expect(r.ok && r.value.sdpAnswer).toBe(`answer to ${sdp.length}`);
      clock.advance(HOUR);
    }
    const sixth = await permissions.startCall(thread, { sdp });
    expect(!sixth.ok && sixth.error.reason).toBe('call_quota_exhausted');
    expect(fake.connects).toHaveLength(5);
    expect((await permissions.status(thread)).callBlockedBy).toBe('call_quota_exhausted');
    clock.advance(20 * HOUR); // the first call (T0) leaves its day at T0 + 24 h; now is T0 + 25 h
    expect((await permissions.startCall(thread, { sdp })).ok).toBe(true);
  });

  it('refuses an empty, huge or malformed offer without a Graph call', async () => {
    const { permissions, fake, approve } = setup();
    await approve(thread);
    for (const bad of ['', '   ', 'x'.repeat(70_000), 'v=0\uD800']) {
      const r = await permissions.startCall(thread, { sdp: bad });
      expect(!r.ok && r.error.reason).toBe('invalid_offer');
    }
    expect(fake.connects).toHaveLength(0);
    expect((await permissions.status(thread)).canStartCall).toBe(true);
  });
});

describe('what a refused connect teaches', () => {
  it('no permission: the permission is gone until a newer grant', async () => {
    const { permissions, approve, clock } = setup((_t, n) => (n === 1 ? refused('no_call_permission') : { ok: true, value: { callId: 'c_ok', sdpAnswer: 'a' } }));
    await approve(thread);
    clock.advance(HOUR);
    const r = await permissions.startCall(thread, { sdp });
    expect(!r.ok && r.error.reason).toBe('connect_refused');
    const s = await permissions.status(thread);
    expect([s.state, s.canStartCall, s.callBlockedBy]).toEqual(['none', false, 'no_permission']);
    const [last] = await permissions.history(thread, { limit: 1 });
    expect(last).toMatchObject({ event: 'CALL_FAILED', from: 'approved', to: 'none', source: { kind: 'connect', placedAt: T0 + HOUR } });
    clock.advance(HOUR);
    await approve(thread);
    expect((await permissions.startCall(thread, { sdp })).ok).toBe(true);
  });

  it('the call rate limit: the connected-call quota is full for its period, then frees', async () => {
    const { permissions, fake, approve, clock } = setup((_t, n) => (n === 1 ? refused('call_limit') : { ok: true, value: { callId: `c_${n}`, sdpAnswer: 'a' } }));
    await approve(thread);
    const r = await permissions.startCall(thread, { sdp });
    expect(!r.ok && r.error.reason).toBe('connect_refused');
    expect((await permissions.status(thread)).callBlockedBy).toBe('call_quota_exhausted');
    clock.advance(23 * HOUR);
    expect((await permissions.startCall(thread, { sdp })).ok).toBe(false);
    expect(fake.connects).toHaveLength(1);
    clock.advance(HOUR);
    expect((await permissions.startCall(thread, { sdp })).ok).toBe(true);
  });

  it('a Page not allowed to call: every thread of the Page says calling_not_enabled', async () => {
    const { permissions, approve } = setup(() => refused('calling_not_enabled'));
    await approve(thread);
    await approve(neighbour);
    await permissions.startCall(thread, { sdp });
    expect(await permissions.pageCalling('111')).not.toBeNull();
    expect((await permissions.status(neighbour)).callBlockedBy).toBe('calling_not_enabled');
    const again = await permissions.startCall(neighbour, { sdp });
    expect(!again.ok && again.error.reason).toBe('calling_not_enabled');
  });

  it('an unknown outcome keeps the slot and is never retried; a definite transient failure gives it back', async () => {
    const { permissions, fake, approve } = setup((_t, n) => (n === 1 ? refused('transient', 'unknown') : n === 2 ? refused('transient') : { ok: true, value: { callId: `c_${n}`, sdpAnswer: 'a' } }));
    await approve(thread);
    const first = await permissions.startCall(thread, { sdp });
    expect(!first.ok && first.error.reason).toBe('connect_ambiguous');
    expect(fake.connects).toHaveLength(1);
    const second = await permissions.startCall(thread, { sdp });
    expect(!second.ok && second.error.reason).toBe('connect_refused');
    // One slot counted (the ambiguous one), none for the refused: four more calls fit, the fifth does not.
    for (let i = 0; i < 4; i += 1) expect((await permissions.startCall(thread, { sdp })).ok).toBe(true);
    const over = await permissions.startCall(thread, { sdp });
    expect(!over.ok && over.error.reason).toBe('call_quota_exhausted');
  });
});

describe('calls webhooks and the quota', () => {
  it('a connect webhook for a call startCall placed does not count it twice; one placed elsewhere counts', async () => {
    const { permissions, approve, callItem } = setup();
    await approve(thread);
    for (let i = 0; i < 4; i += 1) expect((await permissions.startCall(thread, { sdp })).ok).toBe(true);
    await permissions.ingest([callItem('c_1', 'connect'), callItem('c_2', 'connect'), callItem('c_2', 'connect', { id: 'c_2:again' })]);
    expect((await permissions.status(thread)).canStartCall).toBe(true);
    await permissions.ingest([callItem('c_other', 'connect')]); // a business call placed outside callperm
    expect((await permissions.status(thread)).callBlockedBy).toBe('call_quota_exhausted');
  });
});

describe('endCall, acceptCall and rejectCall', () => {
  it('pass the host word on, and refuse bad ids and offers without a Graph call', async () => {
    const { permissions, fake } = setup();
    expect(await permissions.endCall('111', 'c_1')).toEqual({ ok: true, value: null });
    expect(await permissions.rejectCall('111', 'c_2')).toEqual({ ok: true, value: null });
    expect(await permissions.acceptCall('111', 'c_3', { sdp })).toEqual({ ok: true, value: { sdpAnswer: 'answer' } });
    expect(fake.controls).toEqual(['terminate c_1', 'reject c_2', 'accept c_3']);
    for (const r of [await permissions.endCall('111', ''), await permissions.endCall('1'.repeat(65), 'c'), await permissions.acceptCall('111', 'c', { sdp: '' })]) {
      expect(!r.ok && r.error.reason).toBe('invalid_input');
    }
    expect(fake.controls).toHaveLength(3);
  });
});
