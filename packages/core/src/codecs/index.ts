/**
 * The io-ts codecs of every Meta payload callperm reads, each behind a function
 * that returns a `Result` with a `DecodeReport` on failure and never throws.
 */
export * from './parsePermissionCheck.js';
export * from './parseSendResponse.js';
export * from './parseGraphError.js';
export * from './parseWebhook.js';
export { admitEvents, admissionDefaults, type AdmissionLimits, type Admission } from './admitEvents.js';
