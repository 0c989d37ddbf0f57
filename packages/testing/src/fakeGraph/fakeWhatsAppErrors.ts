import type { MetaErrorBody } from './fakeMetaErrors.js';

/** A WhatsApp Cloud API error body: Meta's envelope with `error_data.messaging_product` and `details`. */
const waError = (code: number, message: string, details: string, type = 'OAuthException'): MetaErrorBody => ({
  error: { message, type, code, error_data: { messaging_product: 'whatsapp', details }, fbtrace_id: 'AfakeTraceId0003' },
});

/**
 * The error bodies the fake answers WhatsApp requests with, in Meta's error
 * envelope, and the HTTP status of each (facts §6.4):
 * - `noPermission` 138006 (401): a connect without an approved call permission;
 * - `requestLimit` 138009 (400): the call-permission-request limit (1 / 24 h, 2 / 7 days per pair, reset by a connected call);
 * - `callLimit` 138012 (400): the business-initiated connected-call limit (100 / 24 h per pair);
 * - `permanentHeld` 138017 (400): a permanent permission exists, the request was not sent;
 * - `reengagement` 131047 (400): a free-form message outside the 24 h customer-service window.
 *   131047 is not in the facts file: it is the code Meta's general WhatsApp Cloud API error
 *   list gives "Re-engagement message" (more than 24 hours since the person last replied);
 * - `invalidParameter` 100 (400): a body or query the fake cannot read.
 *
 * @example
 * fakeWhatsAppErrors.requestLimit.body.error.code; // 138009
 */
export const fakeWhatsAppErrors = {
  noPermission: { status: 401, body: waError(138006, 'No approved call permission', 'No approved call permission from the recipient.') },
  requestLimit: {
    status: 400,
    body: waError(138009, 'Call permission request limit hit', 'Call permission request limit reached for this business number and user pair.'),
  },
  callLimit: {
    status: 400,
    body: waError(138012, 'Business-initiated calling limit hit', 'Connected business-initiated call limit reached for this business number and user pair.'),
  },
  permanentHeld: {
    status: 400,
    body: waError(138017, 'Call permission already granted', 'The user has already granted permanent call permission; the request was not sent.'),
  },
  reengagement: {
    status: 400,
    body: waError(131047, 'Re-engagement message', 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.'),
  },
  invalidParameter: { status: 400, body: waError(100, '(#100) Invalid parameter', 'The request body or query is not a valid WhatsApp request.') },
} satisfies Record<string, { readonly status: number; readonly body: MetaErrorBody }>;
