import type { DocKind, DocWrite, PermissionStore } from '@callperm/core';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VirtualClock } from '../VirtualClock.js';
import type { ConformanceCase, ConformanceContext } from './ConformanceContext.js';

const CONFLICT = { ok: false, reason: 'conflict' };
const GONE = { ok: true, version: 0 };

/** A write with no due instant and no expiry, at `now`. */
const plain = (now: number): DocWrite => ({ now, dueAt: null, expiresAt: null });

/** Any JSON text a caller may store: nested values, any well-formed Unicode in strings (JSON escapes the rest). */
const jsonTextArb = fc.jsonValue({ maxDepth: 3, stringUnit: 'grapheme' }).map((v) => JSON.stringify(v) ?? 'null');
/** Keys a caller may use: non-empty well-formed Unicode without NUL, separators and braces included. */
const keyArb = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter((k) => !k.includes('\u0000')),
  fc.constantFrom(':', '{x}', '}{', 'due', 'exp', 'd:x', ' a b ', '4:1234:c_1', 'é\u{1F600}'),
);
const kindArb = fc.constantFrom<DocKind>('call', 'inbox', 'inbox_aside', 'followup', 'page', 'page_status');

/**
 * Side documents, read and written: a missing document is `null`, any JSON text
 * comes back exactly, kinds and keys are apart, a wrong version is a conflict
 * value (nothing written), one writer wins per version, a versioned delete, and a
 * closed store rejects. `due` never lists documents.
 *
 * @example
 * for (const c of docChecks(ctx)) test(c.name, c.body);
 */
