/**
 * Meta's webhook payloads, built: every shape the facts file documents, signed
 * like Meta signs them, and posted like Meta posts them.
 */
export * from './signWebhook.js';
export * from './metaSeconds.js';
export * from './pageWebhook.js';
export * from './permissionReplyEntry.js';
export * from './inboundMessageEntry.js';
export * from './callItems.js';
export * from './postWebhook.js';
export * from './whatsappWebhook.js';
