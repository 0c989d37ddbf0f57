export * from './graph/index.js';
// Storage: error classes only. Drivers are subpaths (`@callperm/adapters/storage/sqlite`, ...), so importing
// this root never loads better-sqlite3, ioredis or pg.
export * from './storage/shared/MissingPeerError.js';
export { StoreClosedError } from '@callperm/core';
export * from './storage/shared/SchemaVersionError.js';
export * from './storage/shared/StoreUnavailableError.js';
