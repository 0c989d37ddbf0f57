import type { PermissionRecord, PermissionStore, Thread } from '@callperm/core';
import { emptyRecord } from '@callperm/core';
import assert from 'node:assert/strict';
import type { ConformanceCase, ConformanceContext } from './ConformanceContext.js';

const tagged = (tag: number): PermissionRecord => ({ ...emptyRecord(), lastEventAt: tag });

/** Read-modify-write until the write wins: how the service commits, and how an update gets lost when a store cheats. */
const appendWithRetry = async (store: PermissionStore, thread: Thread, value: number): Promise<number> => {
  for (let attempts = 1; ; attempts += 1) {
    const current = await store.get(thread);
    const record = current?.record ?? emptyRecord();
    const next = { ...record, requests: [...record.requests, value].sort((a, b) => a - b) };
    const r = await store.compareAndSet(thread, current?.version ?? 0, next);
    if (r.ok) return attempts;
    assert.deepEqual(r, { ok: false, reason: 'conflict' });
  }
};

/**
 * Compare-and-set: a stale or invented version is a conflict value (nothing
 * written), and among concurrent writers of one version exactly one wins.
 *
 * @example
 * for (const c of compareAndSetChecks(ctx)) test(c.name, c.body);
 */
export const compareAndSetChecks = <S extends PermissionStore>(ctx: ConformanceContext<S>): ConformanceCase[] => [
  {
    name: 'compare-and-set on a wrong version resolves to a conflict and writes nothing',
    body: () => ctx.withStore(async (store) => {
      const thread = ctx.freshThread();
      const conflict = { ok: false, reason: 'conflict' };
      assert.deepEqual(await store.compareAndSet(thread, 1, tagged(1)), conflict, 'version 1 of a missing thread');
      assert.equal(await store.get(thread), null);
      assert.deepEqual(await store.compareAndSet(thread, 0, tagged(2)), { ok: true, version: 1 });
      assert.deepEqual(await store.compareAndSet(thread, 0, tagged(3)), conflict, 'version 0 of an existing thread');
      assert.deepEqual(await store.compareAndSet(thread, 2, tagged(4)), conflict, 'a version from the future');
      assert.deepEqual(await store.compareAndSet(thread, 1, tagged(5)), { ok: true, version: 2 });
      assert.deepEqual(await store.compareAndSet(thread, 1, tagged(6)), conflict, 'a stale version');
      assert.deepEqual(await store.get(thread), { version: 2, record: tagged(5) });
    }),
  },
  {
    name: 'concurrent writers of one version: exactly one wins, and its record is stored',
    body: () => ctx.withStore(async (store) => {
      const thread = ctx.freshThread();
      for (let version = 0; version < 4; version += 1) {
        const writers = Array.from({ length: ctx.concurrency }, (_, i) => 100 * version + i);
        const results = await Promise.all(writers.map((tag) => store.compareAndSet(thread, version, tagged(tag))));
        const winners = results.flatMap((r, i) => (r.ok ? [i] : []));
        assert.equal(winners.length, 1, `one winner at version ${version}, got ${winners.length}`);
        const winner = winners[0] ?? -1;
        assert.deepEqual(results[winner], { ok: true, version: version + 1 });
        for (const r of results) if (!r.ok) assert.equal(r.reason, 'conflict');
        assert.deepEqual(await store.get(thread), { version: version + 1, record: tagged(writers[winner] ?? -1) });
      }
    }),
  },
  {
    name: 'concurrent read-modify-write loops lose no update',
    body: () => ctx.withStore(async (store) => {
      const threads = [ctx.freshThread(), ctx.freshThread()];
      const values = Array.from({ length: ctx.concurrency * 2 }, (_, i) => i + 1);
      await Promise.all(threads.flatMap((t) => values.map((v) => appendWithRetry(store, t, v))));
      for (const t of threads) {
        const stored = await store.get(t);
        assert.deepEqual(stored?.record.requests, values);
        assert.equal(stored.version, values.length);
      }
    }),
  },
];
