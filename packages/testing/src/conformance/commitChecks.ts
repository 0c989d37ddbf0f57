import type { CommitResult, PermissionRecord, PermissionStore, Thread, ThreadCommit } from '@callperm/core';
import { emptyRecord } from '@callperm/core';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { VirtualClock } from '../VirtualClock.js';
import type { ConformanceCase, ConformanceContext } from './ConformanceContext.js';

const HOUR = 3_600_000;
const CONFLICT = { ok: false, reason: 'conflict' } as const;
const tagged = (tag: number, dueAt: number | null = null): PermissionRecord => ({ ...emptyRecord(), lastEventAt: tag, dueAt });

/** One step of the model run: a commit (at the right version or a wrong one), a plain remember, or time passing. */
type Op =
  | { readonly kind: 'commit'; readonly thread: number; readonly skew: -1 | 0 | 1; readonly write: boolean; readonly tag: number; readonly ids: readonly number[] }
  | { readonly kind: 'remember'; readonly id: number }
  | { readonly kind: 'advance'; readonly minutes: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({
    kind: fc.constant('commit' as const),
    thread: fc.nat({ max: 2 }),
    skew: fc.constantFrom<-1 | 0 | 1>(0, 0, 0, -1, 1),
    write: fc.boolean(),
    tag: fc.nat({ max: 1_000_000 }),
    ids: fc.array(fc.nat({ max: 7 }), { maxLength: 4 }),
  }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remember' as const), id: fc.nat({ max: 7 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), minutes: fc.integer({ min: 1, max: 180 }) }) },
);

/**
 * `commitThread`: compare-and-set and remember as one step. Written together or
 * not at all, `first` in order (an id twice in one call is first once), a null
 * record remembers without a version check, exactly one winner among concurrent
 * commits of one version, a shared id first once across concurrent commits of
 * different threads, the due index kept, and a model property over random runs
 * of commits, remembers and time passing.
 *
 * @example
 * for (const c of commitChecks(ctx)) test(c.name, c.body);
 */
export const commitChecks = <S extends PermissionStore>(ctx: ConformanceContext<S>): ConformanceCase[] => {
  let runs = 0; // each property run remembers ids of its own
  return [
    {
      name: 'commitThread writes the record and remembers its ids together; a conflict does neither',
      body: () => ctx.withStore(async (store) => {
        const clock = new VirtualClock();
        const thread = ctx.freshThread();
        const now = clock.now();
        const base = { thread, now, until: now + HOUR };
        assert.deepEqual(await store.commitThread({ ...base, expectedVersion: 1, record: tagged(1), eventIds: ['c1'] }), CONFLICT, 'version 1 of a missing thread');
        assert.equal(await store.get(thread), null);
        assert.deepEqual(await store.commitThread({ ...base, expectedVersion: 0, record: tagged(2), eventIds: ['c2', 'c3', 'c2'] }),
          { ok: true, version: 1, first: [true, true, false] });
        assert.deepEqual(await store.get(thread), { version: 1, record: tagged(2) });
        assert.deepEqual(await store.commitThread({ ...base, expectedVersion: 0, record: tagged(3), eventIds: ['c4'] }), CONFLICT, 'a stale version');
        assert.deepEqual(await store.commitThread({ ...base, expectedVersion: 2, record: tagged(3), eventIds: ['c4'] }), CONFLICT, 'a version from the future');
        assert.deepEqual(await store.get(thread), { version: 1, record: tagged(2) });
        // The conflicting commits remembered nothing; the written one remembered its ids.
        assert.equal(await store.remember('c1', now, now + HOUR), true);
        assert.equal(await store.remember('c4', now, now + HOUR), true);
        assert.equal(await store.remember('c2', now, now + HOUR), false);
        assert.equal(await store.remember('c3', now, now + HOUR), false);
        assert.deepEqual(await store.commitThread({ ...base, expectedVersion: 1, record: tagged(5), eventIds: ['c3', 'c5'] }),
          { ok: true, version: 2, first: [false, true] });
        assert.deepEqual(await store.commitThread({ ...base, expectedVersion: 2, record: tagged(6), eventIds: [] }), { ok: true, version: 3, first: [] });
        assert.deepEqual(await store.get(thread), { version: 3, record: tagged(6) });
      }),
    },
    {
      name: 'commitThread with no record remembers its ids whatever the version, and writes nothing',
      body: () => ctx.withStore(async (store) => {
        const now = new VirtualClock().now();
        const [stored, missing] = [ctx.freshThread(), ctx.freshThread()];
        assert.equal((await store.compareAndSet(stored, 0, tagged(1))).ok, true);
        assert.deepEqual(await store.commitThread({ thread: stored, expectedVersion: 1, record: null, eventIds: ['n1', 'n1'], now, until: now + HOUR }),
          { ok: true, version: 1, first: [true, false] });
        assert.deepEqual(await store.commitThread({ thread: stored, expectedVersion: 0, record: null, eventIds: ['n1', 'n2'], now, until: now + HOUR }),
          { ok: true, version: 0, first: [false, true] });
        assert.deepEqual(await store.commitThread({ thread: missing, expectedVersion: 0, record: null, eventIds: ['n3'], now, until: now + HOUR }),
          { ok: true, version: 0, first: [true] });
        assert.deepEqual(await store.get(stored), { version: 1, record: tagged(1) });
        assert.equal(await store.get(missing), null);
        assert.equal(await store.remember('n3', now, now + HOUR), false);
      }),
    },
    {
      name: 'commitThread keeps the due index like compareAndSet',
      body: () => ctx.withStore(async (store) => {
        const now = new VirtualClock().now();
        const [a, b] = [ctx.freshThread(), ctx.freshThread()];
        const base = { now, until: now + HOUR, eventIds: [] };
        assert.equal((await store.commitThread({ ...base, thread: a, expectedVersion: 0, record: tagged(1, now + 10) })).ok, true);
        assert.equal((await store.commitThread({ ...base, thread: b, expectedVersion: 0, record: tagged(1, now + 5) })).ok, true);
        assert.deepEqual(await store.due(now + 10, 10), [b, a]);
        assert.equal((await store.commitThread({ ...base, thread: b, expectedVersion: 1, record: tagged(2) })).ok, true);
        assert.equal((await store.commitThread({ ...base, thread: a, expectedVersion: 0, record: tagged(2) })).ok, false);
        assert.deepEqual(await store.due(now + 10, 10), [a]);
      }),
    },
    {
      name: 'concurrent commits of one version: exactly one wins, and only its ids are remembered',
      body: () => ctx.withStore(async (store) => {
        const now = new VirtualClock().now();
        const thread = ctx.freshThread();
        for (let version = 0; version < 3; version += 1) {
          const writers = Array.from({ length: ctx.concurrency }, (_, i) => 100 * version + i);
          const results = await Promise.all(writers.map((tag) => store.commitThread({
            thread, expectedVersion: version, record: tagged(tag), eventIds: [`w${tag}`, 'shared'], now, until: now + HOUR,
          })));
          const winners = results.flatMap((r, i) => (r.ok ? [i] : []));
          assert.equal(winners.length, 1, `one winner at version ${version}, got ${winners.length}`);
          const w = winners[0] ?? -1;
          assert.deepEqual(results[w], { ok: true, version: version + 1, first: [true, version === 0] });
          assert.deepEqual(await store.get(thread), { version: version + 1, record: tagged(writers[w] ?? -1) });
          for (const [i, tag] of writers.entries()) {
            assert.equal(await store.remember(`w${tag}`, now, now + HOUR), i !== w, `w${tag} remembered only by the winner`);
          }
        }
      }),
    },
    {
      name: 'concurrent commits of different threads sharing an event id: all written, the id first once',
      body: () => ctx.withStore(async (store) => {
        const now = new VirtualClock().now();
        const threads = Array.from({ length: ctx.concurrency }, () => ctx.freshThread());
        const results = await Promise.all(threads.map((thread, i) => store.commitThread({
          thread, expectedVersion: 0, record: tagged(i), eventIds: ['one-delivery', `own-${i}`], now, until: now + HOUR,
        })));
        const ok = results.filter((r): r is Extract<CommitResult, { ok: true }> => r.ok);
        assert.equal(ok.length, threads.length);
        assert.equal(ok.filter((r) => r.first[0] === true).length, 1, 'the shared id is first exactly once');
        assert.ok(ok.every((r) => r.first[1] === true));
        for (const [i, thread] of threads.entries()) assert.deepEqual(await store.get(thread), { version: 1, record: tagged(i) });
      }),
    },
    {
      name: 'commitThread, remember and time passing agree with a model, for any run',
      body: () => ctx.withStore((store) => fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
        const clock = new VirtualClock();
        const threads: Thread[] = [ctx.freshThread(), ctx.freshThread(), ctx.freshThread()];
        const model = { versions: [0, 0, 0], records: [null, null, null] as (PermissionRecord | null)[], seen: new Map<string, number>() };
        const first = (id: string, now: number, until: number): boolean => {
          const known = model.seen.get(id);
          if (known !== undefined && known > now) return false;
          model.seen.set(id, until);
          return true;
        };
        runs += 1;
        const run = `model-${runs}`;
        for (const op of ops) {
          const now = clock.now();
          const until = now + HOUR;
          if (op.kind === 'advance') {
            clock.advance(op.minutes * 60_000);
          } else if (op.kind === 'remember') {
            const id = `${run}:${op.id}`;
            assert.equal(await store.remember(id, now, until), first(id, now, until), `remember ${op.id}`);
          } else {
            const current = model.versions[op.thread] ?? 0;
            const expectedVersion = Math.max(0, current + op.skew);
            const commit: ThreadCommit = {
              thread: threads[op.thread]!, expectedVersion, record: op.write ? tagged(op.tag) : null,
              eventIds: op.ids.map((i) => `${run}:${i}`), now, until,
            };
            const got = await store.commitThread(commit);
            if (op.write && expectedVersion !== current) {
              assert.deepEqual(got, CONFLICT);
            } else {
              const version = op.write ? current + 1 : expectedVersion;
              if (op.write) {
                model.versions[op.thread] = version;
                model.records[op.thread] = tagged(op.tag);
              }
              assert.deepEqual(got, { ok: true, version, first: commit.eventIds.map((id) => first(id, now, until)) });
            }
          }
        }
        for (const [i, t] of threads.entries()) {
          const r = model.records[i];
          assert.deepEqual(await store.get(t), r === null || r === undefined ? null : { version: model.versions[i], record: r });
        }
      }), ctx.fcParams)),
    },
  ];
};
