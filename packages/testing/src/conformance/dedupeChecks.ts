import type { PermissionStore } from '@callperm/core';
import assert from 'node:assert/strict';
import { VirtualClock } from '../VirtualClock.js';
import type { ConformanceCase, ConformanceContext } from './ConformanceContext.js';

const HOUR = 3_600_000;

/**
 * Dedupe of processed event ids: true exactly once per id (also when callers
 * race), false while remembered, forgotten once callers' `now` is past `until`.
 * Time is a virtual clock: a store must use the instants passed, not its own.
 *
 * @example
 * for (const c of dedupeChecks(ctx)) test(c.name, c.body);
 */
export const dedupeChecks = <S extends PermissionStore>(ctx: ConformanceContext<S>): ConformanceCase[] => [
  {
    name: 'remember is true exactly once per id, also under concurrent callers',
    body: () => ctx.withStore(async (store) => {
      const clock = new VirtualClock();
      const ids = Array.from({ length: 5 }, (_, i) => `mid.${clock.now()}:${i}`);
      const now = clock.now();
      const calls = ids.flatMap((id) => Array.from({ length: ctx.concurrency }, () => ({ id })));
      const results = await Promise.all(calls.map(({ id }) => store.remember(id, now, now + HOUR)));
      for (const id of ids) {
        const firsts = results.filter((r, i) => r && calls[i]?.id === id).length;
        assert.equal(firsts, 1, `one first sighting of ${id}, got ${firsts}`);
      }
      clock.advance('PT30M');
      for (const id of ids) assert.equal(await store.remember(id, clock.now(), clock.now() + HOUR), false);
    }),
  },
  {
    name: 'remember keeps ids apart, whatever they contain',
    body: () => ctx.withStore(async (store) => {
      const now = new VirtualClock().now();
      const ids = ['a', 'a ', 'A', 'a:b', '{a}', 'a}b{', 'é', '\u{1F600}', 'x'.repeat(300), 'mid.$cAAJ:1'];
      for (const id of ids) assert.equal(await store.remember(id, now, now + HOUR), true, JSON.stringify(id));
      for (const id of ids) assert.equal(await store.remember(id, now, now + HOUR), false, JSON.stringify(id));
    }),
  },
  {
    name: 'remember forgets an id once now is past until, and the new sighting counts again',
    body: () => ctx.withStore(async (store) => {
      const clock = new VirtualClock();
      const start = clock.now();
      const until = start + 2 * HOUR;
      assert.equal(await store.remember('evt-1', start, until), true);
      clock.advance('PT1H');
      assert.equal(await store.remember('evt-1', clock.now(), clock.now() + 2 * HOUR), false);
      clock.set(until - 1);
      assert.equal(await store.remember('evt-1', clock.now(), clock.now() + 2 * HOUR), false);
      clock.set(until + 1);
      const renewed = clock.now() + 2 * HOUR;
      assert.equal(await store.remember('evt-1', clock.now(), renewed), true);
      clock.advance('PT1H');
      assert.equal(await store.remember('evt-1', clock.now(), clock.now() + 2 * HOUR), false);
      clock.set(renewed + 1);
      const later = await Promise.all(Array.from({ length: ctx.concurrency },
        () => store.remember('evt-1', clock.now(), clock.now() + HOUR)));
      assert.equal(later.filter(Boolean).length, 1);
    }),
  },
];
