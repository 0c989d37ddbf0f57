import type { CasResult, HistoryEntry, Instant, PermissionRecord, PermissionStore, Thread } from '@callperm/core';
import { emptyRecord, threadKey } from '@callperm/core';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { VirtualClock } from '../VirtualClock.js';
import type { ConformanceCase, ConformanceContext } from './ConformanceContext.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);
/** Every `due` read asks up to here: far past any `dueAt` written below. */
const LATER = T0 + 1000 * HOUR;
const CONFLICT = { ok: false, reason: 'conflict' } as const;
const GONE = { ok: true, version: 0 } as const;

/** A record told apart by `tag`, due at `dueAt`. */
const tagged = (tag: number, dueAt: Instant | null = null): PermissionRecord => ({ ...emptyRecord(), lastEventAt: tag, dueAt });
/** A plain history entry at `at`, told apart by `tag` (its event id). */
const entry = (at: Instant, tag: string): HistoryEntry => ({
  at, recordedAt: at, from: 'none', to: 'approved', event: 'REPLY_APPROVE',
  source: { kind: 'webhook', eventId: tag, optInMessageId: null }, expiresAt: null, provisional: false, reason: null,
});
const tags = (es: readonly HistoryEntry[]): string[] => es.map((e) => (e.source.kind === 'webhook' ? e.source.eventId : e.source.kind));

/** Whether `due` lists `thread` (among every thread of the store). */
const listed = async (store: PermissionStore, thread: Thread): Promise<boolean> =>
  (await store.due(LATER, 10_000)).some((t) => threadKey(t) === threadKey(thread));

/** Writes `thread` `times` times from nothing (versions 1..times), due at `dueAt`; resolves to the last record. */
const writeTimes = async (store: PermissionStore, thread: Thread, times: number, dueAt: Instant | null): Promise<PermissionRecord> => {
  let record = emptyRecord();
  for (let v = 0; v < times; v += 1) {
    record = tagged(v + 1, dueAt);
    assert.deepEqual(await store.compareAndSet(thread, v, record), { ok: true, version: v + 1 });
  }
  return record;
};

/** Retires whatever `thread` holds now, so later runs' `due` reads see none of it. */
const clear = async (store: PermissionStore, thread: Thread): Promise<void> => {
  const stored = await store.get(thread);
  if (stored !== null) assert.deepEqual(await store.retire(thread, stored.version), GONE);
};

/** One racing call: a commit (record `tag`, due or not) or a retire, at an expected version, after `turns` event-loop turns. */
interface RaceOp {
  readonly kind: 'commit' | 'retire';
  readonly expected: number;
  readonly due: boolean;
  readonly turns: number;
}

/** A thread as a sequential store holds it: version 0 and no record when there is no row. */
interface Held {
  readonly version: number;
  readonly tag: number | null;
  readonly due: boolean;
}

/** Whether one op, run alone on `held`, answers `got` (then the state after it), or not (null). */
const stepOf = (op: RaceOp, tag: number, got: CasResult, held: Held): Held | null => {
  const fits = held.version === op.expected;
  if (op.kind === 'retire') {
    if (!fits) return got.ok ? null : held;
    return got.ok && got.version === 0 ? { version: 0, tag: null, due: false } : null;
  }
  if (!fits) return got.ok ? null : held;
  return got.ok && got.version === held.version + 1 ? { version: held.version + 1, tag, due: op.due } : null;
};

/**
 * Whether some order of the ops, run one after another from `start`, answers
 * exactly `results` and ends at `end` (a depth-first search: there are few ops).
 */
const sequentialOrderExists = (ops: readonly RaceOp[], results: readonly CasResult[], start: Held, end: Held): boolean => {
  const used = ops.map(() => false);
  const search = (held: Held, left: number): boolean => {
    if (left === 0) return held.version === end.version && held.tag === end.tag && held.due === end.due;
    for (const [i, op] of ops.entries()) {
      if (used[i] === true) continue;
      const next = stepOf(op, raceTag(i), results[i]!, held);
      if (next === null) continue;
      used[i] = true;
      const found = search(next, left - 1);
      used[i] = false;
      if (found) return true;
    }
    return false;
  };
  return search(start, ops.length);
};

/** The tag of the `i`th racing commit's record: apart from the tags `writeTimes` gives (1, 2, ...). */
const raceTag = (i: number): number => 1000 + i;

