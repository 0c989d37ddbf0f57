import fc from 'fast-check';
import { callEventEntryArb } from './callEvent.js';
import type { Generated, WebhookEventContent } from './Generated.js';
import { inboundMessageEntryArb } from './inboundMessage.js';
import { entryNoiseArb } from './noise.js';
import { permissionReplyEntryArb } from './permissionReply.js';
import { personInteractionEntryArb } from './personInteraction.js';

/**
 * A whole Page webhook body (`{object: "page", entry: [...]}`) mixing replies in
 * every envelope, inbound messages, the person's referrals, opt-ins and
 * reactions, call events and entries that mean nothing,
 * with the events it must decode to, in order.
 *
 * @example
 * fc.assert(fc.property(webhookBodyArb, ({ payload, expected }) => {
 *   const r = parseWebhook(payload);
 *   return r.ok && JSON.stringify(withoutIds(r.value)) === JSON.stringify(expected);
 * }));
 */
export const webhookBodyArb: fc.Arbitrary<Generated<WebhookEventContent[]>> = fc
  .array(fc.oneof(
    permissionReplyEntryArb,
    inboundMessageEntryArb,
    personInteractionEntryArb,
    callEventEntryArb,
    entryNoiseArb.map((entry) => ({ entry, expected: [] })),
  ), { maxLength: 6 })
  .map((parts) => ({
    payload: { object: 'page', entry: parts.map((p) => p.entry) },
    expected: parts.flatMap((p) => p.expected),
  }));
