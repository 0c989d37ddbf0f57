import { emptyRecord, type HistoryEntry, type PermissionRecord, type PermissionStore, type Thread } from '@callperm/core';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { VirtualClock } from '../VirtualClock.js';
import type { ConformanceCase, ConformanceContext } from './ConformanceContext.js';
import { historyEntryArb } from './historyEntryArb.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);
const tagged = (tag: number): PermissionRecord => ({ ...emptyRecord(), lastEventAt: tag });
/** A plain entry at `at`, told apart by `tag` (its event id). */
const entry = (at: number, tag: string): HistoryEntry => ({
  at, recordedAt: at, from: 'none', to: 'approved', event: 'REPLY_APPROVE',
  source: { kind: 'webhook', eventId: tag, optInMessageId: null }, expiresAt: at + 7 * 24 * HOUR, provisional: false, reason: null,
});
const tags = (es: readonly HistoryEntry[]): string[] => es.map((e) => (e.source.kind === 'webhook' ? e.source.eventId : e.source.kind));
/** Newest first: by `at`, then commit order (later commits, then later entries of one commit, first). */
const newestFirst = (es: readonly { e: HistoryEntry; order: number }[]): HistoryEntry[] =>
  [...es].sort((a, b) => b.e.at - a.e.at || b.order - a.order).map((x) => x.e);
const asStored = (es: readonly HistoryEntry[]): unknown => JSON.parse(JSON.stringify(es));

/**
 * The consent history: entries appended with their record write and only with
 * it, read newest first (by `at`, then commit order) with `before` and `limit`,
 * kept per thread, dropped after the retention, and a model property over random
 * commits at right and wrong versions.
 *
 * @example
 * for (const c of historyChecks(ctx)) test(c.name, c.body);
 */
