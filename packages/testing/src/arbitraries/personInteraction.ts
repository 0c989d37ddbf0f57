import fc from 'fast-check';
import type { InboundMessageEvent } from '@callperm/core';
import type { GeneratedEntry } from './Generated.js';
import { midArb, pageIdArb, psidArb } from './metaIds.js';
import { eventTimeArb, instantArb } from './metaTimestamp.js';
import { messagingNoiseArb, surroundedBy } from './noise.js';

/**
 * The ways a person acts in a thread, besides writing, that open the standard
 * messaging window (Meta's standard-messaging policy): a `referral` (an m.me link
 * with a `ref`, a Click-to-Messenger ad), an `optin` (a plugin, a marketing or
 * one-time-notification opt-in) and a `reaction` to a message.
 */
export type PersonInteractionKind = 'referral' | 'optin' | 'reaction';

/**
 * A person's referral, opt-in or reaction, with the inbound event it means
 * (none of them carries an id of its own: the event's dedupe id has no `mid`).
 *
 * @example
 * const s: PersonInteractionSpec = { kind: 'reaction', content: { kind: 'inbound_message', at: 1458692752478, thread: { pageId: '1', psid: '2' } } };
 */
export interface PersonInteractionSpec {
  readonly kind: PersonInteractionKind;
  readonly content: Omit<InboundMessageEvent, 'id'>;
}

/**
 * A referral, opt-in or reaction from a person to a Page.
 *
 * @example
 * fc.sample(personInteractionSpecArb, 1); // e.g. [{ kind: 'optin', content: { kind: 'inbound_message', ... } }]
 */
export const personInteractionSpecArb: fc.Arbitrary<PersonInteractionSpec> = fc
  .record({ kind: fc.constantFrom('referral' as const, 'optin' as const, 'reaction' as const), pageId: pageIdArb, psid: psidArb, at: instantArb })
  .map(({ kind, pageId, psid, at }) => ({ kind, content: { kind: 'inbound_message' as const, at, thread: { pageId, psid } } }));

/** The event object of each kind, in the shapes Meta documents. */
const bodyArb = (kind: PersonInteractionKind): fc.Arbitrary<Record<string, unknown>> => {
  switch (kind) {
    case 'referral':
      return fc.oneof(
        fc.string({ maxLength: 12 }).map((ref) => ({ ref, source: 'SHORTLINK', type: 'OPEN_THREAD' })),
        fc.stringMatching(/^[0-9]{12,17}$/).map((adId) => ({
          source: 'ADS', type: 'OPEN_THREAD', ad_id: adId, ads_context_data: { ad_title: 'Call us', photo_url: 'https://example.invalid/a.jpg' },
        })),
      ).map((referral) => ({ referral }));
    case 'optin':
      return fc.oneof(
        fc.string({ maxLength: 12 }).map((ref) => ({ ref })),
        fc.stringMatching(/^[A-Za-z0-9]{16,40}$/).map((token) => ({
          type: 'notification_messages', payload: 'call-updates', notification_messages_token: token,
          notification_messages_frequency: 'DAILY', notification_messages_status: 'RESUME_NOTIFICATIONS', title: 'Updates',
        })),
        fc.stringMatching(/^[A-Za-z0-9]{16,40}$/).map((token) => ({ type: 'one_time_notif_req', payload: 'callback', one_time_notif_token: token })),
      ).map((optin) => ({ optin }));
    case 'reaction':
      return fc.record({
        reaction: fc.constantFrom('smile', 'love', 'like', 'other'),
        emoji: fc.constantFrom('\u{1F604}', '\u2764', '\u{1F44D}'),
        action: fc.constantFrom('react', 'unreact'),
        mid: midArb,
      }).map((reaction) => ({ reaction }));
  }
};

/**
 * One `entry[]` whose `messaging[]` holds the person's referral, opt-in or
 * reaction among noise items.
 *
 * @example
 * fc.sample(personInteractionSpecArb.chain(renderPersonInteraction), 1);
 */
export const renderPersonInteraction = (spec: PersonInteractionSpec): fc.Arbitrary<GeneratedEntry> => {
  const { pageId, psid } = spec.content.thread;
  return fc.record({ time: eventTimeArb(spec.content.at), body: bodyArb(spec.kind) }).chain(({ time, body }) =>
    surroundedBy(messagingNoiseArb, { sender: { id: psid }, recipient: { id: pageId }, ...time.item, ...body })
      .map((messaging) => ({ entry: { id: pageId, ...time.entry, messaging }, expected: [spec.content] })));
};

/**
 * A referral, opt-in or reaction entry with the event it means.
 *
 * @example
 * fc.sample(personInteractionEntryArb, 1);
 */
export const personInteractionEntryArb: fc.Arbitrary<GeneratedEntry> = personInteractionSpecArb.chain(renderPersonInteraction);
