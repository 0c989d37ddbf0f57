/**
 * @callperm/core/telemetry: what the other callperm packages (and a host's own
 * adapters) share to report to OpenTelemetry without depending on it: the slice
 * of `@opentelemetry/api` callperm uses, typed structurally, its lazy loader, and
 * the logger shape. Hosts need none of it: registering an OpenTelemetry SDK is enough.
 */
export * from './OtelApi.js';
export * from './loadOtelApi.js';
export type { CallpermLogger, CallpermLogLevel } from './CallpermLogger.js';
