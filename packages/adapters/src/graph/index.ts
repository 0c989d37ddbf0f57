/**
 * `@callperm/adapters/graph`: the `GraphApi` port on got, its error classes, the
 * retry decision, Meta's usage headers and batched checks. Throttling per scope
 * stays inside the client (options `throttleFallbackMs`, `throttleMaxMs`).
 */
export * from './graphApi.js';
export * from './GraphError.js';
export * from './toGraphError.js';
export * from './classifyMetaError.js';
export * from './retryDecision.js';
export * from './usageHeaders.js';
export * from './appSecretProof.js';
export * from './redactSecrets.js';
export * from './describeTransportError.js';
export * from './GraphLogEntry.js';
export * from './GraphConfigError.js';
export { MAX_BATCH_SIZE, type CheckManyItem } from './batch.js';
export * from './whatsapp/whatsappGraphApi.js';
export * from './whatsapp/channelGraphApi.js';
export * from './whatsapp/parseWhatsAppAnswers.js';
