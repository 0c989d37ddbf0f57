import type { Instant, PermissionStore, Thread } from '@callperm/core';
import { emptyRecord, threadKey } from '@callperm/core';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VirtualClock } from '../VirtualClock.js';
import type { ConformanceCase, ConformanceContext } from './ConformanceContext.js';

const MINUTE = 60_000;

const keys = (threads: readonly Thread[]): string[] => threads.map(threadKey);

/**
 * The due index: `due(before, limit)` lists threads whose `dueAt` is at or before
 * `before`, earliest first, at most `limit`; it follows every write (a moved
 * `dueAt` moves, a `null` leaves the index).
 *
 * @example
 * for (const c of dueChecks(ctx)) test(c.name, c.body);
 */
export const dueChecks = <S extends PermissionStore>(ctx: ConformanceContext<S>): ConformanceCase[] => [
  {
    name: 'due follows the virtual clock: order, limit, before, moved and cleared entries',
    body: () => ctx.withStore(async (store) => {
      const clock = new VirtualClock();
      const start = clock.now();
      const [a, b, c, idle] = [ctx.freshThread(), ctx.freshThread(), ctx.freshThread(), ctx.freshThread()];
      const put = async (t: Thread, version: number, dueAt: Instant | null): Promise<void> => {
        assert.deepEqual(await store.compareAndSet(t, version, { ...emptyRecord(), dueAt }), { ok: true, version: version + 1 });
      };
      await put(c, 0, start + 60 * MINUTE);
      await put(a, 0, start + MINUTE);
      await put(b, 0, start + 5 * MINUTE);
      await put(idle, 0, null);
      assert.deepEqual(await store.due(clock.now(), 10), []);
      clock.advance('PT1M');
      assert.deepEqual(keys(await store.due(clock.now(), 10)), keys([a]), 'due at exactly `before`');
      clock.advance('PT10M');
      assert.deepEqual(keys(await store.due(clock.now(), 10)), keys([a, b]));
      assert.deepEqual(keys(await store.due(clock.now(), 1)), keys([a]), 'limit');
      assert.deepEqual(await store.due(clock.now(), 0), [], 'limit 0');
      await put(a, 1, start + 120 * MINUTE);
      assert.deepEqual(keys(await store.due(clock.now(), 10)), keys([b]), 'a moved later');
      clock.advance('P1D');
      assert.deepEqual(keys(await store.due(clock.now(), 10)), keys([b, c, a]), 'earliest first');
      await put(b, 1, null);
      assert.deepEqual(keys(await store.due(clock.now(), 10)), keys([c, a]), 'b cleared');
      assert.deepEqual(await store.due(start, 10), [], 'nothing before the start');
    }),
  },
  {
    name: 'due agrees with a model for generated due instants, before and limit',
    body: () => ctx.withStore(async (store) => {
      const base = new VirtualClock().now();
      const span = 10_000;
      const offset = fc.option(fc.integer({ min: 0, max: span }), { nil: null, freq: 4 });
      await fc.assert(fc.asyncProperty(
        fc.array(offset, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: -1, max: span + 1 }),
        fc.integer({ min: 0, max: 14 }),
        async (offsets, beforeOffset, limit) => {
          const threads = offsets.map(() => ctx.freshThread());
          const dueOf = new Map<string, Instant | null>();
          try {
            await Promise.all(threads.map(async (t, i) => {
              const dueAt = offsets[i] === null || offsets[i] === undefined ? null : base + offsets[i];
              dueOf.set(threadKey(t), dueAt);
              assert.equal((await store.compareAndSet(t, 0, { ...emptyRecord(), dueAt })).ok, true);
            }));
            const before = base + beforeOffset;
            const got = await store.due(before, limit);
            const expected = [...dueOf.values()].filter((d): d is number => d !== null && d <= before)
              .sort((x, y) => x - y).slice(0, limit);
            assert.equal(new Set(keys(got)).size, got.length, 'no thread twice');
            assert.deepEqual(got.map((t) => dueOf.get(threadKey(t))), expected);
          } finally {
            await Promise.all(threads.map((t) => store.compareAndSet(t, 1, { ...emptyRecord(), dueAt: null })));
          }
          assert.deepEqual(await store.due(base + span, 100), [], 'cleared threads leave the index');
        }), ctx.fcParams);
    }),
  },
];
