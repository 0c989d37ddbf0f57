import type { Instant } from '@callperm/core';
import { metaSeconds } from './metaSeconds.js';

/** The business number a WhatsApp webhook is about. */
export interface WhatsAppNumberSpec {
  /** The business phone-number id (`metadata.phone_number_id`, the thread's `pageId`). */
  readonly phoneNumberId: string;
  /** The number as people dial it (`metadata.display_phone_number`); default `15550000000`. */
  readonly displayPhoneNumber?: string;
  /** The WhatsApp Business Account id (`entry[].id`); default the phone-number id. */
  readonly wabaId?: string;
}

/** The person a WhatsApp message comes from. */
export interface WhatsAppPersonSpec extends WhatsAppNumberSpec {
  /** The person's WhatsApp id (`from`, `contacts[].wa_id`, the thread's `psid`). */
  readonly waId: string;
  /** When it happened (epoch ms; written as a string of Unix seconds). */
  readonly at: Instant;
  /** The message's own id; default a new `wamid.…`. */
  readonly id?: string;
  /** `contacts[].profile.name`; default `Simulated Person`. */
  readonly name?: string;
}

let inboundSeq = 0;

const newWamid = (): string => `wamid.FAKEIN${(inboundSeq += 1).toString().padStart(8, '0')}`;

/**
 * A WhatsApp Business Account webhook (facts §9.4, §9.5) with one change:
 * `{object: 'whatsapp_business_account', entry: [{id, changes: [{value: {messaging_product, metadata, ...value}, field}]}]}`.
 *
 * @example
 * whatsappWebhook({ phoneNumberId: '1065' }, 'messages', { statuses: [] });
 */
export const whatsappWebhook = (
  number: WhatsAppNumberSpec,
  field: 'messages' | 'calls',
  value: Readonly<Record<string, unknown>>,
): { readonly object: 'whatsapp_business_account'; readonly entry: readonly unknown[] } => ({
  object: 'whatsapp_business_account',
  entry: [{
    id: number.wabaId ?? number.phoneNumberId,
    changes: [{
      value: {
        messaging_product: 'whatsapp',
        metadata: { display_phone_number: number.displayPhoneNumber ?? '15550000000', phone_number_id: number.phoneNumberId },
        ...value,
      },
      field,
    }],
  }],
});

/** A `messages` change with the person's contact and one message item. */
const personMessage = (spec: WhatsAppPersonSpec, message: Readonly<Record<string, unknown>>) =>
  whatsappWebhook(spec, 'messages', {
    contacts: [{ profile: { name: spec.name ?? 'Simulated Person' }, wa_id: spec.waId }],
    messages: [{ ...message, from: spec.waId, id: spec.id ?? newWamid(), timestamp: String(metaSeconds(spec.at)) }],
  });

/**
 * The person writes to the business number (a `text` message): it opens the 24 h customer-service window.
 *
 * @example
 * whatsappTextMessage({ phoneNumberId: '1065', waId: '4915112345678', at: clock.now(), text: 'call me?' });
 */
export const whatsappTextMessage = (spec: WhatsAppPersonSpec & { readonly text?: string }) =>
  personMessage(spec, { type: 'text', text: { body: spec.text ?? 'hello' } });

/** What a `call_permission_reply` says. */
export interface WhatsAppReplySpec extends WhatsAppPersonSpec {
  readonly response: 'accept' | 'reject';
  /** `is_permanent` (accepts only; default false). */
  readonly permanent?: boolean;
  /** A temporary accept's expiry (epoch ms), written as `expiration_timestamp` (string seconds); default 7 days after `at`. */
  readonly expiresAt?: Instant;
  /** `response_source`; default `user_action`. */
  readonly source?: 'user_action' | 'automatic';
  /** `context.id`: the request's wamid (or a call's wacid); null or absent = no `context` (profile grants, auto-revokes). */
  readonly contextId?: string | null;
}

const WEEK = 7 * 86_400_000;

/**
 * The person's (or Meta's automatic) answer to a call-permission request
 * (facts §9.4): `interactive.call_permission_reply` with `response`,
 * `is_permanent`, `expiration_timestamp` (temporary accepts only) and
 * `response_source`, and `context.id` when it answers a request.
 *
 * @example
 * whatsappPermissionReply({ phoneNumberId: '1065', waId: '4915112345678', at, response: 'accept', contextId: 'wamid.X' });
 */
export const whatsappPermissionReply = (spec: WhatsAppReplySpec) => {
  const permanent = spec.response === 'accept' && spec.permanent === true;
  const reply: Record<string, unknown> = { response: spec.response, is_permanent: permanent };
  if (spec.response === 'accept' && !permanent) reply.expiration_timestamp = String(metaSeconds(spec.expiresAt ?? spec.at + WEEK));
  reply.response_source = spec.source ?? 'user_action';
  const context = spec.contextId === undefined || spec.contextId === null
    ? {}
    : { context: { from: spec.displayPhoneNumber ?? '15550000000', id: spec.contextId } };
  return personMessage(spec, { ...context, type: 'interactive', interactive: { type: 'call_permission_reply', call_permission_reply: reply } });
};
