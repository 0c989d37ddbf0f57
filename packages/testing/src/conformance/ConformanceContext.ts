import type { PermissionStore, Thread } from '@callperm/core';
import type { Parameters } from 'fast-check';
import type { MakeStore, StoreConformanceOptions } from './StoreConformanceOptions.js';

/** One conformance check: a name and an async body that throws when the store breaks the contract. */
export interface ConformanceCase {
  readonly name: string;
  readonly body: () => Promise<void>;
}

/**
 * What every group of checks gets: a way to borrow a fresh store (closed after
 * the body, whatever happens), fresh thread ids and the options.
 *
 * @example
 * const ctx = conformanceContext(() => memoryStore(), { corrupt: (s, t, x) => s.corrupt(t, x) });
 * await ctx.withStore(async (store) => store.get(ctx.freshThread())); // null
 */
export interface ConformanceContext<S extends PermissionStore> {
  readonly options: StoreConformanceOptions<S>;
  readonly concurrency: number;
  /** fast-check parameters for property checks (only `numRuns`, when the options set it). */
  readonly fcParams: Parameters<unknown>;
  withStore<T>(body: (store: S) => Promise<T>): Promise<T>;
  /** A thread no earlier call returned (numeric ids, as Meta's). */
  freshThread(): Thread;
}

/** Builds the {@link ConformanceContext} of one suite run. */
export const conformanceContext = <S extends PermissionStore>(
  makeStore: MakeStore<S>,
  options: StoreConformanceOptions<S>,
): ConformanceContext<S> => {
  let next = 0;
  return {
    options,
    concurrency: Math.max(2, options.concurrency ?? 8),
    fcParams: options.numRuns === undefined ? {} : { numRuns: options.numRuns },
    async withStore(body) {
      const store = await makeStore();
      try {
        return await body(store);
      } finally {
        await store.close();
      }
    },
    freshThread() {
      next += 1;
      return { pageId: String(100_000 + next), psid: String(7_000_000 + next) };
    },
  };
};