const afterTurns = async (turns: number): Promise<void> => {
  for (let i = 0; i < turns; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
};

/**
 * `retire`, the versioned delete of a thread's row: at the current version the
 * row and its due-index entry go and the thread starts again at version 1; at
 * any other version it is a conflict that changes nothing; an absent thread is
 * retired at version 0 only; the history and remembered event ids stay; a row
 * that no longer decodes can be retired at its stored version; and racing
 * commits and retires of one thread answer as some one-after-another order
 * would (so a commit and a retire at one version never both win, and without
 * writes at version 0, at most one call per version wins).
 *
 * @example
 * for (const c of retireChecks(ctx)) test(c.name, c.body);
 */
export const retireChecks = <S extends PermissionStore>(ctx: ConformanceContext<S>): ConformanceCase[] => {
  let runs = 0; // each property run remembers ids of its own
  return [
    {
      name: 'retire at the current version removes the row and its due entry; the thread starts again at version 1',
      body: () => ctx.withStore((store) => fc.assert(fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: HOUR }), fc.option(fc.integer({ min: 0, max: HOUR }), { nil: null }),
        async (times, dueOffset, againOffset) => {
          const [thread, neighbour] = [ctx.freshThread(), ctx.freshThread()];
          await writeTimes(store, thread, times, T0 + dueOffset);
          const kept = await writeTimes(store, neighbour, 1, T0 + dueOffset);
          assert.equal(await listed(store, thread), true);
          assert.deepEqual(await store.retire(thread, times), GONE);
          assert.equal(await store.get(thread), null);
          assert.equal(await listed(store, thread), false, 'due no longer lists a retired thread');
          assert.equal(await listed(store, neighbour), true, 'the neighbour stays listed');
          assert.deepEqual(await store.get(neighbour), { version: 1, record: kept });
          assert.deepEqual(await store.retire(thread, times), CONFLICT, 'retired already');
          assert.deepEqual(await store.compareAndSet(thread, times, tagged(90)), CONFLICT, 'the old version is gone too');
          const again = tagged(91, againOffset === null ? null : T0 + againOffset);
          assert.deepEqual(await store.compareAndSet(thread, 0, again), { ok: true, version: 1 });
          assert.deepEqual(await store.get(thread), { version: 1, record: again });
          assert.equal(await listed(store, thread), againOffset !== null, 'the new row is indexed by its own dueAt');
          assert.deepEqual(await store.compareAndSet(thread, 1, tagged(92, T0)), { ok: true, version: 2 });
          assert.equal(await listed(store, thread), true, 'a later write of the new row is indexed too');
          assert.deepEqual(await store.retire(thread, 2), GONE);
          assert.equal(await listed(store, thread), false);
          await clear(store, neighbour);
        }), ctx.fcParams)),
    },
    {
      name: 'retire at a stale or future version is a conflict and changes nothing: record, version, due entry',
      body: () => ctx.withStore((store) => fc.assert(fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }), fc.integer({ min: -4, max: 2 }).filter((skew) => skew !== 0), fc.boolean(),
        async (times, skew, due) => {
          const thread = ctx.freshThread();
          const record = await writeTimes(store, thread, times, due ? T0 : null);
          const stale = Math.max(0, times + skew);
          assert.deepEqual(await store.retire(thread, stale), CONFLICT, `retire at ${stale} of a row at ${times}`);
          assert.deepEqual(await store.get(thread), { version: times, record });
          assert.equal(await listed(store, thread), due, 'the due entry is untouched');
          assert.deepEqual(await store.compareAndSet(thread, times, tagged(99, due ? T0 : null)), { ok: true, version: times + 1 }, 'the version goes on');
          await clear(store, thread);
        }), ctx.fcParams)),
    },
    {
      name: 'retire of an absent thread: version 0 is ok (nothing to delete), any other version a conflict',
      body: () => ctx.withStore((store) => fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), async (version) => {
        const thread = ctx.freshThread();
        assert.deepEqual(await store.retire(thread, 0), GONE);
        assert.deepEqual(await store.retire(thread, version), CONFLICT);
        assert.equal(await store.get(thread), null);
        assert.deepEqual(await store.compareAndSet(thread, 0, tagged(1)), { ok: true, version: 1 });
        assert.deepEqual(await store.retire(thread, 0), CONFLICT, 'version 0 of a thread that has a row');
        assert.deepEqual(await store.retire(thread, 1), GONE);
        assert.deepEqual(await store.retire(thread, 0), GONE, 'absent again');
      }), ctx.fcParams)),
    },
    {
      name: 'retire keeps the consent history and the remembered event ids, through a new row too',
      body: () => ctx.withStore((store) => fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 3 }), async (times) => {
        runs += 1;
        const id = (n: number): string => `retire-${runs}:${n}`;
        const clock = new VirtualClock(T0);
        const thread = ctx.freshThread();
        const at = (n: number): Instant => T0 + n * 60_000;
        for (let v = 0; v < times; v += 1) {
          const got = await store.commitThread({
            thread, expectedVersion: v, record: tagged(v + 1), eventIds: [id(v)], now: clock.now(), until: clock.now() + HOUR,
            history: [entry(at(2 * v), `old-${v}a`), entry(at(2 * v + 1), `old-${v}b`)],
          });
          assert.deepEqual(got, { ok: true, version: v + 1, first: [true] });
        }
        const before = await store.history(thread);
        assert.equal(before.length, 2 * times);
        assert.deepEqual(await store.retire(thread, times), GONE);
        assert.deepEqual(await store.history(thread), before, 'history unchanged by the retire');
        assert.equal(await store.remember(id(0), clock.now(), clock.now() + HOUR), false, 'a remembered id still dedupes');
        const again = await store.commitThread({
          thread, expectedVersion: 0, record: tagged(50), eventIds: [id(times - 1), id(100)], now: clock.now(), until: clock.now() + HOUR,
          history: [entry(at(100), 'new-a'), entry(at(101), 'new-b')],
        });
        assert.deepEqual(again, { ok: true, version: 1, first: [false, true] });
        assert.deepEqual(tags(await store.history(thread)), ['new-b', 'new-a', ...tags(before)], 'the new row\'s entries join the old ones, which stay');
        await clear(store, thread);
      }), ctx.fcParams)),
    },
    {
      name: 'retire removes a row that no longer decodes, at the version its CorruptRecordError names',
      body: () => ctx.withStore(async (store) => {
        const thread = ctx.freshThread();
        await writeTimes(store, thread, 2, T0);
        await ctx.options.corrupt(store, thread, '{"schema":1,"state":"appro');
        const version = await store.get(thread).then(() => assert.fail('a corrupted row reads'), (e: unknown) => (e as { version?: unknown }).version);
        assert.ok(typeof version === 'number', 'the error names the stored version');
        assert.deepEqual(await store.retire(thread, version + 1), CONFLICT);
        assert.deepEqual(await store.retire(thread, version), GONE);
        assert.equal(await store.get(thread), null);
        assert.equal(await listed(store, thread), false);
      }),
    },
    {
      name: 'racing commits and retires of one thread answer as some one-after-another order would, due index included',
      body: () => ctx.withStore((store) => fc.assert(fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.record({
          kind: fc.constantFrom<RaceOp['kind']>('commit', 'commit', 'retire'),
          expected: fc.integer({ min: -1, max: 1 }),
          due: fc.boolean(),
          turns: fc.nat({ max: 3 }),
        }), { minLength: 2, maxLength: Math.min(6, ctx.concurrency) }),
        async (start, drafts) => {
          const thread = ctx.freshThread();
          await writeTimes(store, thread, start, T0);
          // Expected versions around the start: the one before it, it, the next; -1 stands for 0 (a new row after a retire).
          const ops: RaceOp[] = drafts.map((d) => ({ ...d, expected: d.expected === -1 ? 0 : start + d.expected }));
          const results = await Promise.all(ops.map(async (op, i): Promise<CasResult> => {
            await afterTurns(op.turns);
            if (op.kind === 'retire') return store.retire(thread, op.expected);
            const r = await store.commitThread({
              thread, expectedVersion: op.expected, record: tagged(raceTag(i), op.due ? T0 : null), eventIds: [], now: T0, until: T0,
            });
            return r.ok ? { ok: true, version: r.version } : r;
          }));
          const stored = await store.get(thread);
          const isDue = await listed(store, thread);
          const end: Held = { version: stored?.version ?? 0, tag: stored?.record.lastEventAt ?? null, due: isDue };
          if (stored !== null) assert.equal(isDue, stored.record.dueAt !== null, 'due lists the thread exactly when its row is due');
          else assert.equal(isDue, false, 'due never lists a thread without a row');
          assert.ok(sequentialOrderExists(ops, results, { version: start, tag: start, due: true }, end),
            `no one-after-another order answers ${JSON.stringify(results)} for ${JSON.stringify(ops)} and ends at ${JSON.stringify(end)}`);
          if (ops.every((op) => op.expected > 0)) {
            for (const v of new Set(ops.map((op) => op.expected))) {
              const won = ops.filter((op, i) => op.expected === v && results[i]?.ok === true).length;
              assert.ok(won <= 1, `${won} calls won at version ${v}`);
            }
          }
          await clear(store, thread);
        }), ctx.fcParams)),
    },
  ];
};
