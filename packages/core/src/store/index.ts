/**
 * @callperm/core/store: what a storage driver's author needs. A driver
 * implements {@link StoreDriver}; {@link storeFromDriver} turns it into the
 * `PermissionStore` a host passes to `createCallPermissions`; `runStoreConformance`
 * from `@callperm/testing` checks it.
 */
export * from './StoreDriver.js';
export * from './storeFromDriver.js';
export * from './HistoryEntry.js';
export * from './recordFormat.js';
export * from './recordUpgrades.js';
export * from './versionedJson.js';
export * from './storedRow.js';
export * from './memoryDriver.js';
export * from './pairKey.js';
export * from './storedThread.js';
export { inboxFormat, type InboxEntry } from '../service/inbox.js';
export { followUpBackoffFormat, type FollowUpBackoff } from '../service/followUpBackoff.js';
export { callTraceFormat, CallTraceCodec } from '../calls/CallTrace.js';
