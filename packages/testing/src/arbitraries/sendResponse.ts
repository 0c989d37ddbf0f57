import fc from 'fast-check';
import type { SentOptIn } from '@callperm/core';
import type { Generated } from './Generated.js';
import { midArb, psidArb } from './metaIds.js';

/**
 * The Send API's acknowledgement of a `calling_optin` (`{recipient:{id}, message_id}`)
 * with the {@link SentOptIn} it means.
 *
 * @example
 * fc.assert(fc.property(sendResponseArb, ({ payload, expected }) => {
 *   const r = parseSendResponse(payload);
 *   return r.ok && r.value.messageId === expected.messageId;
 * }));
 */
export const sendResponseArb: fc.Arbitrary<Generated<SentOptIn>> = fc
  .record({ psid: psidArb, mid: midArb })
  .map(({ psid, mid }) => ({ payload: { recipient: { id: psid }, message_id: mid }, expected: { messageId: mid } }));
