/**
 * @callperm/core: the Messenger call-permission lifecycle as an XState machine,
 * Meta payload codecs, pure decisions, the ports and the service. No I/O here.
 */
export * from './thread.js';
export * from './result.js';
export * from './duration.js';
export * from './policy.js';
export * from './remotePermission.js';
export * from './webhookEvent.js';
export * from './machine/LifecycleState.js';
export * from './machine/PermissionRecord.js';
export * from './machine/PermissionEvent.js';
export * from './ports/Clock.js';
export * from './ports/GraphApi.js';
export * from './ports/PermissionStore.js';
export * from './ports/VersionedDoc.js';
export * from './ports/CorruptDocError.js';
export * from './codecs/DecodeReport.js';
export * from './memoryStore.js';
export * from './cache/cachingStore.js';
export * from './machine/DecisionReason.js';
export * from './machine/effectiveState.js';
export * from './machine/permissionMachine.js';
export * from './machine/step.js';
export * from './machine/machineImplementations.js';
export * from './machine/compileMachine.js';
export * from './machine/fastStep.js';
export * from './machine/frozenRecord.js';
export * from './machine/packedRecord.js';
export * from './machine/dueAt.js';
export * from './decide.js';
export * from './decisionValidUntil.js';
export * from './service/TransitionNotice.js';
export * from './service/commitSteps.js';
export * from './service/toPermissionEvent.js';
export * from './service/createCallPermissions.js';
export * from './calls/index.js';
export * from './service/followUpFor.js';
export * from './service/WebhookEventCodec.js';
export { callTraceKey, DEFAULT_CALL_TRACE_TTL_MS } from './service/recordCallEvent.js';
export type { SweepOptions, SweepReport } from './service/sweep.js';
export type { InboxTicket, InboxEntry } from './service/inbox.js';
export * from './codecs/index.js';
export * from './chart/chartModel.js';
export * from './chart/toMermaid.js';
