import fc from 'fast-check';
import { callIdArb, pageIdArb, psidArb } from './metaIds.js';
import { instantArb } from './metaTimestamp.js';

/** Values that are no webhook item at all. */
const notAnObjectArb = fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }));

/**
 * `messaging[]` items that must decode to nothing: the Page's own echoes, read
 * and delivery receipts, handover events, opt-ins and referrals that name no PSID
 * (`user_ref` only), the guide's placeholder reply, non-objects.
 *
 * @example
 * fc.sample(messagingNoiseArb, 1); // e.g. [{ sender: { id: '1...' }, recipient: { id: '5...' }, message: { is_echo: true } }]
 */
export const messagingNoiseArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ page: pageIdArb, psid: psidArb, ts: instantArb, mid: fc.string() }).map(({ page, psid, ts, mid }) => ({
    sender: { id: page }, recipient: { id: psid }, timestamp: ts, message: { is_echo: true, mid, text: 'hi' },
  })),
  fc.record({ page: pageIdArb, psid: psidArb, ts: instantArb, kind: fc.constantFrom('read', 'delivery') })
    .map(({ page, psid, ts, kind }) => ({ sender: { id: psid }, recipient: { id: page }, timestamp: ts, [kind]: { watermark: ts } })),
  // Handover protocol events name the person but are the apps' doing, not the person's.
  fc.record({ page: pageIdArb, psid: psidArb, ts: instantArb, kind: fc.constantFrom('pass_thread_control', 'take_thread_control') })
    .map(({ page, psid, ts, kind }) => ({ sender: { id: psid }, recipient: { id: page }, timestamp: ts, [kind]: { metadata: 'handover' } })),
  // A checkbox-plugin opt-in and a chat-plugin referral name no PSID (only a `user_ref`).
  fc.record({ page: pageIdArb, ts: instantArb }).map(({ page, ts }) => ({
    recipient: { id: page }, timestamp: ts, optin: { ref: 'checkbox', user_ref: 'ur_8a1c' },
  })),
  fc.record({ page: pageIdArb, ts: instantArb }).map(({ page, ts }) => ({
    sender: { user_ref: 'ur_8a1c' }, recipient: { id: page }, timestamp: ts, referral: { source: 'CUSTOMER_CHAT_PLUGIN', type: 'OPEN_THREAD' },
  })),
  fc.record({ page: pageIdArb, psid: psidArb, ts: instantArb }).map(({ page, psid, ts }) => ({
    sender: { id: psid }, recipient: { id: page }, timestamp: ts,
    call_permission_reply: { response: '[approve|reject]', expiration_timestamp: '{timestamp}' },
  })),
  notAnObjectArb,
);

/**
 * `changes[]` items that must decode to nothing: other fields, a reply with no
 * recognisable response, a `calls` change whose value is no call, non-objects.
 *
 * @example
 * fc.sample(changeNoiseArb, 1); // e.g. [{ field: 'feed', value: { item: 'status' } }]
 */
export const changeNoiseArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('feed', 'messages', 'ratings').map((field) => ({ field, value: { item: 'status' } })),
  psidArb.map((psid) => ({ field: 'call_permission_reply', value: { sender: { id: psid }, call_permission_reply: { response: 'maybe' } } })),
  fc.constant({ field: 'calls', value: { calls: [{ event: 'connect' }] } }),
  notAnObjectArb,
);

/**
 * `calls[]` items that must decode to nothing: unknown events, no call id, non-objects.
 *
 * @example
 * fc.sample(callNoiseArb, 1); // e.g. [{ id: 'c_abc12345', event: 'transfer' }]
 */
export const callNoiseArb: fc.Arbitrary<unknown> = fc.oneof(
  callIdArb.map((id) => ({ id, event: 'transfer', timestamp: 1671644824 })),
  fc.constant({ event: 'terminate', timestamp: 1671644824, status: 'Completed' }),
  notAnObjectArb,
);

/**
 * Whole `entry[]` values that must decode to nothing.
 *
 * @example
 * fc.sample(entryNoiseArb, 1); // e.g. [{ id: '1...', time: 1671644824000 }]
 */
export const entryNoiseArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ id: pageIdArb, time: instantArb }),
  fc.record({ id: pageIdArb, messaging: fc.array(messagingNoiseArb, { maxLength: 2 }) }),
  fc.record({ id: pageIdArb, changes: fc.array(changeNoiseArb, { maxLength: 2 }) }),
  fc.record({ id: pageIdArb, calls: fc.array(callNoiseArb, { maxLength: 2 }) }),
  notAnObjectArb,
);

/**
 * Up to two noise items before and after a real one.
 *
 * @example
 * fc.sample(surroundedBy(callNoiseArb, { id: 'c_1', event: 'connect' }), 1); // e.g. [[null, { id: 'c_1', ... }]]
 */
export const surroundedBy = (noise: fc.Arbitrary<unknown>, item: unknown): fc.Arbitrary<unknown[]> =>
  fc.tuple(fc.array(noise, { maxLength: 2 }), fc.array(noise, { maxLength: 2 }))
    .map(([before, after]) => [...before, item, ...after]);
