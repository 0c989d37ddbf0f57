import type { PermissionStore, Thread } from '@callperm/core';

/**
 * The runner's test-registering function, e.g. vitest's or jest's `test`, or
 * `it`. The suite passes it a name and an async body; anything it returns is ignored.
 *
 * @example
 * import { test } from 'vitest';
 * const register: ConformanceTest = test;
 */
export type ConformanceTest = (name: string, body: () => Promise<void>) => unknown;

/**
 * Makes the store under test. Every call must give an empty store, isolated from
 * the stores of earlier calls (a fresh file, key prefix or schema), since `due`
 * sees every thread of a store. The suite closes each store it makes.
 */
export type MakeStore<S extends PermissionStore> = () => S | Promise<S>;

/**
 * What a driver tells the conformance suite beyond the store itself.
 *
 * @example
 * const options: StoreConformanceOptions<ReturnType<typeof memoryStore>> = {
 *   corrupt: (store, thread, text) => store.corrupt(thread, text),
 * };
 */
export interface StoreConformanceOptions<S extends PermissionStore> {
  /**
   * Plants `text` (not necessarily JSON) as the stored record of `thread`, as a
   * crash, a manual edit or an incompatible writer would, behind the store's back.
   * The suite has written the thread once before it calls this.
   */
  readonly corrupt: (store: S, thread: Thread, text: string) => void | Promise<void>;
  /** Concurrent writers and dedupe callers per race (default 8). */
  readonly concurrency?: number;
  /** Runs per property test (default: fast-check's global `numRuns`, which `FC_NUM_RUNS` may set). */
  readonly numRuns?: number;
  /** A prefix for every test name (default `PermissionStore conformance`). */
  readonly name?: string;
}
