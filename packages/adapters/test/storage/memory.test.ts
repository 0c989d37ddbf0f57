import { runStoreConformance } from '@callperm/testing';
import { expect, test } from 'vitest';
import { memoryStore } from '@callperm/adapters/storage/memory';
import { memoryStore as coreMemoryStore } from '@callperm/core';

runStoreConformance(test, () => memoryStore(), {
  name: 'memory',
  corrupt: (store, thread, text) => store.corrupt(thread, text),
});

test('memory: the subpath re-exports the core store itself', () => {
  expect(memoryStore).toBe(coreMemoryStore);
});
