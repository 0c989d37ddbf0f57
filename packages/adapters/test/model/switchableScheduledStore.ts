import type { fc } from '@fast-check/vitest';
import type { PermissionStore } from '@callperm/core';

/** The store calls the race suite hands to the fast-check scheduler: every thread, dedupe, due and document call. */
const SCHEDULED: ReadonlySet<PropertyKey> = new Set([
  'get', 'compareAndSet', 'remember', 'commitThread', 'due', 'getDoc', 'putDoc', 'deleteDoc', 'dueDocs', 'retire',
]);

/**
 * A store that behaves as `base` until `schedule(s)` is called; from then on each
 * of its calls waits for the fast-check scheduler `s` to release it, so concurrent
 * commands interleave at every store call in the order `s` picks (and a failing
 * order is printed and replayed with the seed). `schedule(null)` switches back.
 *
 * @example
 * const { store, schedule } = switchableScheduledStore(await sqliteStore({ filename }));
 * schedule(s); // the commands run from here on race under `s`
 */
export const switchableScheduledStore = (base: PermissionStore): { readonly store: PermissionStore; schedule(s: fc.Scheduler | null): void } => {
  let scheduler: fc.Scheduler | null = null;
  const store = new Proxy(base, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const bound = (value as (...args: unknown[]) => unknown).bind(target);
      return scheduler !== null && SCHEDULED.has(prop) ? scheduler.scheduleFunction(bound as (...args: unknown[]) => Promise<unknown>) : bound;
    },
  });
  return {
    store,
    schedule: (s) => {
      scheduler = s;
    },
  };
};
