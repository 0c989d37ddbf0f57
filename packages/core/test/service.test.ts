import { describe, expect, it } from 'vitest';
import {
  createCallPermissions, memoryStore, noRefusals,
  type GraphFailure, type RemotePermission, type Thread, type TransitionNotice,
} from '../src/internals.js';
import { DAY, HOUR, T0 } from './support/histories.js';
import { inProcessGraph } from './support/inProcessGraph.js';

const thread: Thread = { pageId: '111', psid: '222' };

const setup = (opts: Parameters<typeof inProcessGraph>[0] = {}) => {
  let now = T0;
  const clock = { now: () => now, advance: (ms: number) => { now += ms; } };
  const store = memoryStore();
  const fake = inProcessGraph(opts);
  const notices: TransitionNotice[] = [];
  const permissions = createCallPermissions({ graph: fake.graph, store, clock, onTransition: (n) => notices.push(n) });
  return { clock, store, fake, permissions, notices };
};

const failure = (processed: GraphFailure['processed']): GraphFailure => ({
  kind: processed === 'no' ? 'outside_window' : 'transient', processed, message: 'test failure',
});

describe('createCallPermissions', () => {
  it('sends an opt-in inside the window and records the pending request', async () => {
    const { permissions, fake, clock, notices } = setup();
    await permissions.ingest([{ kind: 'inbound_message', id: 'in-1', thread, at: clock.now() - HOUR }]);
    const r = await permissions.request(thread);
    expect(r.ok).toBe(true);
    expect(fake.sent).toHaveLength(1);
    expect((await permissions.status(thread)).state).toBe('requested');
    expect(notices.map((n) => `${n.from}->${n.to}:${n.event}`)).toEqual([
      'none->none:USER_MESSAGE', 'none->none:REMOTE_SYNC', 'none->requested:REQUEST', 'requested->requested:REQUEST_SENT',
    ]);
    expect(fake.checks).toHaveLength(1); // asked Meta first: the record held no check
  });

  it('refuses outside the messaging window without calling Meta', async () => {
    const { permissions, fake, clock } = setup();
    await permissions.ingest([{ kind: 'inbound_message', id: 'in-1', thread, at: clock.now() - 25 * HOUR }]);
    const r = await permissions.request(thread);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.reason).toBe('outside_messaging_window');
    expect(fake.sent).toHaveLength(0);
  });

  it('gives the slot back when Meta definitely refused the opt-in', async () => {
    const { permissions, store } = setup({ send: () => ({ ok: false, error: failure('no') }) });
    const r = await permissions.request(thread);
    expect(!r.ok && r.error.reason).toBe('send_failed');
    const stored = (await store.get(thread))?.record;
    expect(stored?.requests).toEqual([]);
    expect(stored?.state).toBe('none');
  });

  it('keeps the slot after an ambiguous failure, never resends, and reconciles with refresh', async () => {
    const { permissions, store, fake, clock } = setup({
      send: () => ({ ok: false, error: failure('unknown') }),
      remote: () => ({
        status: 'no_permission', rawStatus: 'no_permission', expiresAt: null,
        request: { canPerform: true, limits: [{ period: 'PT24H', max: 2, used: 1 }] }, startCall: null,
      }),
    });
    const r = await permissions.request(thread);
    expect(!r.ok && r.error.reason).toBe('send_ambiguous');
    const stored = (await store.get(thread))?.record;
    expect(stored?.requests).toEqual([clock.now()]);
    expect(stored?.pending?.ambiguous).toBe(true);
    expect(stored?.dueAt).toBe(clock.now() + 60_000);
    expect(await store.due(clock.now() + 60_000, 10)).toEqual([thread]);

    const again = await permissions.request(thread);
    expect(!again.ok && again.error.reason).toBe('pending_reply');
    expect(fake.sent).toHaveLength(1);

    clock.advance(60_000);
    const refreshed = await permissions.refresh(thread);
    expect(refreshed.ok).toBe(true);
    const after = (await store.get(thread))?.record;
    expect(after?.pending?.ambiguous).toBe(false);
    expect(after?.remote?.requestLimits).toEqual([{ periodMs: DAY, max: 2, used: 1, freesAt: null }]);
  });

  it('turns a webhook approval into a callable thread that expires on time', async () => {
    const { permissions, clock } = setup();
    await permissions.request(thread);
    const expiresAt = clock.now() + 7 * DAY;
    const report = await permissions.ingest([
      { kind: 'permission_reply', id: 'r1', thread, at: clock.now() + 1, response: 'approve', expiresAt },
      { kind: 'permission_reply', id: 'r1', thread, at: clock.now() + 1, response: 'approve', expiresAt },
      { kind: 'call', id: 'c1', pageId: thread.pageId, psid: thread.psid, at: clock.now(), callId: 'c', event: 'connect', direction: 'user_initiated', callStatus: null, terminateStatus: null, durationSec: null },
    ]);
    expect(report).toEqual({ applied: 1, unchanged: 0, duplicates: 1, ignored: 1, refused: noRefusals });
    expect((await permissions.canStartCall(thread)).allowed).toBe(true);
    clock.advance(7 * DAY);
    const later = await permissions.canStartCall(thread);
    expect(later.allowed).toBe(false);
    expect(later.reason).toBe('expired');
  });

  it('reports a Graph failure on refresh as a value and keeps the record', async () => {
    const fake = inProcessGraph();
    const store = memoryStore();
    const permissions = createCallPermissions({
      graph: { ...fake.graph, checkPermission: () => Promise.resolve({ ok: false, error: failure('unknown') }) },
      store, clock: { now: () => T0 },
    });
    const r = await permissions.refresh(thread);
    expect(!r.ok && r.error.reason).toBe('graph_failure');
    expect(await store.get(thread)).toBeNull();
  });

  it('treats a Graph adapter that throws as an ambiguous failure, not a rejection', async () => {
    const fake = inProcessGraph();
    const permissions = createCallPermissions({
      graph: { ...fake.graph, sendPermissionRequest: () => Promise.reject(new Error('boom')) },
      store: memoryStore(), clock: { now: () => T0 },
    });
    const r = await permissions.request(thread);
    expect(!r.ok && r.error.reason).toBe('send_ambiguous');
  });

  it('keeps working when an observer throws', async () => {
    const fake = inProcessGraph();
    const permissions = createCallPermissions({
      graph: fake.graph, store: memoryStore(), clock: { now: () => T0 },
      onTransition: () => { throw new Error('observer bug'); },
    });
    const r = await permissions.request(thread);
    expect(r.ok).toBe(true);
  });

  it('blocks a call Meta refused at the last check, and lifts it with newer evidence', async () => {
    const { permissions, clock, fake } = setup({
      remote: () => ({
        status: 'has_permission', rawStatus: 'HAS_PERMISSION', expiresAt: T0 + 5 * DAY,
        request: { canPerform: false, limits: [] }, startCall: { canPerform: false, limits: [] },
      }),
    });
    await permissions.refresh(thread);
    const blocked = await permissions.canStartCall(thread);
    expect(blocked.reason).toBe('remote_start_call_denied');
    expect(fake.checks).toHaveLength(1);
    await permissions.ingest([{ kind: 'permission_reply', id: 'r2', thread, at: clock.now() + 1, response: 'approve', expiresAt: null }]);
    clock.advance(2);
    expect((await permissions.canStartCall(thread)).allowed).toBe(true);
  });
});

