import type { PermissionStore } from './ports/PermissionStore.js';
import { memoryDriver } from './store/memoryDriver.js';
import { storeFromDriver } from './store/storeFromDriver.js';
import type { Thread } from './thread.js';

/**
 * A `PermissionStore` in this process's memory: for tests, simulations and a host
 * that runs one instance (nothing survives a restart, nothing is shared between
 * processes). Records are packed bytes in a slab (`memoryDriver`), ~100 bytes a
 * thread; every read builds a fresh copy, so callers cannot change a stored record.
 *
 * @example
 * const store = memoryStore();
 * await store.get({ pageId: '1', psid: '2' }); // null
 */
export const memoryStore = (): PermissionStore & { size(): number; corrupt(thread: Thread, raw: unknown): void } => {
  const driver = memoryDriver();
  return { ...storeFromDriver(driver), size: () => driver.size(), corrupt: (thread, raw) => driver.corrupt(thread, raw) };
};
