/**
 * @callperm/testing: what a host needs to test against callperm without Meta.
 * Each line re-exports one area of the kit.
 */
export * from './VirtualClock.js';
export * from './offlineGraph.js';
export * from './conformance/index.js';
export * from './fakeGraph/index.js';
export * from './arbitraries/index.js';
export * from './webhooks/index.js';
export * from './consumerSimulator/index.js';