export const docChecks = <S extends PermissionStore>(ctx: ConformanceContext<S>): ConformanceCase[] => [
  {
    name: 'documents: a missing one is null, generated ones round-trip exactly, kinds and keys are apart',
    body: () => ctx.withStore(async (store) => {
      const now = new VirtualClock().now();
      assert.equal(await store.getDoc('call', 'never-written'), null);
      let n = 0;
      await fc.assert(fc.asyncProperty(kindArb, keyArb, jsonTextArb, jsonTextArb, fc.option(fc.nat(), { nil: null }),
        async (kind, base, first, second, dueOffset) => {
          n += 1;
          const key = `${base}#${n}`;
          const other: DocKind = kind === 'call' ? 'inbox' : 'call';
          const dueAt = dueOffset === null ? null : now + dueOffset;
          assert.equal(await store.getDoc(kind, key), null);
          assert.deepEqual(await store.putDoc(kind, key, 0, first, { now, dueAt, expiresAt: null }), { ok: true, version: 1 });
          assert.deepStrictEqual(await store.getDoc(kind, key), { version: 1, value: first, dueAt });
          assert.equal(await store.getDoc(other, key), null, 'the same key of the other kind');
          assert.equal(await store.getDoc(kind, `${key}0`), null, 'a longer key');
          assert.deepEqual(await store.putDoc(kind, key, 1, second, plain(now)), { ok: true, version: 2 });
          assert.deepStrictEqual(await store.getDoc(kind, key), { version: 2, value: second, dueAt: null });
        }), ctx.fcParams);
      assert.deepEqual(await store.due(Number.MAX_SAFE_INTEGER, 100), [], 'due lists threads, never documents');
    }),
  },
  {
    name: 'documents: a wrong version resolves to a conflict and writes or deletes nothing',
    body: () => ctx.withStore(async (store) => {
      const now = new VirtualClock().now();
      const key = `k${ctx.freshThread().psid}`;
      assert.deepEqual(await store.putDoc('inbox', key, 1, '1', plain(now)), CONFLICT, 'version 1 of a missing document');
      assert.deepEqual(await store.deleteDoc('inbox', key, 1), CONFLICT, 'deleting version 1 of a missing document');
      assert.equal(await store.getDoc('inbox', key), null);
      assert.deepEqual(await store.putDoc('inbox', key, 0, '2', plain(now)), { ok: true, version: 1 });
      assert.deepEqual(await store.putDoc('inbox', key, 0, '3', plain(now)), CONFLICT, 'version 0 of an existing document');
      assert.deepEqual(await store.putDoc('inbox', key, 2, '4', plain(now)), CONFLICT, 'a version from the future');
      assert.deepEqual(await store.deleteDoc('inbox', key, 0), CONFLICT, 'deleting "absent" when it exists');
      assert.deepEqual(await store.deleteDoc('inbox', key, 2), CONFLICT, 'deleting a version from the future');
      assert.deepEqual(await store.putDoc('inbox', key, 1, '5', plain(now)), { ok: true, version: 2 });
      assert.deepEqual(await store.putDoc('inbox', key, 1, '6', plain(now)), CONFLICT, 'a stale version');
      assert.deepEqual(await store.deleteDoc('inbox', key, 1), CONFLICT, 'deleting a stale version');
      assert.deepEqual(await store.getDoc('inbox', key), { version: 2, value: '5', dueAt: null });
    }),
  },
  {
    name: 'documents: delete removes at the expected version; versions start again at 1',
    body: () => ctx.withStore(async (store) => {
      const now = new VirtualClock().now();
      const key = `k${ctx.freshThread().psid}`;
      assert.deepEqual(await store.deleteDoc('call', key, 0), GONE, 'an absent document expected absent');
      await store.putDoc('call', key, 0, '"a"', { now, dueAt: now, expiresAt: now + 1000 });
      await store.putDoc('call', key, 1, '"b"', { now, dueAt: now, expiresAt: now + 1000 });
      assert.deepEqual(await store.deleteDoc('call', key, 2), GONE);
      assert.equal(await store.getDoc('call', key), null);
      assert.deepEqual(await store.dueDocs('call', now, 10), [], 'a deleted document leaves the due index');
      assert.deepEqual(await store.deleteDoc('call', key, 2), CONFLICT, 'deleted already');
      assert.deepEqual(await store.putDoc('call', key, 2, '"c"', plain(now)), CONFLICT, 'the old version is gone too');
      assert.deepEqual(await store.putDoc('call', key, 0, '"d"', plain(now)), { ok: true, version: 1 });
      assert.deepEqual(await store.getDoc('call', key), { version: 1, value: '"d"', dueAt: null });
    }),
  },
  {
    name: 'documents: concurrent writers of one version, one wins; racing writers and deleters, one wins',
    body: () => ctx.withStore(async (store) => {
      const now = new VirtualClock().now();
      const key = `k${ctx.freshThread().psid}`;
      for (let version = 0; version < 4; version += 1) {
        const values = Array.from({ length: ctx.concurrency }, (_, i) => `[${version},${i}]`);
        const results = await Promise.all(values.map((v) => store.putDoc('inbox', key, version, v, plain(now))));
        const winners = results.flatMap((r, i) => (r.ok ? [i] : []));
        assert.equal(winners.length, 1, `one winner at version ${version}, got ${winners.length}`);
        for (const r of results) if (!r.ok) assert.deepEqual(r, CONFLICT);
        assert.deepEqual(await store.getDoc('inbox', key), { version: version + 1, value: values[winners[0] ?? -1], dueAt: null });
      }
      const half = Math.max(1, Math.floor(ctx.concurrency / 2));
      const races = await Promise.all([
        ...Array.from({ length: half }, (_, i) => store.putDoc('inbox', key, 4, `"w${i}"`, plain(now))),
        ...Array.from({ length: half }, () => store.deleteDoc('inbox', key, 4)),
      ]);
      const won = races.flatMap((r, i) => (r.ok ? [i] : []));
      assert.equal(won.length, 1, `one of the racing writes and deletes wins, got ${won.length}`);
      const stored = await store.getDoc('inbox', key);
      if ((won[0] ?? 0) < half) assert.deepEqual(stored, { version: 5, value: `"w${won[0] ?? -1}"`, dueAt: null });
      else assert.equal(stored, null);
    }),
  },
  {
    name: 'documents: a closed store rejects document calls',
    body: () => ctx.withStore(async (store) => {
      await store.putDoc('call', 'k', 0, '{}', plain(0));
      await store.close();
      await assert.rejects(async () => store.getDoc('call', 'k'));
      await assert.rejects(async () => store.putDoc('call', 'k', 1, '{}', plain(0)));
      await assert.rejects(async () => store.deleteDoc('call', 'k', 1));
      await assert.rejects(async () => store.dueDocs('call', 0, 10));
    }),
  },
];
