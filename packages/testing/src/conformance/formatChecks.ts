import { CorruptRecordError, emptyRecord, RECORD_SCHEMA, type PermissionStore, type Thread } from '@callperm/core';
import assert from 'node:assert/strict';
import type { ConformanceCase, ConformanceContext } from './ConformanceContext.js';

const T0 = Date.UTC(2026, 0, 1);
/** A record as release 0.1.0 wrote it as JSON (format 1): the fields of today, `schema: 1`. */
const formatOne = { ...emptyRecord(), schema: 1, state: 'approved', expiresAt: T0 + 7 * 86_400_000, lastEventAt: T0, evidence: { at: T0, rank: 3, weight: T0 + 7 * 86_400_000 } };

const corruptAt = async (store: PermissionStore, thread: Thread): Promise<CorruptRecordError> => {
  const e: unknown = await store.get(thread).then(() => null, (x: unknown) => x);
  assert.ok(e instanceof CorruptRecordError, 'rejects with CorruptRecordError');
  return e;
};

/**
 * Stored formats and recovery: a record stored in an older format reads as the
 * newest (upgraded on read) and is rewritten in the newest on the next write; a
 * record of a format newer than this release is refused with the format it
 * claims; a corrupt row names its stored version, and `reset` at that version
 * (only at that version) replaces it with an empty record and a `RESET` history
 * entry, leaving every other thread as it was.
 *
 * @example
 * for (const c of formatChecks(ctx)) test(c.name, c.body);
 */
export const formatChecks = <S extends PermissionStore>(ctx: ConformanceContext<S>): ConformanceCase[] => [
  {
    name: 'a record stored in format 1 (release 0.1.0) reads as the newest format, and the next write stores the newest',
    body: () => ctx.withStore(async (store) => {
      const thread = ctx.freshThread();
      assert.equal((await store.compareAndSet(thread, 0, emptyRecord())).ok, true);
      await ctx.options.corrupt(store, thread, JSON.stringify(formatOne));
      const read = await store.get(thread);
      assert.ok(read !== null);
      assert.deepEqual(read.record, { ...formatOne, schema: RECORD_SCHEMA });
      assert.deepEqual(await store.compareAndSet(thread, read.version, read.record), { ok: true, version: read.version + 1 });
      assert.deepEqual(await store.get(thread), { version: read.version + 1, record: { ...formatOne, schema: RECORD_SCHEMA } });
    }),
  },
  {
    name: 'a record of a format newer than this release is refused, naming the format and the stored version',
    body: () => ctx.withStore(async (store) => {
      const thread = ctx.freshThread();
      assert.equal((await store.compareAndSet(thread, 0, emptyRecord())).ok, true);
      await ctx.options.corrupt(store, thread, JSON.stringify({ ...emptyRecord(), schema: RECORD_SCHEMA + 7 }));
      const e = await corruptAt(store, thread);
      assert.equal(e.format, RECORD_SCHEMA + 7);
      assert.ok(e.version !== null && e.version >= 1);
    }),
  },
  {
    name: 'reset replaces a corrupt row at its stored version only, with an empty record and a RESET history entry; other threads keep theirs',
    body: () => ctx.withStore(async (store) => {
      const [broken, healthy] = [ctx.freshThread(), ctx.freshThread()];
      const kept = { ...emptyRecord(), lastInboundAt: T0 };
      assert.equal((await store.compareAndSet(broken, 0, emptyRecord())).ok, true);
      assert.equal((await store.compareAndSet(healthy, 0, kept)).ok, true);
      await ctx.options.corrupt(store, broken, '{"schema":2,"state":"appro');
      const e = await corruptAt(store, broken);
      assert.ok(e.version !== null);
      assert.deepEqual(await store.reset(broken, e.version + 1, T0), { ok: false, reason: 'conflict' });
      assert.deepEqual(await store.reset(broken, e.version - 1, T0), { ok: false, reason: 'conflict' });
      await corruptAt(store, broken);
      assert.deepEqual(await store.reset(broken, e.version, T0), { ok: true, version: e.version + 1 });
      assert.deepEqual(await store.get(broken), { version: e.version + 1, record: emptyRecord() });
      const [last] = await store.history(broken, { limit: 1 });
      assert.equal(last?.event, 'RESET');
      assert.equal(last.from, null);
      assert.equal(last.at, T0);
      assert.deepEqual(await store.get(healthy), { version: 1, record: kept });
    }),
  },
];
