import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  createCallPermissions, memoryStore, noRefusals,
  type PermissionStore, type Thread, type ThreadCommit, type WebhookEvent,
} from '../src/internals.js';
import { HOUR, T0 } from './support/histories.js';
import { inProcessGraph } from './support/inProcessGraph.js';

const threads: Thread[] = [{ pageId: '100', psid: '1' }, { pageId: '100', psid: '2' }, { pageId: '101', psid: '1' }];

/** A store that counts the calls `ingest` makes. */
const counting = (inner: PermissionStore) => {
  const calls = { get: 0, commitThread: 0, compareAndSet: 0, remember: 0 };
  const store: PermissionStore = {
    ...inner,
    get: (t) => { calls.get += 1; return inner.get(t); },
    commitThread: (c: ThreadCommit) => { calls.commitThread += 1; return inner.commitThread(c); },
    compareAndSet: (t, v, r) => { calls.compareAndSet += 1; return inner.compareAndSet(t, v, r); },
    remember: (id, n, u) => { calls.remember += 1; return inner.remember(id, n, u); },
  };
  return { store, calls };
};

/** Replies and messages on three threads; ids repeat, so retries and duplicates inside one delivery occur. */
const eventArb: fc.Arbitrary<WebhookEvent> = fc.oneof(
  fc.record({
    kind: fc.constant('permission_reply' as const),
    id: fc.nat({ max: 12 }).map((i) => `reply-${i}`),
    thread: fc.constantFrom(...threads),
    at: fc.integer({ min: T0, max: T0 + 48 * HOUR }),
    response: fc.constantFrom('approve' as const, 'reject' as const),
    expiresAt: fc.option(fc.integer({ min: T0, max: T0 + 14 * 24 * HOUR }), { nil: null }),
  }),
  fc.record({
    kind: fc.constant('inbound_message' as const),
    id: fc.nat({ max: 12 }).map((i) => `mid-${i}`),
    thread: fc.constantFrom(...threads),
    at: fc.integer({ min: T0, max: T0 + 48 * HOUR }),
  }),
);

/** An id names one event: a repeated id repeats its event, as Meta's retries do. */
const consistent = (deliveries: WebhookEvent[][]): WebhookEvent[][] => {
  const byId = new Map<string, WebhookEvent>();
  return deliveries.map((d) => d.map((e) => {
    const known = byId.get(e.id);
    if (known !== undefined) return known;
    byId.set(e.id, e);
    return e;
  }));
};

describe('ingest commits a delivery thread by thread', () => {
  it('one commitThread per thread of a delivery, and no separate compare-and-set or remember', async () => {
    const { store, calls } = counting(memoryStore());
    const clock = { now: () => T0 + 50 * HOUR };
    const permissions = createCallPermissions({ graph: inProcessGraph().graph, store, clock });
    const [a, b, c] = threads as [Thread, Thread, Thread];
    const report = await permissions.ingest([
      { kind: 'inbound_message', id: 'm1', thread: a, at: T0 },
      { kind: 'permission_reply', id: 'r1', thread: b, at: T0 + 1, response: 'approve', expiresAt: null },
      { kind: 'inbound_message', id: 'm2', thread: a, at: T0 + 2 },
      { kind: 'inbound_message', id: 'm3', thread: c, at: T0 + 3 },
      { kind: 'inbound_message', id: 'm1', thread: a, at: T0 },
    ]);
    expect(calls).toEqual({ get: 3, commitThread: 3, compareAndSet: 0, remember: 0 });
    expect(report).toEqual({ applied: 4, unchanged: 0, duplicates: 1, ignored: 0, refused: noRefusals });
    expect((await store.get(a))?.record.lastInboundAt).toBe(T0 + 2);
  });

  it('a commit that fails remembers nothing, so the retried delivery is applied', async () => {
    const inner = memoryStore();
    let down = true;
    const store: PermissionStore = {
      ...inner,
      commitThread: (c) => (down ? Promise.reject(new Error('store unreachable')) : inner.commitThread(c)),
    };
    const permissions = createCallPermissions({ graph: inProcessGraph().graph, store, clock: { now: () => T0 + HOUR } });
    const delivery: WebhookEvent[] = [{ kind: 'inbound_message', id: 'm1', thread: threads[0]!, at: T0 }];
    await expect(permissions.ingest(delivery)).rejects.toThrow('store unreachable');
    down = false;
    expect(await permissions.ingest(delivery)).toEqual({ applied: 1, unchanged: 0, duplicates: 0, ignored: 0, refused: noRefusals });
    expect((await inner.get(threads[0]!))?.record.lastInboundAt).toBe(T0);
  });

  test.prop([fc.array(fc.array(eventArb, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 6 }), fc.boolean()])(
    'grouped ingest ends where applying each event alone ends, and counts the same, for any deliveries (serial or concurrent)',
    async (raw, concurrent) => {
      const deliveries = consistent(raw);
      const clock = { now: () => T0 + 50 * HOUR };
      const grouped = memoryStore();
      const single = memoryStore();
      const g = createCallPermissions({ graph: inProcessGraph().graph, store: grouped, clock });
      const s = createCallPermissions({ graph: inProcessGraph().graph, store: single, clock });
      const reports = concurrent
        ? await Promise.all(deliveries.map((d) => g.ingest(d)))
        : await deliveries.reduce(async (acc, d) => [...await acc, await g.ingest(d)], Promise.resolve([] as Awaited<ReturnType<typeof g.ingest>>[]));
      const oneByOne = [];
      for (const d of deliveries) for (const e of d) oneByOne.push(await s.ingest([e]));
      const sum = (rs: typeof reports) => rs.reduce((t, r) => ({
        applied: t.applied + r.applied, unchanged: t.unchanged + r.unchanged, duplicates: t.duplicates + r.duplicates, ignored: t.ignored + r.ignored,
      }), { applied: 0, unchanged: 0, duplicates: 0, ignored: 0 });
      for (const t of threads) expect((await grouped.get(t))?.record).toEqual((await single.get(t))?.record);
      const [gs, ss] = [sum(reports), sum(oneByOne)];
      expect(gs.duplicates).toBe(ss.duplicates);
      expect(gs.applied + gs.unchanged).toBe(ss.applied + ss.unchanged);
      if (!concurrent) expect(gs).toEqual(ss);
    },
  );
});
