/**
 * @callperm/core: what a host service uses. The Messenger call-permission
 * lifecycle (an XState machine), the service that runs it over a store and the
 * Graph API, pure decisions, the ports a host may implement, Meta payload codecs,
 * the in-memory store and the chart model. No I/O here.
 *
 * What a storage driver's author needs is on `@callperm/core/store`; machine
 * internals (the compiled stepper, packed records, commit internals) are not exported.
 */
export * from './thread.js';
export * from './result.js';
export { durationMs } from './duration.js';
export * from './policy.js';
export * from './remotePermission.js';
export * from './webhookEvent.js';
export * from './machine/LifecycleState.js';
export {
  emptyRecord, RECORD_SCHEMA, type PermissionRecord, type Evidence, type PendingRequest, type RemindedRequest, type RemoteView, type ReportedLimit, type Refusal, type RefusalKind,
} from './machine/PermissionRecord.js';
export * from './machine/PermissionEvent.js';
export * from './machine/DecisionReason.js';
export { requestMessageAt, type RequestMessage } from './machine/requestMessage.js';
export { permissionMachine, type PermissionContext } from './machine/permissionMachine.js';
export * from './ports/Clock.js';
export * from './ports/GraphApi.js';
export * from './ports/PermissionStore.js';
export * from './ports/VersionedDoc.js';
export * from './ports/CorruptDocError.js';
export * from './ports/CorruptHistoryError.js';
export * from './codecs/DecodeReport.js';
export * from './codecs/index.js';
export * from './memoryStore.js';
export * from './cache/cachingStore.js';
export * from './decide.js';
export type { HistoryEntry, HistorySource, HistoryEventType } from './store/HistoryEntry.js';
export * from './service/TransitionNotice.js';
export { ContentionError } from './service/commitSteps.js';
export * from './service/CallPermissions.js';
export * from './service/createCallPermissions.js';
export type { SweepOptions, SweepReport } from './service/sweep.js';
export type { CallpermLogger, CallpermLogLevel } from './telemetry/CallpermLogger.js';
export type { InboxTicket } from './service/inbox.js';
export type { MovedAsideEntry } from './service/inboxAside.js';
export type { PageCallingOff } from './service/pageCalling.js';
export type { PageCheck, PageStatus } from './service/pageStatus.js';
export { MAX_SDP_LENGTH, type CallControlError, type CallOffer, type StartCallError, type StartedCall } from './service/callControl.js';
export { DEFAULT_RETRY, retryDelayMs, resolveRetry, type RetryOptions, type ResolvedRetry } from './service/retryBackoff.js';
export type { CallTrace, CallEnd } from './calls/CallTrace.js';
export * from './chart/chartModel.js';
export * from './chart/toMermaid.js';
