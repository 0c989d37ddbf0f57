import type { DocKind, Instant, PermissionStore } from '@callperm/core';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VirtualClock } from '../VirtualClock.js';
import type { ConformanceCase, ConformanceContext } from './ConformanceContext.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The documents' due index and expiry: `dueDocs(kind, before, limit)` lists keys
 * of one kind whose `dueAt` is at or before `before`, earliest first, at most
 * `limit`, and follows every write and delete; a document whose `expiresAt` has
 * passed is gone once writers of its kind pass a later `now` (a day later here,
 * past any prune interval), and not before its `expiresAt`. Time is a virtual
 * clock: a store must use the instants passed, not its own.
 *
 * @example
 * for (const c of docDueChecks(ctx)) test(c.name, c.body);
 */
export const docDueChecks = <S extends PermissionStore>(ctx: ConformanceContext<S>): ConformanceCase[] => [
  {
    name: 'dueDocs follows the virtual clock: order, limit, before, kinds apart, moved, cleared and deleted entries',
    body: () => ctx.withStore(async (store) => {
      const clock = new VirtualClock();
      const start = clock.now();
      const put = async (kind: DocKind, key: string, version: number, dueAt: Instant | null): Promise<void> => {
        const r = await store.putDoc(kind, key, version, `{"key":${JSON.stringify(key)}}`, { now: clock.now(), dueAt, expiresAt: null });
        assert.deepEqual(r, { ok: true, version: version + 1 });
      };
      await put('inbox', 'c', 0, start + 60 * MINUTE);
      await put('inbox', 'a', 0, start + MINUTE);
      await put('inbox', 'b', 0, start + 5 * MINUTE);
      await put('inbox', 'idle', 0, null);
      await put('call', 'a', 0, start);
      assert.deepEqual(await store.dueDocs('inbox', clock.now(), 10), [], 'the other kind is due, not this one');
      assert.deepEqual(await store.dueDocs('call', clock.now(), 10), ['a']);
      clock.advance('PT1M');
      assert.deepEqual(await store.dueDocs('inbox', clock.now(), 10), ['a'], 'due at exactly `before`');
      clock.advance('PT10M');
      assert.deepEqual(await store.dueDocs('inbox', clock.now(), 10), ['a', 'b']);
      assert.deepEqual(await store.dueDocs('inbox', clock.now(), 1), ['a'], 'limit');
      assert.deepEqual(await store.dueDocs('inbox', clock.now(), 0), [], 'limit 0');
      await put('inbox', 'a', 1, start + 120 * MINUTE);
      assert.deepEqual(await store.dueDocs('inbox', clock.now(), 10), ['b'], 'a moved later');
      clock.advance('P1D');
      assert.deepEqual(await store.dueDocs('inbox', clock.now(), 10), ['b', 'c', 'a'], 'earliest first');
      await put('inbox', 'b', 1, null);
      assert.deepEqual(await store.dueDocs('inbox', clock.now(), 10), ['c', 'a'], 'b cleared');
      assert.deepEqual(await store.deleteDoc('inbox', 'c', 1), { ok: true, version: 0 });
      assert.deepEqual(await store.dueDocs('inbox', clock.now(), 10), ['a'], 'c deleted');
      assert.deepEqual(await store.dueDocs('inbox', start - 1, 10), [], 'nothing before the start');
      assert.deepEqual(await store.due(clock.now(), 10), [], 'due lists threads, never documents');
    }),
  },
  {
    name: 'dueDocs agrees with a model for generated due instants, before and limit',
    body: () => ctx.withStore(async (store) => {
      const base = new VirtualClock().now();
      const span = 10_000;
      const offset = fc.option(fc.integer({ min: 0, max: span }), { nil: null, freq: 4 });
      let n = 0;
      await fc.assert(fc.asyncProperty(
        fc.array(offset, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: -1, max: span + 1 }),
        fc.integer({ min: 0, max: 14 }),
        async (offsets, beforeOffset, limit) => {
          const keys = offsets.map(() => `m${(n += 1)}`);
          const dueOf = new Map<string, Instant | null>();
          try {
            await Promise.all(keys.map(async (key, i) => {
              const o = offsets[i];
              const dueAt = o === null || o === undefined ? null : base + o;
              dueOf.set(key, dueAt);
              assert.equal((await store.putDoc('call', key, 0, '{}', { now: base, dueAt, expiresAt: null })).ok, true);
            }));
            const before = base + beforeOffset;
            const got = await store.dueDocs('call', before, limit);
            const expected = [...dueOf.values()].filter((d): d is number => d !== null && d <= before)
              .sort((x, y) => x - y).slice(0, limit);
            assert.equal(new Set(got).size, got.length, 'no key twice');
            assert.deepEqual(got.map((k) => dueOf.get(k)), expected);
          } finally {
            await Promise.all(keys.map((key) => store.deleteDoc('call', key, 1)));
          }
          assert.deepEqual(await store.dueDocs('call', base + span, 100), [], 'deleted documents leave the index');
        }), ctx.fcParams);
    }),
  },
  {
    name: 'expired documents are gone once writers pass a later instant, and kept until their expiry',
    body: () => ctx.withStore(async (store) => {
      const clock = new VirtualClock();
      const t0 = clock.now();
      const write = async (kind: DocKind, key: string, version: number, expiresAt: Instant | null, dueAt: Instant | null = null) => {
        const r = await store.putDoc(kind, key, version, `"${key}"`, { now: clock.now(), dueAt, expiresAt });
        assert.deepEqual(r, { ok: true, version: version + 1 }, key);
      };
      await write('call', 'short', 0, t0 + HOUR, t0 + 10 * MINUTE);
      await write('call', 'forever', 0, null);
      await write('call', 'long', 0, t0 + 10 * DAY);
      await write('call', 'extended', 0, t0 + HOUR);
      await write('call', 'unexpired', 0, t0 + HOUR);
      await write('inbox', 'short', 0, t0 + HOUR);
      clock.advance('PT30M');
      await write('call', 'extended', 1, t0 + 3 * DAY);
      await write('call', 'unexpired', 1, null);
      clock.set(t0 + HOUR - 1);
      await write('call', 'tick-1', 0, null);
      await write('inbox', 'tick-1', 0, null);
      for (const kind of ['call', 'inbox'] as const) {
        assert.deepEqual(await store.getDoc(kind, 'short'), { version: 1, value: '"short"', dueAt: kind === 'call' ? t0 + 10 * MINUTE : null },
          `${kind} short is kept until its expiry`);
      }
      clock.set(t0 + HOUR + DAY);
      await write('call', 'tick-2', 0, null);
      await write('inbox', 'tick-2', 0, null);
      for (const kind of ['call', 'inbox'] as const) assert.equal(await store.getDoc(kind, 'short'), null, `${kind} short expired`);
      assert.deepEqual(await store.dueDocs('call', clock.now(), 10), [], 'an expired document leaves the due index');
      for (const [key, version] of [['forever', 1], ['long', 1], ['extended', 2], ['unexpired', 2], ['tick-1', 1]] as const) {
        assert.equal((await store.getDoc('call', key))?.version, version, `${key} is kept`);
      }
      assert.deepEqual(await store.putDoc('call', 'short', 0, '"again"', { now: clock.now(), dueAt: null, expiresAt: null }), { ok: true, version: 1 });
    }),
  },
];
