/**
 * Everything core has, public or not, for this repository's own tests and
 * benchmarks (the compiled stepper, packed records, commit internals...). Not in
 * the package's `exports`: hosts use `@callperm/core`, driver authors
 * `@callperm/core/store`.
 */
export * from './index.js';
export * from './store/index.js';
export * from './machine/PermissionRecord.js';
export * from './machine/permissionMachine.js';
export * from './machine/effectiveState.js';
export * from './machine/step.js';
export * from './machine/machineImplementations.js';
export * from './machine/compileMachine.js';
export * from './machine/fastStep.js';
export * from './machine/frozenRecord.js';
export * from './machine/dueAt.js';
export * from './machine/retireAt.js';
export * from './machine/requestBlocker.js';
export * from './machine/callBlocker.js';
export * from './machine/quota.js';
export * from './decisionValidUntil.js';
export * from './service/commitSteps.js';
export * from './service/toPermissionEvent.js';
export * from './calls/index.js';
export * from './service/followUpFor.js';
export * from './service/WebhookEventCodec.js';
export { callTraceKey, DEFAULT_CALL_TRACE_TTL_MS, placedNews } from './service/recordCallEvent.js';
export { callRefusalOf } from './service/callRefusalOf.js';
export type { InboxEntry } from './service/inbox.js';
export * from './service/followUpBackoff.js';
export * from './service/processInbox.js';
export * from './service/inboxAside.js';
export * from './service/retryBackoff.js';
export * from './service/pageCalling.js';
export * from './service/refusalOf.js';
export * from './machine/packedRecord.js';
export * from './codecs/timestamps.js';
export * from './codecs/MetaId.js';
export * from './codecs/caseInsensitive.js';
export * from './codecs/webhookEventId.js';
export * from './codecs/admitEvents.js';
export * from './telemetry/serviceTelemetry.js';
export * from './telemetry/loadOtelApi.js';
