import type { Instant, Thread } from './thread.js';

/** Fields every decoded webhook event carries. `id` is stable across Meta's retries (used for dedupe). */
interface WebhookEventBase {
  readonly id: string;
  /** When it happened, per Meta's timestamp, in epoch ms (seconds were converted). */
  readonly at: Instant;
}

/** The person answered a `calling_optin`: `approve` (with an expiry when Meta sent one) or `reject`. */
export interface PermissionReplyEvent extends WebhookEventBase {
  readonly kind: 'permission_reply';
  readonly thread: Thread;
  readonly response: 'approve' | 'reject';
  readonly expiresAt: Instant | null;
  /** WhatsApp's `is_permanent`: an approval with no expiry. */
  readonly permanent?: boolean;
  /**
   * WhatsApp's `response_source: automatic`: Meta granted it (a callback after a call)
   * or revoked it (after unanswered calls) without the person answering a request.
   */
  readonly automatic?: boolean;
}

/** The person wrote to the Page: it opens the standard messaging window. */
export interface InboundMessageEvent extends WebhookEventBase {
  readonly kind: 'inbound_message';
  readonly thread: Thread;
}

/** One `calls` webhook item. `psid` is null when the item does not name the person (e.g. `terminate`). */
export interface CallEvent extends WebhookEventBase {
  readonly kind: 'call';
  /** `whatsapp` for a WhatsApp call (`pageId` is then the business phone-number id); absent on Messenger. */
  readonly channel?: 'whatsapp';
  readonly pageId: string;
  readonly psid: string | null;
  readonly callId: string;
  readonly event: 'connect' | 'call_status' | 'media_update' | 'terminate';
  readonly direction: 'business_initiated' | 'user_initiated' | null;
  /** `call_status` value (lower-cased), e.g. `ringing` or `accepted`. */
  readonly callStatus: string | null;
  /** `terminate` status (lower-cased), e.g. `completed` or `failed`. */
  readonly terminateStatus: string | null;
  /** Seconds connected, from `terminate`; null when Meta left it empty (the business never connected). */
  readonly durationSec: number | null;
}

/** A permission Meta grants without a webhook: after a fully connected call, or a consumer call the Page missed. */
export interface ImplicitGrantEvent extends WebhookEventBase {
  readonly kind: 'implicit_grant';
  readonly thread: Thread;
  readonly cause: 'connected_call' | 'missed_call';
}

/**
 * The Page's call settings changed (`call_settings_update`): what Meta said is
 * not trusted as it came (the shape is undocumented); the Page is checked again.
 */
export interface PageSettingsEvent extends WebhookEventBase {
  readonly kind: 'page_settings';
  readonly pageId: string;
}

/**
 * A normalised event from Meta's webhooks, whatever envelope it came in.
 *
 * @example
 * const e: WebhookEvent = { kind: 'inbound_message', id: 'm:1:2:1700000000000', thread: { pageId: '1', psid: '2' }, at: 1700000000000 };
 */
export type WebhookEvent = PermissionReplyEvent | InboundMessageEvent | CallEvent | ImplicitGrantEvent | PageSettingsEvent;
