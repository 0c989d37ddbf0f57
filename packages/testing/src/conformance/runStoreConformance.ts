import type { PermissionStore } from '@callperm/core';
import { commitChecks } from './commitChecks.js';
import { compareAndSetChecks } from './compareAndSetChecks.js';
import { consentTrailChecks } from './consentTrailChecks.js';
import { conformanceContext } from './ConformanceContext.js';
import { dedupeChecks } from './dedupeChecks.js';
import { docChecks } from './docChecks.js';
import { docDueChecks } from './docDueChecks.js';
import { dueChecks } from './dueChecks.js';
import { formatChecks } from './formatChecks.js';
import { historyChecks } from './historyChecks.js';
import { lifecycleChecks } from './lifecycleChecks.js';
import { retireChecks } from './retireChecks.js';
import { channelChecks } from './channelChecks.js';
import { roundTripChecks } from './roundTripChecks.js';
import type { ConformanceTest, MakeStore, StoreConformanceOptions } from './StoreConformanceOptions.js';

/**
 * Registers the `PermissionStore` conformance suite with your test runner: round
 * trip of generated records, missing threads, compare-and-set conflicts and races,
 * lost updates, dedupe (exactly once, expiry on the virtual clock), `commitThread`
 * (write and remember together or not at all, races, a model property), the due
 * index, `retire` (the versioned delete of a row: conflicts, the due index, the
 * history and ids kept, races with commits), side documents (round trip,
 * conflicts, races, delete, their due index, expiry on the virtual clock), the
 * consent history (appended with its write only, order, `before`/`limit`, per
 * thread, retention, a model property), stored formats (an older one upgraded
 * on read, a newer one refused), corrupted records with their stored version
 * and `reset`, and `close()`. Every callperm driver runs it; run it on your own
 * driver too. Assertions use `node:assert`, so any runner works.
 *
 * @example
 * import { test } from 'vitest';
 * import { memoryStore } from '@callperm/core';
 * import { runStoreConformance } from '@callperm/testing';
 *
 * runStoreConformance(test, () => memoryStore(), {
 *   corrupt: (store, thread, text) => store.corrupt(thread, text),
 * });
 */
export const runStoreConformance = <S extends PermissionStore>(
  test: ConformanceTest,
  makeStore: MakeStore<S>,
  options: StoreConformanceOptions<S>,
): void => {
  const ctx = conformanceContext(makeStore, options);
  const prefix = options.name ?? 'PermissionStore conformance';
  const cases = [
    ...roundTripChecks(ctx),
    ...compareAndSetChecks(ctx),
    ...dedupeChecks(ctx),
    ...commitChecks(ctx),
    ...dueChecks(ctx),
    ...retireChecks(ctx),
    ...channelChecks(ctx),
    ...docChecks(ctx),
    ...docDueChecks(ctx),
    ...historyChecks(ctx),
    ...consentTrailChecks(ctx),
    ...formatChecks(ctx),
    ...lifecycleChecks(ctx),
  ];
  for (const c of cases) test(`${prefix}: ${c.name}`, c.body);
};
