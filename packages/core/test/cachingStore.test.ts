import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  cachingStore, createCallPermissions, emptyRecord, memoryStore,
  type PermissionRecord, type PermissionStore, type Thread, type Versioned, type WebhookEvent,
} from '../src/internals.js';
import { HOUR, T0 } from './support/histories.js';
import { inProcessGraph } from './support/inProcessGraph.js';
import { scheduledStore } from './support/scheduledStore.js';

const thread: Thread = { pageId: '100', psid: '200' };
const other: Thread = { pageId: '100', psid: '201' };
const record = (lastInboundAt: number): PermissionRecord => ({ ...emptyRecord(), lastInboundAt });

/** A store that counts the reads reaching it. */
const counted = (base: PermissionStore) => {
  let reads = 0;
  const store: PermissionStore = { ...base, get: (t) => { reads += 1; return base.get(t); } };
  return { store, reads: () => reads };
};

describe('cachingStore', () => {
  it('serves a thread from memory after the first read, frozen', async () => {
    const base = memoryStore();
    await base.compareAndSet(thread, 0, record(1));
    const inner = counted(base);
    const cache = cachingStore(inner.store, { clock: { now: () => 0 }, maxAgeMs: Infinity });
    const first = await cache.get(thread);
    const second = await cache.get(thread);
    expect(second).toBe(first);
    expect(inner.reads()).toBe(1);
    expect(Object.isFrozen(second?.record)).toBe(true);
    expect(cache.stats()).toEqual({ hits: 1, misses: 1, size: 1 });
  });

  it('remembers what it wrote and forgets a thread whose write conflicted', async () => {
    const base = memoryStore();
    const inner = counted(base);
    const cache = cachingStore(inner.store, { clock: { now: () => 0 }, maxAgeMs: Infinity });
    expect(await cache.compareAndSet(thread, 0, record(1))).toEqual({ ok: true, version: 1 });
    expect(await cache.get(thread)).toEqual({ version: 1, record: record(1) });
    expect(inner.reads()).toBe(0);
    await base.compareAndSet(thread, 1, record(2)); // another writer
    expect(await cache.compareAndSet(thread, 1, record(3))).toEqual({ ok: false, reason: 'conflict' });
    expect(await cache.get(thread)).toEqual({ version: 2, record: record(2) });
    expect(inner.reads()).toBe(1);
  });

  it('reads again once an entry is older than maxAgeMs', async () => {
    let now = 0;
    const base = memoryStore();
    await base.compareAndSet(thread, 0, record(1));
    const inner = counted(base);
    const cache = cachingStore(inner.store, { clock: { now: () => now }, maxAgeMs: 100 });
    await cache.get(thread);
    await base.compareAndSet(thread, 1, record(2));
    now = 100;
    expect((await cache.get(thread))?.version).toBe(1);
    now = 101;
    expect((await cache.get(thread))?.version).toBe(2);
    expect(inner.reads()).toBe(2);
  });

  it('keeps at most maxEntries threads', async () => {
    const cache = cachingStore(memoryStore(), { clock: { now: () => 0 }, maxEntries: 3 });
    for (let i = 0; i < 10; i += 1) await cache.get({ pageId: '1', psid: String(i) });
    expect(cache.stats().size).toBe(3);
  });

  it('returns but does not cache a read that raced a write of its thread', async () => {
    const base = memoryStore();
    await base.compareAndSet(thread, 0, record(1));
    let release = (): void => undefined;
    const gate = new Promise<void>((r) => { release = r; });
    const slow: PermissionStore = { ...base, get: async (t) => { const v = await base.get(t); await gate; return v; } };
    const cache = cachingStore(slow, { clock: { now: () => 0 }, maxAgeMs: Infinity });
    const racing = cache.get(thread); // reads version 1, lands late
    await Promise.resolve();
    const firstWriter = cache.compareAndSet(thread, 1, record(2));
    expect(await cache.compareAndSet(thread, 1, record(3))).toEqual({ ok: false, reason: 'conflict' });
    await firstWriter;
    release();
    expect((await racing)?.version).toBe(1);
    expect(await cache.get(thread)).toEqual({ version: 2, record: record(2) });
  });

  it('forgets a thread it retires, whether the retire won or conflicted, and serves the new row written after it', async () => {
    const base = memoryStore();
    const inner = counted(base);
    const cache = cachingStore(inner.store, { clock: { now: () => 0 }, maxAgeMs: Infinity });
    await cache.compareAndSet(thread, 0, record(1));
    await base.compareAndSet(thread, 1, record(2)); // another writer
    expect(await cache.retire(thread, 1)).toEqual({ ok: false, reason: 'conflict' });
    expect(await cache.get(thread)).toEqual({ version: 2, record: record(2) });
    expect(inner.reads()).toBe(1);
    expect(await cache.retire(thread, 2)).toEqual({ ok: true, version: 0 });
    expect(await cache.get(thread)).toBeNull();
    expect(inner.reads()).toBe(2);
    expect(await cache.compareAndSet(thread, 0, record(3))).toEqual({ ok: true, version: 1 });
    expect(await cache.get(thread)).toEqual({ version: 1, record: record(3) });
    expect(inner.reads()).toBe(2);
  });

  it('passes a failing read through and caches nothing', async () => {
    const failing: PermissionStore = { ...memoryStore(), get: () => Promise.reject(new Error('down')) };
    const cache = cachingStore(failing, { clock: { now: () => 0 } });
    await expect(cache.get(other)).rejects.toThrow();
    expect(cache.stats().size).toBe(0);
  });
});


const now = T0 + 10 * HOUR;
const opArb = fc.constantFrom('request', 'approve', 'reject', 'message', 'status');

test.prop([fc.scheduler(), fc.array(opArb, { minLength: 1, maxLength: 6 })])(
  'concurrent commands through one cache leave it holding exactly what the store holds',
  async (s, ops) => {
    const base = memoryStore();
    await base.compareAndSet(thread, 0, record(now - HOUR));
    const cache = cachingStore(scheduledStore(s, base), { clock: { now: () => now }, maxAgeMs: Infinity });
    const fake = inProcessGraph();
    const service = createCallPermissions({ graph: fake.graph, store: cache, clock: { now: () => now } });
    const reply = (i: number, response: 'approve' | 'reject'): WebhookEvent => ({
      kind: 'permission_reply', id: `r${i}`, thread, at: now - i, response, expiresAt: null,
    });
    const all = Promise.all(ops.map((op, i) => {
      switch (op) {
        case 'request': return service.request(thread);
        case 'approve': return service.ingest([reply(i, 'approve')]);
        case 'reject': return service.ingest([reply(i, 'reject')]);
        case 'message': return service.apply(thread, [{ type: 'USER_MESSAGE', at: now - i }]);
        case 'status': return service.status(thread);
      }
    }));
    await s.waitFor(all);
    const truth: Versioned | null = await base.get(thread);
    const cached = cache.get(thread);
    await s.waitFor(cached);
    expect(await cached).toEqual(truth);
    expect(fake.sent.length).toBe(truth?.record.requests.length ?? 0); // one opt-in per reserved slot
  },
);
