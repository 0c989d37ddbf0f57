import { describe, expect, it } from 'vitest';
import {
  createCallPermissions, CorruptDocError, DEFAULT_RETRY, encodeJson, followUpBackoffFormat, followUpKey, inboxFormat, memoryStore,
  resolveRetry, retryDelayMs,
  type GraphApi, type PermissionStore, type SweepOptions, type Thread, type WebhookEvent,
} from '../../src/internals.js';
import { inProcessGraph } from '../support/inProcessGraph.js';

const T0 = Date.UTC(2026, 10, 1);
const MIN = 60_000;
const DAY = 86_400_000;
const thread: Thread = { pageId: '111', psid: '222' };

/** A Graph API whose checks fail while `down` is set (a revoked Page token), and succeed after. */
const flakyGraph = () => {
  const state = { down: true, checks: 0 };
  const ok = inProcessGraph().graph;
  const graph: GraphApi = {
    ...ok,
    checkPermission: (t) => {
      state.checks += 1;
      return state.down ? Promise.reject(Object.assign(new Error('token revoked'), { code: 'graph_auth' })) : ok.checkPermission(t);
    },
    sendPermissionRequest: (t) => ok.sendPermissionRequest(t),
    checkPageCalling: (pageId) => ok.checkPageCalling(pageId),
  };
  return { graph, state };
};

const host = (store: PermissionStore, graph: GraphApi = inProcessGraph().graph) => {
  let now = T0;
  const clock = { now: () => now, advance: (ms: number) => { now += ms; }, set: (at: number) => { now = at; } };
  return { permissions: createCallPermissions({ graph, store, clock, inboxGraceMs: 0 }), clock };
};

const grant = (t: Thread, at: number): WebhookEvent => ({ kind: 'implicit_grant', id: `g:${t.psid}:${at}`, thread: t, at, cause: 'missed_call' });

describe('retry delays', () => {
  it('double from the base per failure, up to the cap', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(DEFAULT_RETRY, n))).toEqual([MIN, 2 * MIN, 4 * MIN, 8 * MIN]);
    expect(retryDelayMs(DEFAULT_RETRY, 50)).toBe(DEFAULT_RETRY.maxMs);
  });
  it('refuse nonsense options for the defaults, and keep the cap at least the base', () => {
    expect(resolveRetry({ retryBaseMs: Number.NaN, retryMaxMs: -5, inboxMaxAttempts: 0 })).toEqual({ baseMs: MIN, maxMs: MIN, inboxMaxAttempts: 1 });
    expect(resolveRetry({ retryBaseMs: 10 * MIN, retryMaxMs: MIN })).toMatchObject({ baseMs: 10 * MIN, maxMs: 10 * MIN });
  });
});

