import { describe, expect, it } from 'vitest';
import {
  createCallPermissions, emptyRecord, followUpFor, memoryStore, messengerPolicy, resolvePolicy,
  type GraphFailure, type PermissionRecord, type PermissionStore, type Thread, type TransitionNotice, type WebhookEvent,
} from '../../src/internals.js';
import { inProcessGraph } from '../support/inProcessGraph.js';
import { offlineGraph } from '@callperm/testing';

const T0 = Date.UTC(2026, 10, 1);
const MIN = 60_000;
const DAY = 86_400_000;
const policy = resolvePolicy(messengerPolicy);
const thread: Thread = { pageId: '111', psid: '222' };

const host = (store: PermissionStore = memoryStore(), opts: Parameters<typeof inProcessGraph>[0] = {}) => {
  let now = T0;
  const clock = { now: () => now, advance: (ms: number) => { now += ms; } };
  const fake = inProcessGraph(opts);
  const notices: TransitionNotice[] = [];
  const permissions = createCallPermissions({ graph: fake.graph, store, clock, onTransition: (n) => notices.push(n) });
  return { permissions, clock, fake, notices, store };
};

const approve = (t: Thread, at: number, expiresAt: number): WebhookEvent =>
  ({ kind: 'permission_reply', id: `r:${t.psid}:${at}`, thread: t, at, response: 'approve', expiresAt });

describe('followUpFor', () => {
  const approved = (over: Partial<PermissionRecord>): PermissionRecord => ({ ...emptyRecord(), state: 'approved', ...over });
  it('announces an expiry that has come, and only then', () => {
    expect(followUpFor(approved({ expiresAt: 10 }), 9, policy)).toBe('none');
    expect(followUpFor(approved({ expiresAt: 10 }), 10, policy)).toBe('announce_expiry');
  });
  it('checks a provisional grant once the reconcile delay has passed', () => {
    const r = approved({ provisional: true, expiresAt: 7 * DAY, evidence: { at: 0, rank: 2, weight: 7 * DAY } });
    expect(followUpFor(r, MIN - 1, policy)).toBe('none');
    expect(followUpFor(r, MIN, policy)).toBe('remote_check');
  });
  it('checks an ambiguous send after the reconcile delay, and an unanswered one once after its timeout', () => {
    const pending = { at: 0, messageId: null, ambiguous: true, prior: 'none' as const, reminds: null };
    const requested: PermissionRecord = { ...emptyRecord(), state: 'requested', pending };
    expect(followUpFor(requested, MIN, policy)).toBe('remote_check');
    const quiet: PermissionRecord = { ...requested, pending: { ...pending, ambiguous: false, messageId: 'm' } };
    expect(followUpFor(quiet, DAY - 1, policy)).toBe('none');
    expect(followUpFor(quiet, DAY, policy)).toBe('remote_check');
    const checked: PermissionRecord = { ...quiet, remote: { at: DAY, permitted: false, canRequest: true, requestLimits: [], canStartCall: null, startCallLimits: [] } };
    expect(followUpFor(checked, DAY + 1, policy)).toBe('none');
  });
});

describe('sweep', () => {
  it('announces an expiry through onTransition, once', async () => {
    const { permissions, clock, notices } = host();
    await permissions.ingest([approve(thread, T0, T0 + 7 * DAY)]);
    clock.advance(7 * DAY);
    expect(await permissions.sweep()).toMatchObject({ due: 1, expired: 1 });
    expect(notices.map((n) => `${n.from}->${n.to}:${n.event}`)).toEqual(['none->approved:REPLY_APPROVE', 'approved->expired:TICK']);
    expect(await permissions.sweep()).toMatchObject({ due: 0, expired: 0 });
  });

  it('reconciles an ambiguous opt-in with a remote check', async () => {
    const failure: GraphFailure = { kind: 'transient', processed: 'unknown', message: 'timeout' };
    const { permissions, clock, fake } = host(memoryStore(), { send: () => ({ ok: false, error: failure }) });
    expect(!((await permissions.request(thread)).ok)).toBe(true);
    expect(fake.checks).toEqual([thread]); // the check before asking (no check on record yet)
    clock.advance(MIN);
    expect(await permissions.sweep()).toMatchObject({ checked: 1 });
    expect(fake.checks).toEqual([thread, thread]);
  });

  it('takes at most `limit` threads, earliest due first', async () => {
    const { permissions, clock } = host();
    const threads = Array.from({ length: 5 }, (_, i) => ({ pageId: '111', psid: String(300 + i) }));
    for (const [i, t] of threads.entries()) await permissions.ingest([approve(t, T0, T0 + DAY + i)]);
    clock.advance(2 * DAY);
    expect(await permissions.sweep({ limit: 2 })).toMatchObject({ due: 2, expired: 2 });
    expect((await permissions.status(threads[0]!)).version).toBe(2);
    expect((await permissions.status(threads[4]!)).version).toBe(1);
    expect(await permissions.sweep({ limit: 10 })).toMatchObject({ due: 3, expired: 3 });
  });

  it('is safe when several hosts sweep the same store at once', async () => {
    const store = memoryStore();
    const a = host(store);
    const b = host(store);
    await a.permissions.ingest([approve(thread, T0, T0 + DAY)]);
    a.clock.advance(DAY);
    b.clock.advance(DAY);
    const [ra, rb] = await Promise.all([a.permissions.sweep(), b.permissions.sweep()]);
    expect(ra.expired + rb.expired).toBe(1);
    expect([...a.notices, ...b.notices].filter((n) => n.event === 'TICK')).toHaveLength(1);
  });

  it('counts a failed remote check and backs the thread off: due again after the first retry delay', async () => {
    const { permissions, clock, store } = host();
    const broken = createCallPermissions({
      graph: offlineGraph('down'),
      store, clock,
    });
    await permissions.ingest([{ kind: 'implicit_grant', id: 'g', thread, at: T0, cause: 'missed_call' }]);
    clock.advance(MIN);
    expect(await broken.sweep()).toMatchObject({ due: 1, failed: 1 });
    expect(await store.due(clock.now(), 10)).toEqual([]);
    expect(await store.due(clock.now() + MIN, 10)).toEqual([thread]);
  });
});

describe('the inbox', () => {
  it('holds a delivery for its host, then lets any host apply it after the grace period, once', async () => {
    const store = memoryStore();
    const a = host(store);
    const b = host(store);
    const events = [approve(thread, T0, T0 + 7 * DAY)];
    const ticket = await a.permissions.inbox.put(events);
    expect(await a.permissions.inbox.put(events)).toEqual(ticket); // a retried delivery finds its slot
    expect(await b.permissions.sweep()).toMatchObject({ due: 0 });
    b.clock.advance(30_000);
    expect(await b.permissions.sweep()).toMatchObject({ due: 1, inbox: 1 });
    expect((await b.permissions.status(thread)).state).toBe('approved');
    b.clock.advance(30_000);
    expect(await b.permissions.sweep()).toMatchObject({ due: 0 });
    await a.permissions.inbox.done(ticket); // the original host finishing late changes nothing
    expect(b.notices.filter((n) => n.event === 'REPLY_APPROVE')).toHaveLength(1);
  });

  it('keeps different deliveries in different slots', async () => {
    const { permissions } = host();
    const one = await permissions.inbox.put([approve(thread, T0, T0 + DAY)]);
    const two = await permissions.inbox.put([approve(thread, T0 + 1, T0 + DAY)]);
    expect(one.key).not.toBe(two.key);
  });
});