export const historyChecks = <S extends PermissionStore>(ctx: ConformanceContext<S>): ConformanceCase[] => [
  {
    name: 'history: entries land with their record write, newest first, ties in commit order; a conflict or a null record appends nothing',
    body: () => ctx.withStore(async (store) => {
      const thread = ctx.freshThread();
      const base = { thread, now: T0, until: T0 + HOUR, eventIds: [] };
      assert.deepEqual(await store.history(thread), []);
      assert.equal((await store.commitThread({ ...base, expectedVersion: 0, record: tagged(1), history: [entry(T0 + 10, 'a'), entry(T0 + 30, 'b')] })).ok, true);
      assert.equal((await store.commitThread({ ...base, expectedVersion: 0, record: tagged(2), history: [entry(T0 + 99, 'lost')] })).ok, false);
      assert.equal((await store.commitThread({ ...base, expectedVersion: 1, record: null, eventIds: ['x'], history: [entry(T0 + 98, 'none')] })).ok, true);
      assert.equal((await store.commitThread({ ...base, expectedVersion: 1, record: tagged(3), history: [entry(T0 + 30, 'c'), entry(T0 + 20, 'd'), entry(T0 + 30, 'e')] })).ok, true);
      assert.equal((await store.compareAndSet(thread, 2, tagged(4))).ok, true);
      assert.deepEqual(tags(await store.history(thread)), ['e', 'c', 'b', 'd', 'a']);
      assert.deepEqual(tags(await store.history(thread, { limit: 2 })), ['e', 'c']);
      assert.deepEqual(tags(await store.history(thread, { before: T0 + 30 })), ['d', 'a']);
      assert.deepEqual(tags(await store.history(thread, { before: T0 + 30, limit: 1 })), ['d']);
      assert.deepEqual(await store.history(thread, { limit: 0 }), []);
    }),
  },
  {
    name: 'history: entries round-trip exactly, whatever they hold, and stay with their own thread',
    body: () => ctx.withStore(async (store) => {
      let n = 0;
      await fc.assert(fc.asyncProperty(fc.array(historyEntryArb(), { minLength: 1, maxLength: 4 }), async (entries) => {
        n += 1;
        // Ids whose concatenations collide: a store keying threads by page + psid alone would mix them.
        const [left, right]: [Thread, Thread] = [{ pageId: `${n}1`, psid: '23' }, { pageId: `${n}12`, psid: '3' }];
        assert.equal((await store.commitThread({ thread: left, expectedVersion: 0, record: tagged(n), eventIds: [], now: T0, until: T0, history: entries })).ok, true);
        const read = await store.history(left, { limit: 10 });
        assert.deepStrictEqual(read, asStored(newestFirst(entries.map((e, order) => ({ e, order })))));
        assert.deepEqual(await store.history(right), []);
      }), ctx.fcParams);
    }),
  },
  {
    name: 'history: entries older than the retention are dropped once callers\' time moves on',
    body: () => ctx.withStore(async (store) => {
      const clock = new VirtualClock(T0);
      const thread = ctx.freshThread();
      const commit = (version: number, history: HistoryEntry[], historyBefore?: number) => store.commitThread({
        thread, expectedVersion: version, record: tagged(version), eventIds: [], now: clock.now(), until: clock.now(),
        history, ...(historyBefore === undefined ? {} : { historyBefore }),
      });
      assert.equal((await commit(0, [entry(T0 - 3 * HOUR, 'old'), entry(T0 - HOUR, 'mid'), entry(T0, 'new')])).ok, true);
      clock.advance('PT2H');
      // Keep what happened from 30 minutes before T0 on: 'old' and 'mid' fall out, 'new' stays.
      assert.equal((await commit(1, [entry(clock.now(), 'later')], clock.now() - 90 * 60_000 - HOUR)).ok, true);
      clock.advance('PT2M');
      assert.equal((await commit(2, [], clock.now() - 90 * 60_000 - HOUR)).ok, true);
      assert.deepEqual(tags(await store.history(thread)), ['later', 'new']);
    }),
  },
  {
    name: 'history: of concurrent commits of one version, only the winner\'s entries are kept',
    body: () => ctx.withStore(async (store) => {
      const thread = ctx.freshThread();
      const results = await Promise.all(Array.from({ length: ctx.concurrency }, (_, i) => store.commitThread({
        thread, expectedVersion: 0, record: tagged(i), eventIds: [], now: T0, until: T0, history: [entry(T0 + i, `w${i}`), entry(T0, `w${i}b`)],
      })));
      const winners = results.flatMap((r, i) => (r.ok ? [i] : []));
      assert.equal(winners.length, 1);
      const w = winners[0]!;
      // The winner's two entries: at T0 + w and T0 (at T0 both, the later one of the commit first).
      assert.deepEqual(tags(await store.history(thread)), w === 0 ? ['w0b', 'w0'] : [`w${w}`, `w${w}b`]);
    }),
  },
  {
    name: 'history: a model property over random commits at right and wrong versions',
    body: () => ctx.withStore(async (store) => {
      let run = 0;
      const step = fc.record({ skew: fc.constantFrom(0, 0, 0, -1, 1), entries: fc.array(historyEntryArb(fc.integer({ min: T0, max: T0 + 20 })), { maxLength: 3 }) });
      await fc.assert(fc.asyncProperty(fc.array(step, { maxLength: 8 }), fc.integer({ min: 1, max: 12 }), async (steps, limit) => {
        run += 1;
        const thread: Thread = { pageId: `9${run}`, psid: `${run}9` };
        let version = 0;
        const model: { e: HistoryEntry; order: number }[] = [];
        for (const s of steps) {
          const expected = Math.max(0, version + s.skew);
          const r = await store.commitThread({ thread, expectedVersion: expected, record: tagged(version), eventIds: [], now: T0, until: T0, history: s.entries });
          assert.equal(r.ok, expected === version);
          if (!r.ok) continue;
          version += 1;
          s.entries.forEach((e, i) => model.push({ e, order: version * 100 + i }));
        }
        assert.deepStrictEqual(await store.history(thread, { limit }), asStored(newestFirst(model).slice(0, limit)));
      }), ctx.fcParams);
    }),
  },
];
