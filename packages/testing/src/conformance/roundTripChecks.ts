import type { PermissionRecord, PermissionStore } from '@callperm/core';
import { emptyRecord } from '@callperm/core';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ConformanceCase, ConformanceContext } from './ConformanceContext.js';
import { pageIdArb, psidArb } from '../arbitraries/metaIds.js';
import { permissionRecordArb } from './permissionRecordArb.js';

/** What a record reads back as: JSON-equal to what was written (plain objects, same values). */
const asStored = (record: PermissionRecord): unknown => JSON.parse(JSON.stringify(record));

/**
 * Reading and writing: a missing thread is `null`, and any generated record comes
 * back exactly as written, at version 1, then 2.
 *
 * @example
 * for (const c of roundTripChecks(ctx)) test(c.name, c.body);
 */
export const roundTripChecks = <S extends PermissionStore>(ctx: ConformanceContext<S>): ConformanceCase[] => [
  {
    name: 'get of a thread never written resolves to null',
    body: () => ctx.withStore(async (store) => {
      assert.equal(await store.get(ctx.freshThread()), null);
      const written = ctx.freshThread();
      assert.deepEqual(await store.compareAndSet(written, 0, emptyRecord()), { ok: true, version: 1 });
      assert.equal(await store.get({ pageId: written.pageId, psid: `${written.psid}0` }), null);
      assert.equal(await store.get({ pageId: `${written.pageId}0`, psid: written.psid }), null);
    }),
  },
  {
    name: 'generated records round-trip exactly, versions count writes from 1',
    body: () => ctx.withStore(async (store) => {
      let n = 0;
      await fc.assert(fc.asyncProperty(fc.record({ pageId: pageIdArb, psid: psidArb }), permissionRecordArb, permissionRecordArb,
        async (base, first, second) => {
          n += 1;
          const thread = { pageId: base.pageId, psid: `${base.psid}${n}` };
          assert.equal(await store.get(thread), null);
          assert.deepEqual(await store.compareAndSet(thread, 0, first), { ok: true, version: 1 });
          assert.deepStrictEqual(await store.get(thread), { version: 1, record: asStored(first) });
          assert.deepEqual(await store.compareAndSet(thread, 1, second), { ok: true, version: 2 });
          assert.deepStrictEqual(await store.get(thread), { version: 2, record: asStored(second) });
        }), ctx.fcParams);
    }),
  },
  {
    name: 'a record read back is a copy: changing it does not change the store',
    body: () => ctx.withStore(async (store) => {
      const thread = ctx.freshThread();
      await store.compareAndSet(thread, 0, { ...emptyRecord(), requests: [1, 2] });
      const read = await store.get(thread);
      assert.ok(read);
      (read.record.requests as number[]).push(3);
      assert.deepEqual((await store.get(thread))?.record.requests, [1, 2]);
    }),
  },
];
