import fc from 'fast-check';
import type { InboundMessageEvent } from '@callperm/core';
import type { GeneratedEntry } from './Generated.js';
import { midArb, pageIdArb, psidArb } from './metaIds.js';
import { eventTimeArb, instantArb } from './metaTimestamp.js';
import { messagingNoiseArb, surroundedBy } from './noise.js';

/**
 * The person writing to the Page, plus the message id Meta tags it with (part of
 * the dedupe id, not of the event).
 *
 * @example
 * const s: InboundMessageSpec = { content: { kind: 'inbound_message', at: 1458692752478, thread: { pageId: '1', psid: '2' } }, mid: null };
 */
export interface InboundMessageSpec {
  readonly content: Omit<InboundMessageEvent, 'id'>;
  readonly mid: string | null;
}

/**
 * An inbound message or postback, as callperm reads it.
 *
 * @example
 * fc.sample(inboundMessageSpecArb, 1); // e.g. [{ content: { kind: 'inbound_message', ... }, mid: 'm_abc12345' }]
 */
export const inboundMessageSpecArb: fc.Arbitrary<InboundMessageSpec> = fc
  .record({ pageId: pageIdArb, psid: psidArb, at: instantArb, mid: fc.option(midArb, { nil: null }) })
  .map(({ pageId, psid, at, mid }) => ({ content: { kind: 'inbound_message' as const, at, thread: { pageId, psid } }, mid }));

/**
 * One `entry[]` whose `messaging[]` holds the person's `message` (never an echo;
 * `is_echo: false` sometimes spelled out) or `postback`, among noise items.
 *
 * @example
 * fc.sample(inboundMessageSpecArb.chain(renderInboundMessage), 1);
 */
export const renderInboundMessage = (spec: InboundMessageSpec): fc.Arbitrary<GeneratedEntry> => {
  const { pageId, psid } = spec.content.thread;
  const midPart = spec.mid === null ? {} : { mid: spec.mid };
  const payload = fc.oneof(
    fc.record({ text: fc.string({ maxLength: 20 }), echo: fc.boolean() })
      .map(({ text, echo }) => ({ message: { ...midPart, text, ...(echo ? { is_echo: false } : {}) } })),
    fc.string({ maxLength: 20 }).map((p) => ({ postback: { ...midPart, title: 'Call me', payload: p } })),
  );
  return fc.record({ time: eventTimeArb(spec.content.at), payload }).chain(({ time, payload: body }) =>
    surroundedBy(messagingNoiseArb, { sender: { id: psid }, recipient: { id: pageId }, ...time.item, ...body })
      .map((messaging) => ({ entry: { id: pageId, ...time.entry, messaging }, expected: [spec.content] })));
};

/**
 * An inbound-message entry with the event it means.
 *
 * @example
 * fc.sample(inboundMessageEntryArb, 1);
 */
export const inboundMessageEntryArb: fc.Arbitrary<GeneratedEntry> = inboundMessageSpecArb.chain(renderInboundMessage);
