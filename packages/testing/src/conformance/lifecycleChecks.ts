import type { PermissionStore, Thread } from '@callperm/core';
import { emptyRecord } from '@callperm/core';
import assert from 'node:assert/strict';
import type { ConformanceCase, ConformanceContext } from './ConformanceContext.js';

/** A corrupted-record rejection: the `corrupt_record` code and the thread it names. */
const isCorruptRecord = (thread: Thread) => (e: unknown): boolean => {
  assert.ok(e instanceof Error, 'rejects with an Error');
  assert.equal((e as { code?: unknown }).code, 'corrupt_record');
  const version = (e as { version?: unknown }).version;
  assert.ok(typeof version === 'number' && Number.isSafeInteger(version) && version >= 1, 'names the stored version');
  assert.deepEqual({ ...(e as unknown as { thread: Thread }).thread }, { pageId: thread.pageId, psid: thread.psid });
  return true;
};

/**
 * Corrupted data and closing: a stored record that does not decode rejects with
 * `CorruptRecordError` naming the thread while the rest of the store keeps
 * working; `close()` resolves (twice, too) and a closed store rejects.
 *
 * @example
 * for (const c of lifecycleChecks(ctx)) test(c.name, c.body);
 */
export const lifecycleChecks = <S extends PermissionStore>(ctx: ConformanceContext<S>): ConformanceCase[] => [
  {
    name: 'a corrupted record rejects with CorruptRecordError naming the thread; other threads still work',
    body: () => ctx.withStore(async (store) => {
      const [broken, mangled, healthy] = [ctx.freshThread(), ctx.freshThread(), ctx.freshThread()];
      for (const t of [broken, mangled, healthy]) assert.equal((await store.compareAndSet(t, 0, emptyRecord())).ok, true);
      await ctx.options.corrupt(store, broken, '{"schema":1,"state":"appro');
      await ctx.options.corrupt(store, mangled, JSON.stringify({ ...emptyRecord(), state: 'granted', requests: 'two' }));
      await assert.rejects(store.get(broken), isCorruptRecord(broken));
      await assert.rejects(store.get(mangled), isCorruptRecord(mangled));
      assert.deepEqual(await store.get(healthy), { version: 1, record: emptyRecord() });
      assert.deepEqual(await store.compareAndSet(healthy, 1, emptyRecord()), { ok: true, version: 2 });
      assert.equal(await store.remember('after-corruption', 0, 1000), true);
      assert.deepEqual(await store.due(Number.MAX_SAFE_INTEGER, 10), []);
    }),
  },
  {
    name: 'close resolves, twice too, and a closed store rejects',
    body: () => ctx.withStore(async (store) => {
      const thread = ctx.freshThread();
      await store.compareAndSet(thread, 0, emptyRecord());
      await store.close();
      await store.close();
      await assert.rejects(async () => store.get(thread));
      await assert.rejects(async () => store.compareAndSet(thread, 1, emptyRecord()));
      await assert.rejects(async () => store.remember('late', 0, 1000));
      await assert.rejects(async () => store.commitThread({ thread, expectedVersion: 1, record: emptyRecord(), eventIds: ['late'], now: 0, until: 1000 }));
      await assert.rejects(async () => store.due(0, 10));
      await assert.rejects(async () => store.history(thread));
      await assert.rejects(async () => store.reset(thread, 1, 0));
      await assert.rejects(async () => store.retire(thread, 1));
      await assert.rejects(async () => store.getDoc('inbox', 'late'));
    }),
  },
];
