import fc from 'fast-check';
import type { PermissionReplyEvent } from '@callperm/core';
import { anyCaseArb } from './anyCase.js';
import type { GeneratedEntry } from './Generated.js';
import { pageIdArb, psidArb } from './metaIds.js';
import { answerInstantOf, eventTimeArb, instantArb, timestampEncodingArb } from './metaTimestamp.js';
import type { EventTime } from './metaTimestamp.js';
import { changeNoiseArb, messagingNoiseArb, surroundedBy } from './noise.js';

/**
 * A `call_permission_reply` as callperm reads it, without its dedupe id.
 *
 * @example
 * const r: PermissionReplyContent = { kind: 'permission_reply', at: 1671644824000, thread: { pageId: '1', psid: '2' }, response: 'reject', expiresAt: null };
 */
export type PermissionReplyContent = Omit<PermissionReplyEvent, 'id'>;

/**
 * A person's answer to an opt-in: `approve` (with or without an expiry) or `reject`.
 *
 * @example
 * fc.sample(permissionReplyContentArb, 1); // e.g. [{ kind: 'permission_reply', response: 'approve', ... }]
 */
export const permissionReplyContentArb: fc.Arbitrary<PermissionReplyContent> = fc
  .record({
    pageId: pageIdArb,
    psid: psidArb,
    at: instantArb,
    response: fc.constantFrom('approve' as const, 'reject' as const),
    expiresAt: fc.option(instantArb, { nil: null }),
  })
  .map(({ pageId, psid, at, response, expiresAt }) => ({
    kind: 'permission_reply' as const,
    at,
    thread: { pageId, psid },
    response,
    expiresAt: response === 'approve' ? expiresAt : null,
  }));

/** The `call_permission_reply` object: `response` in any case (`accept` too), expiry in any unit or absent. */
const renderBody = (r: PermissionReplyContent): fc.Arbitrary<Record<string, unknown>> => {
  const response = r.response === 'approve'
    ? fc.oneof(anyCaseArb('approve'), anyCaseArb('accept'))
    : anyCaseArb('reject');
  const expiry: fc.Arbitrary<Record<string, unknown>> = r.expiresAt !== null
    ? timestampEncodingArb(r.expiresAt).map((raw) => ({ expiration_timestamp: raw }))
    : r.response === 'approve'
      ? fc.constantFrom({}, { expiration_timestamp: null }, { expiration_timestamp: '' })
      // a stray expiry on a reject means nothing
      : fc.option(instantArb.chain(timestampEncodingArb), { nil: undefined })
        .map((raw): Record<string, unknown> => (raw === undefined ? {} : { expiration_timestamp: raw }));
  return fc.tuple(response, expiry).map(([res, exp]) => ({ response: res, ...exp }));
};

/**
 * One `entry[]` carrying the reply in any of the three documented envelopes: on
 * the entry itself (Shape A, `id`/`time` often absent, `recipient` sometimes left to
 * `entry.id`), in `messaging[]` (Shape B), or in `changes[{field, value}]` (Shape C,
 * the reply under `call_permission_reply` or another `call_permission*` name),
 * with noise items around it.
 *
 * @example
 * fc.sample(permissionReplyContentArb.chain(renderPermissionReply), 1);
 */
export const renderPermissionReply = (r: PermissionReplyContent): fc.Arbitrary<GeneratedEntry> => {
  const { pageId, psid } = r.thread;
  const sender = { id: psid };
  const recipient = { id: pageId };
  const placed = (entry: Record<string, unknown>, time: EventTime): GeneratedEntry =>
    ({ entry, expected: [{ ...r, at: answerInstantOf(r.at, time.item.timestamp) }] });
  const shapeA = fc.record({
    body: renderBody(r), time: eventTimeArb(r.at), ids: fc.constantFrom('recipient', 'entry', 'both'),
  }).map(({ body, time, ids }) => placed({
    ...(ids === 'recipient' ? {} : { id: pageId }),
    ...time.entry,
    sender,
    ...(ids === 'entry' ? {} : { recipient }),
    ...time.item,
    call_permission_reply: body,
  }, time));
  const shapeB = fc.record({ body: renderBody(r), time: eventTimeArb(r.at) }).chain(({ body, time }) =>
    surroundedBy(messagingNoiseArb, { sender, recipient, ...time.item, call_permission_reply: body })
      .map((messaging) => placed({ id: pageId, ...time.entry, messaging }, time)));
  const shapeC = fc.record({
    body: renderBody(r),
    time: eventTimeArb(r.at),
    key: fc.constantFrom('call_permission_reply', 'call_permission_response', 'call_permission_reply_data'),
    name: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  }).chain(({ body, time, key, name }) =>
    surroundedBy(changeNoiseArb, {
      field: 'call_permission_reply',
      value: { sender, recipient: name === undefined ? recipient : { ...recipient, name }, ...time.item, [key]: body },
    }).map((changes) => placed({ id: pageId, ...time.entry, changes }, time)));
  return fc.oneof(shapeA, shapeB, shapeC);
};

/**
 * A reply entry in any envelope with the event it means.
 *
 * @example
 * fc.sample(permissionReplyEntryArb, 1); // e.g. [{ entry: {...}, expected: [{ kind: 'permission_reply', ... }] }]
 */
export const permissionReplyEntryArb: fc.Arbitrary<GeneratedEntry> =
  permissionReplyContentArb.chain(renderPermissionReply);
