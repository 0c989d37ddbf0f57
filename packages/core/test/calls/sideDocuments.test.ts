import { describe, expect, it } from 'vitest';
import {
  callTraceKey, createCallPermissions, DEFAULT_CALL_TRACE_TTL_MS, memoryStore,
  type PermissionStore, type Thread, type WebhookEvent,
} from '../../src/internals.js';
import { inProcessGraph } from '../support/inProcessGraph.js';
import { callEvents } from './callEvents.js';

const T0 = Date.UTC(2026, 10, 1);
const S = 1000;
const HOUR = 3_600_000;
const thread: Thread = { pageId: '111', psid: '222' };
const c = callEvents('111', 'c_1', '222');
const approve: WebhookEvent = { kind: 'permission_reply', id: 'r:1', thread, at: T0, response: 'approve', expiresAt: null };

const host = (store: PermissionStore = memoryStore(), options: { callTraceTtlMs?: number } = {}) => {
  let now = T0 + 60 * S;
  const clock = { now: () => now, advance: (ms: number) => { now += ms; } };
  const permissions = createCallPermissions({ graph: inProcessGraph().graph, store, clock, ...options });
  return { permissions, clock, store };
};

describe('call traces as documents', () => {
  it('keeps a trace as a call document that expires two days after its last write, never as a thread', async () => {
    const { permissions, clock, store } = host();
    await permissions.ingest([c.terminate(T0 + 60 * S, null)]);
    const doc = await store.getDoc('call', callTraceKey('111', 'c_1'));
    expect(doc).toMatchObject({ version: 1, dueAt: null });
    expect(JSON.parse(doc?.value ?? 'null')).toMatchObject({ pageId: '111', callId: 'c_1', psid: null });
    expect(await store.due(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
    expect(DEFAULT_CALL_TRACE_TTL_MS).toBe(2 * 24 * HOUR);
    clock.advance(DEFAULT_CALL_TRACE_TTL_MS - 1); // kept until then: the connect still completes the call
    await permissions.ingest([c.connect('user_initiated', T0)]);
    expect(await permissions.status(thread)).toMatchObject({ state: 'approved', provisional: true });
  });

  it('forgets a trace after callTraceTtlMs, once later writes pass: a late half is no longer correlated', async () => {
    const { permissions, clock, store } = host(memoryStore(), { callTraceTtlMs: HOUR });
    await permissions.ingest([c.terminate(T0 + 60 * S, null)]);
    clock.advance(2 * HOUR);
    await permissions.ingest([callEvents('111', 'c_2', '333').terminate(T0 + 2 * HOUR, 30)]); // another call's write prunes
    expect(await store.getDoc('call', callTraceKey('111', 'c_1'))).toBeNull();
    expect(await permissions.ingest([c.connect('user_initiated', T0)])).toMatchObject({ applied: 0, ignored: 1 });
    expect((await permissions.status(thread)).state).toBe('none');
  });

  it('gives up on a trace that keeps conflicting with ContentionError naming the document', async () => {
    const store: PermissionStore = { ...memoryStore(), putDoc: () => Promise.resolve({ ok: false, reason: 'conflict' }) };
    const { permissions } = host(store);
    await expect(permissions.ingest([c.terminate(T0, null)]))
      .rejects.toMatchObject({ code: 'contention', thread: null, doc: { kind: 'call', key: callTraceKey('111', 'c_1') } });
  });
});

describe('the inbox as documents', () => {
  it('records a delivery as an inbox document that due() never lists, and deletes it when done', async () => {
    const { permissions, store } = host();
    const ticket = await permissions.inbox.put([approve]);
    expect(await store.getDoc('inbox', ticket.key)).toMatchObject({ version: 1, dueAt: T0 + 60 * S + 30_000 });
    expect(await store.due(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
    expect(await store.dueDocs('inbox', T0 + 60 * S + 30_000, 10)).toEqual([ticket.key]);
    await permissions.inbox.done(ticket);
    expect(await store.getDoc('inbox', ticket.key)).toBeNull();
    await permissions.inbox.done(ticket); // twice is harmless
  });

  it('done leaves a slot that holds another delivery', async () => {
    const { permissions, store } = host();
    const ticket = await permissions.inbox.put([approve]);
    await permissions.inbox.done({ key: ticket.key, ids: ['someone-else'] });
    expect(await store.getDoc('inbox', ticket.key)).not.toBeNull();
  });

  it('reports a delivery that fails to apply through onInboxError, backs it off, and moves a corrupt one aside', async () => {
    const inner = memoryStore();
    const store: PermissionStore = { ...inner, get: () => Promise.reject(new Error('store down')) };
    const { permissions, clock } = host(store);
    const ticket = await permissions.inbox.put([approve]);
    await inner.putDoc('inbox', 'damaged', 0, 'not json', { now: T0, dueAt: T0, expiresAt: null });
    clock.advance(30_000);
    const heard: [string, unknown][] = [];
    const report = await permissions.sweep({ onInboxError: (key, e) => heard.push([key, (e as { code?: unknown }).code]) });
    expect(report).toMatchObject({ due: 2, inbox: 0, failed: 2, movedAside: 1 });
    expect(heard.sort()).toEqual([['damaged', 'corrupt_doc'], [ticket.key, undefined]].sort());
    expect(await inner.dueDocs('inbox', clock.now(), 10)).toEqual([]); // backing off: the slots behind go first
    expect(await inner.dueDocs('inbox', clock.now() + 60_000, 10)).toEqual([ticket.key]);
    expect(await inner.getDoc('inbox', 'damaged')).toBeNull();
    expect(await permissions.inboxAside.list()).toMatchObject([{ corrupt: true }]); // kept as it was, for an operator
  });

  it('sweeps inbox deliveries and threads each up to the limit', async () => {
    const { permissions, clock } = host();
    for (let i = 0; i < 3; i += 1) await permissions.inbox.put([{ ...approve, id: `r:${i}`, thread: { pageId: '111', psid: String(400 + i) } }]);
    clock.advance(30_000);
    expect(await permissions.sweep({ limit: 2 })).toMatchObject({ due: 2, inbox: 2 });
    expect(await permissions.sweep({ limit: 2 })).toMatchObject({ due: 1, inbox: 1 });
    expect(await permissions.sweep({ limit: 2 })).toMatchObject({ due: 0 });
  });
});
