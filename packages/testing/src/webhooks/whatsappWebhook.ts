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

/** One WhatsApp call, as its `calls` webhooks name it. */
export interface WhatsAppCallSpec extends WhatsAppNumberSpec {
  /** The person's WhatsApp id: `to` of a business call, `from` of theirs. */
  readonly waId: string;
  /** The call id (`wacid.…`). */
  readonly callId: string;
  readonly direction: 'BUSINESS_INITIATED' | 'USER_INITIATED';
}

/** Caller and callee of a call item: the business number and the person swap with the direction. */
const ends = (spec: WhatsAppCallSpec): { from: string; to: string } => {
  const business = spec.displayPhoneNumber ?? '15550000000';
  return spec.direction === 'USER_INITIATED' ? { from: spec.waId, to: business } : { from: business, to: spec.waId };
};

/**
 * A `calls` change with one `connect` item (facts §9.5): string timestamp, the
 * direction, and the SDP of the side that offers (the person's offer on their
 * call; Meta's answer to the business's offer on a business call).
 *
 * @example
 * whatsappCallConnect({ phoneNumberId: '1065', waId: '4915112345678', callId: 'wacid.A', direction: 'USER_INITIATED' }, clock.now());
 */
export const whatsappCallConnect = (spec: WhatsAppCallSpec, at: Instant) =>
  whatsappWebhook(spec, 'calls', {
    ...(spec.direction === 'USER_INITIATED' ? { contacts: [{ profile: { name: 'Simulated Person' }, wa_id: spec.waId }] } : {}),
    calls: [{
      id: spec.callId, ...ends(spec), event: 'connect', timestamp: String(metaSeconds(at)), direction: spec.direction,
      session: { sdp_type: spec.direction === 'USER_INITIATED' ? 'offer' : 'answer', sdp: 'v=0\r\n' },
    }],
  });

/**
 * A `calls` change with one call status (business calls only): `RINGING`,
 * `ACCEPTED` or `REJECTED` (a rejection is followed by its terminate).
 *
 * @example
 * whatsappCallStatus({ phoneNumberId: '1065', waId: '4915112345678', callId: 'wacid.A', direction: 'BUSINESS_INITIATED' }, 'ACCEPTED', at);
 */
export const whatsappCallStatus = (spec: WhatsAppCallSpec, status: 'RINGING' | 'ACCEPTED' | 'REJECTED', at: Instant) =>
  whatsappWebhook(spec, 'calls', {
    statuses: [{ id: spec.callId, timestamp: String(metaSeconds(at)), type: 'call', status, recipient_id: spec.waId }],
  });

/**
 * A `calls` change with one `terminate` item: `COMPLETED` or `FAILED`, with
 * `start_time`, `end_time` and `duration` only when the call was picked up.
 *
 * @example
 * whatsappCallTerminate(spec, { at, status: 'COMPLETED', pickedUpAt: at - 90_000 });
 */
export const whatsappCallTerminate = (
  spec: WhatsAppCallSpec,
  end: { readonly at: Instant; readonly status: 'COMPLETED' | 'FAILED'; readonly pickedUpAt?: Instant | null },
) => {
  const talked = end.pickedUpAt === undefined || end.pickedUpAt === null
    ? {}
    : { start_time: String(metaSeconds(end.pickedUpAt)), end_time: String(metaSeconds(end.at)), duration: metaSeconds(end.at) - metaSeconds(end.pickedUpAt) };
  return whatsappWebhook(spec, 'calls', {
    calls: [{ id: spec.callId, ...ends(spec), event: 'terminate', direction: spec.direction, timestamp: String(metaSeconds(end.at)), status: end.status, ...talked }],
  });
};
