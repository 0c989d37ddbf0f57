/**
 * The `PermissionStore` conformance suite: one call per driver's test file.
 */
export * from './runStoreConformance.js';
export * from './StoreConformanceOptions.js';
export * from './permissionRecordArb.js';
export * from './historyEntryArb.js';
