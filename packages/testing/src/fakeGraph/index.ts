/**
 * The fake Graph API: a real HTTP server on loopback that behaves like Meta's
 * calling-permission and calling endpoints, with thread state, calls, throttling
 * and faults.
 */
export * from './createFakeGraphApi.js';
export * from './FakeGraphCore.js';
export * from './FakeThreadBook.js';
export * from './FakeThrottle.js';
export * from './FaultPlan.js';
export * from './fakeMetaErrors.js';
export * from './renderPermissionCheck.js';
export * from './answerBatch.js';
export * from './FakeSend.js';
export * from './FakePersonEvent.js';
export * from './FakeRecords.js';
export * from './FakeCall.js';
export * from './FakeCallBook.js';
export * from './FakeCallDesk.js';
export * from './FakeConnect.js';
export * from './isoPeriod.js';
export type { FakeRequest } from './readRequest.js';
export * from './FakeWhatsAppDesk.js';
export * from './fakeWhatsAppErrors.js';
