/**
 * `@callperm/adapters/webhook`: Meta's webhook receiver — one framework-neutral
 * core (verify, decode, deduplicate, apply within a budget) and thin faces for
 * node:http and the Fetch API. The Express and Fastify faces are on their own
 * subpaths, `@callperm/adapters/webhook/express` and `@callperm/adapters/webhook/fastify`,
 * so these types need neither framework installed.
 */
export * from './createWebhookHandler.js';
export * from './createWebhookCore.js';
export * from './WebhookHandlerOptions.js';
export * from './WebhookRequest.js';
export * from './WebhookRefusal.js';
export * from './WebhookError.js';
export * from './WebhookOptionError.js';
export * from './verifySignature.js';
export * from './answerHandshake.js';
export * from './applyWithinBudget.js';
export * from './nodeFace.js';
export * from './fetchFace.js';
export * from './readNodeBody.js';
