/**
 * The in-memory `PermissionStore` from `@callperm/core`, under the same subpath
 * scheme as the other drivers: for tests, simulations and a host that runs one
 * instance (nothing survives a restart, nothing is shared between processes).
 *
 * @example
 * import { memoryStore } from '@callperm/adapters/storage/memory';
 * const store = memoryStore();
 * await store.get({ pageId: '1', psid: '2' }); // null
 */
export { memoryStore } from '@callperm/core';
