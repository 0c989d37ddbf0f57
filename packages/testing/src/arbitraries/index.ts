/**
 * fast-check arbitraries for every Meta payload callperm reads, each generating
 * the payload together with what it must decode to.
 */
export * from './Generated.js';
export * from './anyCase.js';
export * from './metaIds.js';
export * from './metaTimestamp.js';
export * from './unknownFields.js';
export * from './noise.js';
export * from './permissionCheck.js';
export * from './sendResponse.js';
export * from './graphError.js';
export * from './permissionReply.js';
export * from './inboundMessage.js';
export * from './personInteraction.js';
export * from './callEvent.js';
export * from './webhookBody.js';
export * from './otherObjectBody.js';
