/**
 * Implicit (callback) permissions from the `calls` webhooks: per-call traces that
 * converge whatever the delivery order, and the grant a trace implies.
 */
export * from './CallTrace.js';
export * from './mergeCallEvent.js';
export * from './implicitGrantOf.js';
export * from './inferImplicitGrants.js';