describe('a failing remote check', () => {
  it('backs off exponentially per thread, the attempts kept in a followup document, and is forgotten once Meta answers', async () => {
    const store = memoryStore();
    const { graph, state } = flakyGraph();
    const { permissions, clock } = host(store, graph);
    await permissions.ingest([grant(thread, T0)]);
    clock.advance(MIN);
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      expect(await permissions.sweep()).toMatchObject({ due: 1, failed: 1 });
      const doc = await store.getDoc('followup', followUpKey(thread));
      expect(JSON.parse(doc!.value)).toMatchObject({ attempts: attempt });
      const [next] = await store.due(Number.MAX_SAFE_INTEGER, 1);
      expect(next).toEqual(thread);
      const dueAt = (await store.get(thread))!.record.dueAt!;
      waits.push(dueAt - clock.now());
      expect(await permissions.sweep()).toMatchObject({ due: 0 }); // nothing until its next attempt
      clock.set(dueAt);
    }
    expect(waits).toEqual([MIN, 2 * MIN, 4 * MIN, 8 * MIN]);
    expect(state.checks).toBe(4);
    state.down = false;
    expect(await permissions.sweep()).toMatchObject({ due: 1, checked: 1 });
    expect(await store.getDoc('followup', followUpKey(thread))).toBeNull();
  });

  it('is counted once by hosts sharing a store: the second host defers to the attempt the first recorded', async () => {
    const store = memoryStore();
    const { graph, state } = flakyGraph();
    const a = host(store, graph);
    const b = host(store, graph);
    await a.permissions.ingest([grant(thread, T0)]);
    a.clock.advance(MIN);
    b.clock.advance(MIN);
    expect(await a.permissions.sweep()).toMatchObject({ failed: 1 });
    // b listed the thread before a moved it on (a stale due index): it reads the backoff and does not call Meta.
    await store.compareAndSet(thread, (await store.get(thread))!.version, { ...(await store.get(thread))!.record, dueAt: T0 + MIN });
    expect(await b.permissions.sweep()).toMatchObject({ due: 1, deferred: 1, failed: 0 });
    expect(state.checks).toBe(1);
    expect((await store.get(thread))!.record.dueAt).toBe(T0 + 2 * MIN);
    b.clock.advance(MIN);
    expect(await b.permissions.sweep()).toMatchObject({ failed: 1 });
    expect(JSON.parse((await store.getDoc('followup', followUpKey(thread)))!.value)).toMatchObject({ attempts: 2 });
  });

  it('never holds back an expiry announcement', async () => {
    const store = memoryStore();
    const { graph } = flakyGraph();
    const { permissions, clock } = host(store, graph);
    await permissions.ingest([grant(thread, T0)]);
    const expiresAt = (await store.get(thread))!.record.expiresAt!;
    const sweep: SweepOptions = { retryBaseMs: 60 * DAY, retryMaxMs: 60 * DAY }; // backing off past the expiry
    clock.advance(MIN);
    expect(await permissions.sweep(sweep)).toMatchObject({ failed: 1 });
    expect((await store.get(thread))!.record.dueAt).toBe(expiresAt);
    clock.set(expiresAt);
    expect(await permissions.sweep(sweep)).toMatchObject({ due: 1, expired: 1 });
  });

  it('a backoff document about another follow-up counts for nothing', async () => {
    const store = memoryStore();
    const { graph, state } = flakyGraph();
    const { permissions, clock } = host(store, graph);
    await store.putDoc('followup', followUpKey(thread), 0, encodeJson(followUpBackoffFormat, { at: 1, attempts: 7, nextAttemptAt: T0 + DAY }), {
      now: T0, dueAt: null, expiresAt: null,
    });
    await permissions.ingest([grant(thread, T0)]);
    clock.advance(MIN);
    expect(await permissions.sweep()).toMatchObject({ failed: 1 });
    expect(state.checks).toBe(1);
    expect(JSON.parse((await store.getDoc('followup', followUpKey(thread)))!.value)).toMatchObject({ attempts: 1 });
  });

  it('a backoff document that does not decode counts for nothing and is written over by the next failure', async () => {
    const store = memoryStore();
    const { graph, state } = flakyGraph();
    const { permissions, clock } = host(store, graph);
    await store.putDoc('followup', followUpKey(thread), 0, 'not json', { now: T0, dueAt: null, expiresAt: null });
    await permissions.ingest([grant(thread, T0)]);
    clock.advance(MIN);
    expect(await permissions.sweep()).toMatchObject({ failed: 1 });
    expect(state.checks).toBe(1);
    expect(JSON.parse((await store.getDoc('followup', followUpKey(thread)))!.value)).toMatchObject({ attempts: 1 });
    expect(await store.due(clock.now(), 10)).toEqual([]);
  });
});