describe('a reminder asks Meta first', () => {
  const remoteSaying = (granted: () => boolean) => (): RemotePermission => (granted()
    ? { status: 'has_permission', rawStatus: 'has_permission', expiresAt: T0 + 7 * DAY, request: null, startCall: null }
    : { status: 'no_permission', rawStatus: 'no_permission', expiresAt: null, request: null, startCall: null });

  it('the person accepted with the webhook still on its way: no second opt-in, the thread approved', async () => {
    let accepted = false;
    const { permissions, fake, clock } = setup({ remote: remoteSaying(() => accepted) });
    await permissions.ingest([{ kind: 'inbound_message', id: 'in-1', thread, at: clock.now() }]);
    expect((await permissions.request(thread)).ok).toBe(true);
    clock.advance(10 * 60_000);
    accepted = true; // the Accept is in Meta's retries
    await permissions.ingest([{ kind: 'inbound_message', id: 'in-2', thread, at: clock.now() }]); // lifts the reminder wait
    const checks = fake.checks.length;
    const r = await permissions.request(thread);
    expect(fake.checks.length).toBe(checks + 1); // the last check is 10 minutes old, yet Meta was asked again
    expect(fake.sent).toHaveLength(1);
    expect(!r.ok && r.error.reason).toBe('already_permitted');
    expect((await permissions.status(thread)).state).toBe('approved');
  });

  it('still no answer at Meta: the reminder goes out after the check', async () => {
    const { permissions, fake, clock } = setup({ remote: remoteSaying(() => false) });
    await permissions.ingest([{ kind: 'inbound_message', id: 'in-1', thread, at: clock.now() }]);
    expect((await permissions.request(thread)).ok).toBe(true);
    clock.advance(10 * 60_000);
    await permissions.ingest([{ kind: 'inbound_message', id: 'in-2', thread, at: clock.now() }]);
    const checks = fake.checks.length;
    expect((await permissions.request(thread)).ok).toBe(true);
    expect(fake.checks.length).toBe(checks + 1);
    expect(fake.sent).toHaveLength(2);
  });
});

describe('a remote refusal without a reason', () => {
  it('holds until the person writes again', async () => {
    let canPerform = false;
    const { permissions, clock, fake } = setup({
      remote: () => ({
        status: 'no_permission', rawStatus: 'no_permission', expiresAt: null,
        request: { canPerform, limits: [{ period: 'PT24H', max: 2, used: 0 }] }, startCall: null,
      }),
    });
    await permissions.refresh(thread);
    clock.advance(HOUR);
    const refused = await permissions.request(thread);
    expect(!refused.ok && refused.error.reason).toBe('remote_request_denied');
    expect(fake.checks).toHaveLength(1); // a blocked request asks Meta nothing
    await permissions.ingest([{ kind: 'inbound_message', id: 'in-9', thread, at: clock.now() }]);
    canPerform = true; // the person wrote: Meta's window is open again
    clock.advance(1);
    const sent = await permissions.request(thread);
    expect(sent.ok).toBe(true);
    expect(fake.sent).toHaveLength(1);
  });
});
