import { describe, expect, it } from 'vitest';
import { emptyRecord, memoryStore, type PermissionRecord } from '../src/internals.js';

const big = (n: number): PermissionRecord => ({
  ...emptyRecord(), requests: Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 3_600_000),
});

describe('memoryStore', () => {
  it('finds the right row when a caller reuses one thread object for another thread', async () => {
    const store = memoryStore();
    const t = { pageId: '1', psid: '2' };
    await store.compareAndSet(t, 0, { ...emptyRecord(), lastInboundAt: 5 });
    (t as { psid: string }).psid = '3';
    expect(await store.get(t)).toBeNull();
    expect(await store.compareAndSet(t, 0, { ...emptyRecord(), lastInboundAt: 7 })).toEqual({ ok: true, version: 1 });
    expect((await store.get({ pageId: '1', psid: '2' }))?.record.lastInboundAt).toBe(5);
  });

  it('keeps records of any size as they grow and shrink, and threads whose ids contain the separator', async () => {
    const store = memoryStore();
    const a = { pageId: '1:2', psid: '3' };
    const b = { pageId: '1', psid: '2:3' };
    let version = 0;
    for (const n of [0, 40, 2, 300, 1]) {
      expect(await store.compareAndSet(a, version, big(n))).toEqual({ ok: true, version: version + 1 });
      version += 1;
      expect((await store.get(a))?.record).toEqual(big(n));
    }
    await store.compareAndSet(b, 0, { ...big(1), dueAt: 10 });
    expect(await store.due(10, 10)).toEqual([b]);
    expect(store.size()).toBe(2);
  });
});