describe('an inbox delivery that keeps failing', () => {
  /** A store whose commits of `thread` fail while `down` is set. */
  const breakable = () => {
    const inner = memoryStore();
    const state = { down: true };
    const store: PermissionStore = {
      ...inner,
      commitThread: (c) => (state.down && c.thread.psid === thread.psid ? Promise.reject(Object.assign(new Error('x'), { code: 'store_down' })) : inner.commitThread(c)),
    };
    return { store, state };
  };
  const reply: WebhookEvent = { kind: 'permission_reply', id: 'r:1', thread, at: T0, response: 'approve', expiresAt: null };

  it('backs off, is moved aside after inboxMaxAttempts (kept, reported, listed), and is replayed once the fault is gone', async () => {
    const { store, state } = breakable();
    const { permissions, clock } = host(store);
    const ticket = await permissions.inbox.put([reply]);
    const moved: [string, string, number][] = [];
    const errors: unknown[] = [];
    const options: SweepOptions = {
      inboxMaxAttempts: 3, onInboxError: (_k, e) => errors.push((e as { code?: unknown }).code), onInboxMovedAside: (k, a, n) => moved.push([k, a, n]),
    };
    expect(await permissions.sweep(options)).toMatchObject({ due: 1, failed: 1, movedAside: 0 });
    expect(JSON.parse((await store.getDoc('inbox', ticket.key))!.value)).toMatchObject({ v: 3, attempts: 1, lastError: 'store_down' });
    expect(await store.getDoc('inbox', ticket.key)).toMatchObject({ dueAt: T0 + MIN });
    clock.advance(MIN);
    expect(await permissions.sweep(options)).toMatchObject({ failed: 1, movedAside: 0 });
    expect(await store.getDoc('inbox', ticket.key)).toMatchObject({ dueAt: T0 + 3 * MIN });
    clock.advance(2 * MIN);
    expect(await permissions.sweep(options)).toMatchObject({ due: 1, failed: 1, movedAside: 1 });
    expect(errors).toEqual(['store_down', 'store_down', 'store_down']);
    expect(moved).toHaveLength(1);
    const [[slot, asideKey, attempts]] = moved as [[string, string, number]];
    expect([slot, attempts]).toEqual([ticket.key, 3]);
    expect(await store.getDoc('inbox', ticket.key)).toBeNull();
    clock.advance(DAY);
    expect(await permissions.sweep(options)).toMatchObject({ due: 0 }); // no longer retried
    expect(await permissions.inboxAside.list()).toEqual([{
      key: asideKey, corrupt: false, ids: ['r:1'], receivedAt: T0, movedAsideAt: T0 + 3 * MIN, attempts: 3, lastError: 'store_down',
    }]);
    await expect(permissions.inboxAside.replay(asideKey)).rejects.toMatchObject({ code: 'store_down' });
    expect(await permissions.inboxAside.list()).toHaveLength(1); // a failed replay keeps it
    state.down = false;
    expect(await permissions.inboxAside.replay(asideKey)).toBe(true);
    expect((await permissions.status(thread)).state).toBe('approved');
    expect(await permissions.inboxAside.list()).toEqual([]);
    expect(await permissions.inboxAside.replay(asideKey)).toBe(false);
  });

  it('a slot in a format newer than this release waits the longest backoff, for a newer host, and is not moved aside', async () => {
    const store = memoryStore();
    const { permissions } = host(store);
    const newer = JSON.stringify({ v: inboxFormat.version + 1, ids: ['x'] });
    await store.putDoc('inbox', 'newer', 0, newer, { now: T0, dueAt: T0, expiresAt: null });
    const heard: unknown[] = [];
    expect(await permissions.sweep({ inboxMaxAttempts: 1, onInboxError: (_k, e) => heard.push(e) })).toMatchObject({ failed: 1, movedAside: 0 });
    expect(heard[0]).toBeInstanceOf(CorruptDocError);
    expect(await store.getDoc('inbox', 'newer')).toEqual({ version: 2, value: newer, dueAt: T0 + DEFAULT_RETRY.maxMs });
    expect(await permissions.inboxAside.list()).toEqual([]);
  });

  it('a replay of something moved aside that does not decode is refused with CorruptDocError', async () => {
    const store = memoryStore();
    const { permissions } = host(store);
    await store.putDoc('inbox_aside', 'bad', 0, 'not json', { now: T0, dueAt: T0, expiresAt: null });
    await expect(permissions.inboxAside.replay('bad')).rejects.toBeInstanceOf(CorruptDocError);
    expect(await permissions.inboxAside.list()).toEqual([{ key: 'bad', corrupt: true, format: null }]);
  });
});
